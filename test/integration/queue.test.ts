// Distributed evaluation with real parts: a redis-server of the test's own, `codec-evolve worker`
// processes, the engine sending every stage as a BullMQ job. Faults are real: SIGKILL of a worker
// mid-job, SIGKILL of the engine mid-run, Redis stopped and started again without its data.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distFile, packageRoot } from '../../src/core/paths';
import type { StageResult } from '../../src/core/evolution/evaluator';
import { QueueDispatcher } from '../../src/core/queue/dispatcher';
import { runSession } from '../../src/core/evolution/session';
import { parseQueueUrl, redactQueueUrl } from '../../src/core/queue/address';
import type { QueueStatus } from '../../src/core/queue/job';
import { TERMINAL_STATES } from '../../src/core/store/records';
import type { Workspace } from '../../src/core/store/workspace';
import { makeEngineWorkspace, TREE_CLIP } from '../helpers/engine-workspace';
import { startRedis, type TestRedis } from '../helpers/redis';

interface WorkerProc {
  proc: ChildProcess;
  log: string[];
  name?: string;
  waitFor(re: RegExp, from?: number): Promise<RegExpExecArray>;
  exited: Promise<void>;
}

/** A `codec-evolve worker` in its own process group (SIGKILL takes its sandbox children too). */
function startWorker(url: string, cacheDir: string, extra: string[] = []): WorkerProc {
  const proc = spawn(
    process.execPath,
    [distFile('cli.js'), 'worker', '--queue', url, '--cache-dir', cacheDir, '--lock-seconds', '4', ...extra],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  const onData = (c: Buffer) => {
    buf += c;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    log.push(...lines);
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      for (const w of waiters.splice(0)) w();
      resolve();
    }),
  );
  const w: WorkerProc = {
    proc,
    log,
    exited,
    waitFor(re, from = 0) {
      return new Promise((resolve, reject) => {
        const look = () => {
          for (let i = from; i < log.length; i++) {
            const m = re.exec(log[i]);
            if (m) {
              resolve(m);
              return;
            }
          }
          if (proc.exitCode !== null || proc.signalCode !== null) {
            reject(new Error(`worker exited (${proc.exitCode ?? proc.signalCode}) before ${re}:\n${log.join('\n')}`));
            return;
          }
          waiters.push(look);
        };
        look();
      });
    },
  };
  void w.waitFor(/worker (\S+): connected/).then(
    (m) => {
      w.name = m[1];
    },
    () => undefined,
  );
  return w;
}

function killGroup(w: WorkerProc): void {
  try {
    process.kill(-w.proc.pid!, 'SIGKILL');
  } catch {
    /* gone */
  }
}

function finishedOnce(ws: Workspace): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of ws.events.read().events)
    if (e.type === 'candidate-finished') counts.set(e.id as string, (counts.get(e.id as string) ?? 0) + 1);
  return counts;
}

describe('queue: distributed evaluation on BullMQ and a real redis-server', function () {
  this.timeout(600_000);
  let redis: TestRedis;
  const workers: WorkerProc[] = [];
  const dirs: string[] = [];
  const tmp = (p: string) => {
    const d = mkdtempSync(join(tmpdir(), p));
    dirs.push(d);
    return d;
  };
  const cleanupWorkers = async () => {
    for (const w of workers.splice(0)) {
      killGroup(w);
      await w.exited;
    }
  };

  before(async () => {
    redis = await startRedis();
  });
  afterEach(cleanupWorkers);
  after(async () => {
    await cleanupWorkers();
    await redis?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('two workers, one SIGKILLed mid-job: its job runs on the other, every candidate is recorded exactly once', async () => {
    const a = startWorker(redis.url, tmp('ce-wa-'));
    const b = startWorker(redis.url, tmp('ce-wb-'));
    workers.push(a, b);
    await Promise.all([a.waitFor(/connected to/), b.waitFor(/connected to/)]);
    const { ws } = makeEngineWorkspace('ce-queue-', (c) => {
      c.evolution.candidatesPerGeneration = 4;
      c.evolution.concurrency = 4;
    });
    dirs.push(ws.root);
    // Kill A on its first training job of a generation's candidate: mid-job, with work of B's in flight.
    let killedJob: string | undefined;
    void a.waitFor(/job (\w+\.g\d{4}-\d\.training\.\w+) started/).then(
      (m) => {
        killedJob = m[1];
        killGroup(a);
      },
      () => undefined,
    );
    const queueEvents: QueueStatus[] = [];
    const status = await runSession(ws, {
      generations: 2,
      queue: redis.url,
      onEvent: (t, d) => {
        if (t === 'queue') queueEvents.push(d);
      },
    });
    assert.equal(status.stopReason, 'generation budget reached (2/2)');
    assert.ok(killedJob, `worker A never started a training job:\n${a.log.join('\n')}`);
    assert.notEqual(a.proc.signalCode, null, 'worker A was not killed');
    // The killed job was taken over by B (BullMQ's stalled-job check) and finished there.
    await b.waitFor(new RegExp(`job ${killedJob!.replace(/\./g, '\\.')} finished`));
    const recs = ws.listCandidates();
    for (let g = 1; g <= 2; g++)
      for (let s = 0; s < 4; s++) {
        const r = recs.find((x) => x.id === `g000${g}-${s}`);
        assert.ok(r && TERMINAL_STATES.includes(r.state), `g000${g}-${s}: ${r?.state}`);
      }
    for (const [id, n] of finishedOnce(ws)) assert.equal(n, 1, `${id} finished ${n} times`);
    assert.equal(finishedOnce(ws).size, recs.length);
    // Each candidate that ran says where and how long it waited; the killed one names B.
    const evaluated = recs.filter((r) => r.state !== 'invalid');
    assert.ok(
      evaluated.some((r) => r.id === killedJob!.split('.')[1]),
      "the killed job's candidate was not evaluated",
    );
    for (const r of evaluated) {
      assert.ok(r.worker && r.worker.host && r.worker.id, `${r.id} has no worker`);
      assert.ok(typeof r.queueWaitMs === 'number' && r.queueWaitMs >= 0, `${r.id}: queueWaitMs ${r.queueWaitMs}`);
    }
    const killedCandidate = killedJob!.split('.')[1];
    assert.equal(
      `${recs.find((r) => r.id === killedCandidate)!.worker!.host}/${recs.find((r) => r.id === killedCandidate)!.worker!.id}`,
      b.name,
    );
    // The sidebar's numbers came as events: workers and queue depth.
    assert.ok(
      queueEvents.some((q) => q.connected && q.workers.length === 2),
      'no queue event listing both workers',
    );
  });

  it('the job carries the sandbox memory limit: a worker refuses 300 MB of heap at memoryMb 200, runs it at 1024', async () => {
    const w = startWorker(redis.url, tmp('ce-wm-'));
    workers.push(w);
    await w.waitFor(/connected to/);
    const source = readFileSync(join(packageRoot(), 'test/fixtures/candidates/memory/heap-300mb.js'), 'utf8');
    const results: Record<number, StageResult> = {};
    for (const memoryMb of [200, 1024]) {
      const { ws, config } = makeEngineWorkspace('ce-queue-mem-', (c) => {
        c.limits = { timeoutMs: 120_000, memoryMb };
      });
      dirs.push(ws.root);
      const d = await QueueDispatcher.connect(redis.url, { config, root: ws.root });
      try {
        results[memoryMb] = await d.evaluate(source, {
          stage: 'smoke',
          candidateId: `mem${memoryMb}`,
          clips: [{ path: TREE_CLIP, frames: 2 }],
          references: [],
        });
      } finally {
        await d.close();
      }
    }
    const low = results[200];
    assert.ok(low.via, 'the stage did not run on the worker');
    assert.equal(!low.ok && low.failure.class, 'memory', JSON.stringify(low));
    assert.match(!low.ok ? low.failure.message : '', /200 MB JavaScript heap cap/);
    assert.equal(results[1024].ok, true, JSON.stringify(results[1024]));
  });

  it('an engine SIGKILLed mid-run resumes and adopts the result of the job it had in flight', async () => {
    const w = startWorker(redis.url, tmp('ce-wc-'));
    workers.push(w);
    await w.waitFor(/connected to/);
    const { ws } = makeEngineWorkspace('ce-queue-resume-');
    dirs.push(ws.root);
    const engine = spawn(process.execPath, [distFile('cli.js'), 'evolve', '--queue', redis.url, '--generations', '2'], {
      cwd: ws.root,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const engineExit = new Promise<void>((resolve) => engine.once('exit', () => resolve()));
    const started = await w.waitFor(/job (\w+\.g0001-0\.training\.\w+) started/);
    process.kill(-engine.pid!, 'SIGKILL');
    await engineExit;
    const job = started[1];
    // The job finishes with no engine listening; the restarted engine must adopt it, not run it again.
    await w.waitFor(new RegExp(`job ${job.replace(/\./g, '\\.')} finished`));
    assert.equal(ws.readCandidate('g0001-0').state, 'proposed', 'the killed engine recorded the candidate');
    const status = await runSession(ws, { generations: 1, queue: redis.url });
    assert.equal(status.stopReason, 'generation budget reached (1/1)');
    const rec = ws.readCandidate('g0001-0');
    assert.ok(TERMINAL_STATES.includes(rec.state), rec.state);
    assert.equal(w.log.filter((l) => l.includes(`job ${job} started`)).length, 1, `the job ran twice:\n${w.log.join('\n')}`);
    for (const [id, n] of finishedOnce(ws)) assert.equal(n, 1, `${id} finished ${n} times`);
  });

  it('Redis stopped and started again without its data: the loop waits, re-enqueues, and loses nothing', async () => {
    const w = startWorker(redis.url, tmp('ce-wd-'));
    workers.push(w);
    await w.waitFor(/connected to/);
    const { ws } = makeEngineWorkspace('ce-queue-down-');
    dirs.push(ws.root);
    const warnings: string[] = [];
    let restarted: Promise<void> | undefined;
    void w.waitFor(/job \w+\.g0001-0\.smoke\.\w+ started/).then(
      () => {
        restarted = (async () => {
          await redis.stop();
          await new Promise((r) => setTimeout(r, 1500));
          await redis.restart();
        })();
      },
      () => undefined,
    );
    const status = await runSession(ws, {
      generations: 1,
      queue: redis.url,
      onEvent: (t, d) => {
        if (t === 'warning') warnings.push(String(d.message));
      },
    });
    await restarted;
    assert.equal(status.stopReason, 'generation budget reached (1/1)');
    assert.ok(
      warnings.some((m) => /unreachable .*the loop waits for it/.test(m)),
      warnings.join('\n'),
    );
    const rec = ws.readCandidate('g0001-0');
    assert.ok(TERMINAL_STATES.includes(rec.state) && rec.state !== 'failed', `${rec.state} ${JSON.stringify(rec.failure)}`);
    for (const [id, n] of finishedOnce(ws)) assert.equal(n, 1, `${id} finished ${n} times`);
  });
});

describe('queue: addresses and secrets', function () {
  this.timeout(120_000);
  let redis: TestRedis;
  const secret = 'pw-S3cret-never-print';
  before(async () => {
    redis = await startRedis({ password: secret });
  });
  after(async () => {
    await redis?.stop();
  });

  it('parses redis:// and rediss:// with a password, and redacts it', () => {
    const a = parseQueueUrl(`rediss://user:${secret}@queue.example:6380/2`);
    assert.deepEqual(
      { tls: a.tls, host: a.host, port: a.port, db: a.db, username: a.username, password: a.password },
      { tls: true, host: 'queue.example', port: 6380, db: 2, username: 'user', password: secret },
    );
    assert.equal(a.display, 'rediss://user:***@queue.example:6380/2');
    assert.equal(redactQueueUrl(`redis://:${secret}@h:1`), 'redis://:***@h:1');
    assert.equal(parseQueueUrl('redis://h').port, 6379);
    assert.throws(
      () => parseQueueUrl(`http://:${secret}@h:1`),
      (e: Error) => !e.message.includes(secret) && /redis:\/\//.test(e.message),
    );
  });

  it('a worker with the password in its URL connects and never prints it; a wrong password is a clear error without it', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'ce-wpw-'));
    try {
      const good = startWorker(redis.url, cache);
      try {
        await good.waitFor(/connected to redis:\/\/:\*\*\*@127\.0\.0\.1/);
      } finally {
        killGroup(good);
        await good.exited;
      }
      assert.ok(!good.log.join('\n').includes(secret), good.log.join('\n'));
      const wrong = redis.url.replace(encodeURIComponent(secret), 'wrong-S3cret-too');
      const bad = startWorker(wrong, cache);
      await bad.exited;
      assert.equal(bad.proc.exitCode, 5, bad.log.join('\n'));
      const out = bad.log.join('\n');
      assert.match(out, /cannot reach the queue at redis:\/\/:\*\*\*@127\.0\.0\.1/);
      assert.ok(!out.includes('wrong-S3cret-too'), out);
      // The engine side says the same, without the password, and refuses to start.
      const { ws } = makeEngineWorkspace('ce-queue-pw-');
      try {
        await assert.rejects(
          runSession(ws, { generations: 1, queue: wrong }),
          (e: Error & { kind?: string }) => e.kind === 'environment' && !e.message.includes('wrong-S3cret-too') && /\*\*\*/.test(e.message),
        );
      } finally {
        rmSync(ws.root, { recursive: true, force: true });
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
