// The queue section: what sending evaluations through BullMQ costs and buys on this machine. A
// redis-server of the bench's own (127.0.0.1, random port) and real `codec-evolve worker` processes.
// - overhead per job: the engine's wall time for a stage minus the worker's time on it (runMs), over
//   sequential small jobs on an idle queue — clip check, enqueue, pick-up, result transport;
// - evaluations per minute on one workload (the hybrid seed's training stage on the bundled clip at
//   fixed qualities, x264 cached), local pool vs 1, 2 and 4 queue workers;
// - a projection for N machines from the measured per-job times.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvaluator } from '../../src/core/evolution/cascade';
import type { Evaluator, StageRequest, StageResult } from '../../src/core/evolution/evaluator';
import { distFile } from '../../src/core/paths';
import { QueueDispatcher } from '../../src/core/queue/dispatcher';
import { defaultConcurrency, type WorkspaceConfig } from '../../src/core/store/config';
import { seedSource } from '../../src/core/store/seed-files';
import { Workspace } from '../../src/core/store/workspace';
import { initWorkspace } from '../../src/core/store/init';
import { startRedis } from '../helpers/redis';
import { BUNDLED_CLIP } from './media';
import type { SectionResult } from './report';

export interface QueueBenchOptions {
  jobs: number;
  overheadJobs: number;
  qualities: number[];
  workerCounts: number[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function startWorker(url: string, cacheDir: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [distFile('cli.js'), 'worker', '--queue', url, '--cache-dir', cacheDir], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr!.on('data', (c) => {
      err += c;
      if (/connected to/.test(err)) resolve(p);
    });
    p.once('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
}

async function stopWorkers(ws: ChildProcess[]): Promise<void> {
  await Promise.all(
    ws.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) {
            resolve();
            return;
          }
          p.once('exit', () => resolve());
          try {
            process.kill(-p.pid!, 'SIGKILL');
          } catch {
            resolve();
          }
        }),
    ),
  );
}

/** `n` training-stage requests of the same code under distinct candidate ids (so none is deduplicated). */
function requests(ws: Workspace, cfg: WorkspaceConfig, tag: string, n: number, stage: StageRequest['stage']): StageRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    stage,
    candidateId: `bench-${tag}-${i}`,
    clips:
      stage === 'smoke'
        ? [{ path: ws.resolvePath(cfg.clips.smoke.path), frames: cfg.clips.smoke.frames }]
        : cfg.clips.training.map((c) => ({ path: ws.resolvePath(c.path), frames: c.frames })),
    references: stage === 'smoke' ? [] : cfg.references,
    qualities: cfg.qualities,
  }));
}

/** All requests at once, at most `inFlight` evaluating; wall time of the whole batch. */
async function batch(
  evaluate: Evaluator,
  code: string,
  reqs: StageRequest[],
  inFlight: number,
): Promise<{ ms: number; results: StageResult[] }> {
  const t0 = performance.now();
  const results: StageResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, reqs.length) }, async () => {
      while (next < reqs.length) {
        const r = reqs[next++];
        results.push(await evaluate(code, r));
      }
    }),
  );
  const bad = results.find((r) => !r.ok);
  if (bad && !bad.ok) throw new Error(`a bench evaluation failed: ${bad.failure.class}: ${bad.failure.message}`);
  return { ms: performance.now() - t0, results };
}

export async function benchQueue(ffmpeg: string, o: QueueBenchOptions): Promise<SectionResult> {
  const root = mkdtempSync(join(tmpdir(), 'ce-bench-queue-'));
  const redis = await startRedis();
  const workers: ChildProcess[] = [];
  try {
    const { ws } = initWorkspace(join(root, 'ws'), {
      seed: 'hybrid',
      clips: [BUNDLED_CLIP],
      configure: (c) => {
        c.qualities = o.qualities;
        c.ffmpegPath = ffmpeg;
        c.evolution.gitCommit = false;
      },
    });
    const cfg = ws.readConfig();
    const code = seedSource('hybrid');
    const local = createEvaluator(ws, cfg);
    // Warm the reference cache (local disk and, through the first worker, Redis) outside the timings.
    await batch(local, code, requests(ws, cfg, 'warm', 1, 'training'), 1);
    const localConcurrency = defaultConcurrency();
    const localRun = await batch(local, code, requests(ws, cfg, 'local', o.jobs, 'training'), localConcurrency);

    const dispatcher = await QueueDispatcher.connect(redis.url, { config: cfg, root: ws.root });
    const perWorkers: Array<{ workers: number; ms: number; perMinute: number; meanRunMs: number; meanWaitMs: number }> = [];
    let overhead: { ms: number[]; runMs: number[] } = { ms: [], runMs: [] };
    try {
      for (const n of o.workerCounts) {
        while (workers.length < n) workers.push(await startWorker(redis.url, join(root, `worker-${workers.length}`)));
        if (n === o.workerCounts[0]) {
          await batch(dispatcher.evaluate, code, requests(ws, cfg, 'qwarm', n, 'training'), n);
          // Overhead: one small job at a time on an idle queue, engine wall time minus worker time.
          overhead = { ms: [], runMs: [] };
          for (const r of requests(ws, cfg, 'overhead', o.overheadJobs, 'smoke')) {
            const t0 = performance.now();
            const res = await dispatcher.evaluate(code, r);
            const ms = performance.now() - t0;
            overhead.ms.push(ms - res.via!.runMs);
            overhead.runMs.push(res.via!.runMs);
          }
        } else {
          // New workers fetch the clip and reference results once, outside the timing.
          await batch(dispatcher.evaluate, code, requests(ws, cfg, `qwarm${n}`, n, 'training'), n);
        }
        const run = await batch(dispatcher.evaluate, code, requests(ws, cfg, `q${n}`, o.jobs, 'training'), o.jobs);
        const vias = run.results.map((r) => r.via!);
        perWorkers.push({
          workers: n,
          ms: run.ms,
          perMinute: o.jobs / (run.ms / 60000),
          meanRunMs: vias.reduce((a, v) => a + v.runMs, 0) / vias.length,
          meanWaitMs: vias.reduce((a, v) => a + v.queueWaitMs, 0) / vias.length,
        });
      }
    } finally {
      await dispatcher.close();
    }
    const overheadMs = median(overhead.ms);
    const localPerMinute = o.jobs / (localRun.ms / 60000);
    const best = perWorkers.reduce((a, b) => (b.perMinute > a.perMinute ? b : a));
    // Projection: N machines like this one, each at the best rate measured here. Linear, because the
    // engine's share of a job (the overhead above) overlaps across the jobs in flight; it assumes the
    // engine keeps N x that many candidates in flight (candidatesPerGeneration, --concurrency).
    const perJobMs = 60000 / best.perMinute;
    const project = (machines: number) => machines * best.perMinute;
    return {
      figures: [
        {
          id: 'queue.overheadMs',
          label: 'queue overhead per job (median)',
          value: overheadMs,
          unit: 'ms',
          goal: { op: '<=', value: 50 },
          note: `${o.overheadJobs} sequential smoke jobs, engine wall time minus the worker's time on the job (${median(overhead.runMs).toFixed(0)} ms)`,
        },
        {
          id: 'queue.localPerMinute',
          label: `evaluations/min, local pool (${localConcurrency} at once)`,
          value: localPerMinute,
          unit: '/min',
          note: `${o.jobs} training-stage evaluations in ${(localRun.ms / 1000).toFixed(1)} s`,
        },
        ...perWorkers.map((p) => ({
          id: `queue.perMinute${p.workers}`,
          label: `evaluations/min, ${p.workers} queue worker${p.workers > 1 ? 's' : ''}`,
          value: p.perMinute,
          unit: '/min',
          note: `${o.jobs} jobs in ${(p.ms / 1000).toFixed(1)} s; ${Math.round(p.meanRunMs)} ms per job on a worker, ${Math.round(p.meanWaitMs)} ms mean wait`,
        })),
        ...[2, 4, 8, 16].map((m) => ({
          id: `queue.projection${m}`,
          label: `projected evaluations/min, ${m} machines like this one`,
          value: project(m),
          unit: '/min',
          note: `${m} x ${best.perMinute.toFixed(1)}/min (${best.workers} workers here, ${Math.round(perJobMs)} ms per job)`,
        })),
      ],
      detail: {
        workload: { clip: 'media/clips/talking_heads_160x96_9f.y4m', seed: 'hybrid', stage: 'training', references: cfg.references, ...o },
        overhead,
        localRun: { ms: localRun.ms, concurrency: localConcurrency },
        perWorkers,
      },
    };
  } finally {
    await stopWorkers(workers);
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
