// A real redis-server of the test's own on 127.0.0.1 and a free port (never a system one), without
// persistence, stopped by the test. Missing redis-server fails loudly: the queue tests must not
// silently skip in CI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface TestRedis {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop), as a restarted Redis would come back. */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

export function requireRedisServer(): void {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(
      'redis-server is not installed: the queue tests need it — run `npm run setup` (it installs the Debian package redis-server)',
    );
}

function launch(port: number, extra: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (c: Buffer) => {
      out += c;
      if (/Ready to accept connections/i.test(out)) {
        p.stdout!.off('data', onData);
        p.stdout!.resume();
        resolve(p);
      }
    };
    p.stdout!.on('data', onData);
    p.stderr!.on('data', (c) => {
      out += c;
    });
    p.once('error', reject);
    p.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
  });
}

export async function startRedis(opts: { password?: string } = {}): Promise<TestRedis> {
  requireRedisServer();
  const port = await freePort();
  const extra = opts.password ? ['--requirepass', opts.password] : [];
  const r: TestRedis = {
    port,
    url: opts.password ? `redis://:${encodeURIComponent(opts.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    process: await launch(port, extra),
    async stop() {
      const p = r.process;
      if (p.exitCode !== null || p.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGKILL');
      });
    },
    async restart() {
      await r.stop();
      r.process = await launch(port, extra);
    },
  };
  return r;
}
