// A code-server (real VS Code, served to a browser) in a throw-away sandbox: its own user-data,
// extensions and config under one temp dir, bound to a random port on 127.0.0.1, no auth, no
// telemetry. Installed by test/e2e/setup.sh; this file only reads what setup wrote.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';

export interface Install {
  schemaVersion: 1;
  codeServerVersion: string;
  node: string;
  codeServerEntry: string;
  chromium: string;
}

export function cacheDir(): string {
  const root = process.env.CODEC_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'codec-evolution-e2e');
  return join(root, `code-server-${CODE_SERVER_VERSION}-node-${NODE24_VERSION}`);
}

export function readInstall(): Install {
  const file = join(cacheDir(), 'ready.json');
  if (!existsSync(file)) throw new Error(`code-server is not installed (${file} missing) — run bash test/e2e/setup.sh`);
  const install = JSON.parse(readFileSync(file, 'utf8')) as Install;
  if (install.schemaVersion !== 1)
    throw new Error(`${file}: schemaVersion ${install.schemaVersion} unknown — rerun bash test/e2e/setup.sh`);
  for (const p of [install.node, install.codeServerEntry]) {
    if (!existsSync(p)) throw new Error(`${p} missing — delete ${cacheDir()} and rerun bash test/e2e/setup.sh`);
  }
  return install;
}

export class CodeServer {
  readonly userDataDir: string;
  readonly extensionsDir: string;
  private readonly configFile: string;
  private child?: ChildProcess;
  private output = '';
  url = '';

  constructor(
    private readonly install: Install,
    private readonly sandbox: string,
  ) {
    this.userDataDir = join(sandbox, 'user-data');
    this.extensionsDir = join(sandbox, 'extensions');
    this.configFile = join(sandbox, 'code-server.yaml');
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    mkdirSync(this.extensionsDir, { recursive: true });
    writeFileSync(this.configFile, 'auth: none\ncert: false\n');
  }

  /** code-server's own environment: nothing inherited that points at another VS Code or home. */
  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!/^(VSCODE_|ELECTRON_|npm_)/.test(k)) env[k] = v;
    }
    env.XDG_CONFIG_HOME = join(this.sandbox, 'xdg-config');
    env.XDG_DATA_HOME = join(this.sandbox, 'xdg-data');
    return env;
  }

  private baseArgs(): string[] {
    return [
      this.install.codeServerEntry,
      '--config',
      this.configFile,
      '--user-data-dir',
      this.userDataDir,
      '--extensions-dir',
      this.extensionsDir,
    ];
  }

  writeUserSettings(settings: Record<string, unknown>): void {
    writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  async installExtension(vsix: string): Promise<string> {
    const { stdout, stderr } = await run(this.install.node, [...this.baseArgs(), '--install-extension', vsix, '--force'], {
      env: this.env(),
      timeout: 120_000,
    });
    return stdout + stderr;
  }

  async listExtensions(): Promise<string[]> {
    const { stdout } = await run(this.install.node, [...this.baseArgs(), '--list-extensions', '--show-versions'], {
      env: this.env(),
      timeout: 60_000,
    });
    return stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^[\w-]+\.[\w-]+@/.test(l));
  }

  /** Starts the server on a port the kernel picks, and resolves with its URL once it listens. */
  async start(timeoutMs = 60_000): Promise<string> {
    const child = spawn(
      this.install.node,
      [
        ...this.baseArgs(),
        '--bind-addr',
        '127.0.0.1:0',
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ],
      { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    this.child = child;
    // Its own process group, so that stopping it also ends the extension host and whatever the
    // extension spawned, even if this runner dies first.
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    process.once('exit', killGroup);
    child.once('exit', () => process.off('exit', killGroup));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not listen within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
      const onData = (b: Buffer) => {
        this.output += b.toString();
        const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${this.output}`));
      });
    });
    this.url = url;
    return url;
  }

  log(): string {
    return this.output;
  }

  /** Stops the server and everything it spawned (extension host, engine host, codec workers). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const signalGroup = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* already gone */
      }
    };
    signalGroup('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 10_000))]);
    if (timedOut) {
      signalGroup('SIGKILL');
      await exited;
    }
    // Stragglers in the group (an extension host that ignored SIGTERM) go too.
    signalGroup('SIGKILL');
  }
}
