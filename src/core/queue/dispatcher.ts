// The engine's side of the queue: an Evaluator that sends each cascade stage as a BullMQ job and waits
// for its result. Clips go to Redis once, by content hash; the job id is the candidate, the stage and
// a digest of the request, so a result is recorded once and a restarted engine adopts the results of
// jobs it had in flight (or re-enqueues them). While Redis is unreachable the loop waits, with a
// warning, instead of failing candidates: nothing is lost.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { hostname } from 'node:os';
import { Job, Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { CancelledError, EnvironmentError, InputError, errorMessage } from '../errors';
import type { Evaluator, StageRequest, StageResult } from '../evolution/evaluator';
import type { WorkspaceConfig } from '../store/config';
import type { EngineEventListener } from '../events';
import type { Video } from '../codec/contract';
import { videoHash } from '../video/hash';
import { readVideo } from '../video/read';
import { encodeY4M } from '../video/y4m';
import { parseQueueUrl, redactSecret, redisOptions, type QueueAddress } from './address';
import {
  JOB_SCHEMA_VERSION,
  KEY_PREFIX,
  MAX_CLIP_BYTES,
  QUEUE_NAME,
  clipKey,
  jobIdFor,
  workerKey,
  workspaceTag,
  type EvaluationJob,
  type JobClip,
  type JobOutcome,
  type QueueStatus,
  type WorkerBeat,
} from './job';

export interface DispatcherOptions {
  config: WorkspaceConfig;
  /** The workspace's root: its jobs are named apart from other workspaces' on the same Redis. */
  root: string;
  signal?: AbortSignal;
  onEvent?: EngineEventListener;
  /** How often a waiting stage re-reads its job's state (besides the completion events). */
  pollMs?: number;
  /** How often a `queue` event (workers, depth) is emitted while stages are in flight. */
  statusMs?: number;
  /** Re-enqueues of a job that failed on the workers (e.g. stalled twice) before the run gives up. */
  maxRequeues?: number;
}

/** What an engine restarted mid-run, or BullMQ itself, may leave to retry: worker faults, not candidate faults. */
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'fixed' as const, delay: 500 },
  // Kept a week, so an engine that was down for a while still finds (adopts) its results.
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const VANISHED = 'the job is no longer in the queue';

interface ClipEntry {
  stamp: string;
  clip: Promise<Omit<JobClip, 'timeoutMs'>>;
}

export async function connectRedis(a: QueueAddress, name: string, timeoutMs = 10_000): Promise<Redis> {
  const client = new Redis({ ...redisOptions(a, name), lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {}); // reported by the rejection below
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref()),
    ]);
    await client.ping();
  } catch (e) {
    client.disconnect();
    throw new EnvironmentError(
      `cannot reach the queue at ${a.display}: ${redactSecret(errorMessage(e), a)}`,
      'start Redis there (redis-server), check the address, port and password, and that this machine may connect to it (see the README, "Workers on other machines")',
    );
  }
  client.disconnect();
  // The long-lived client reconnects for ever: a Redis restart pauses the loop instead of ending it.
  return new Redis(redisOptions(a, name));
}

export class QueueDispatcher {
  private readonly clips = new Map<string, ClipEntry>();
  private readonly uploads = new Map<string, Promise<void>>();
  private readonly sources = new Map<string, { path: string; frames?: number }>();
  private downSince?: number;
  private statusTimer?: NodeJS.Timeout;
  private inFlight = 0;
  private closed = false;

  private constructor(
    readonly address: QueueAddress,
    private readonly client: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly opts: DispatcherOptions,
  ) {
    const down = (e: unknown) => {
      if (this.downSince !== undefined || this.closed) return;
      this.downSince = Date.now();
      this.opts.onEvent?.('warning', {
        message: `the queue at ${address.display} is unreachable (${redactSecret(errorMessage(e), address)}); the loop waits for it — nothing is lost`,
      });
      this.opts.onEvent?.('queue', { url: address.display, connected: false, workers: [], waiting: 0, active: 0 });
    };
    client.on('error', down);
    client.on('close', () => down(new Error('connection closed')));
    client.on('ready', () => {
      if (this.downSince === undefined) return;
      this.opts.onEvent?.('warning', {
        message: `the queue at ${address.display} is reachable again after ${Math.round((Date.now() - this.downSince) / 1000)} s`,
      });
      this.downSince = undefined;
      void this.emitSnapshot();
    });
    // BullMQ's own connections report the same outage; the client above speaks for all of them.
    queue.on('error', () => {});
    events.on('error', () => {});
  }

  static async connect(url: string, opts: DispatcherOptions): Promise<QueueDispatcher> {
    const a = parseQueueUrl(url);
    const client = await connectRedis(a, `codec-evolution-engine:${hostname()}`);
    const connection = redisOptions(a, `codec-evolution-engine:${hostname()}`) as ConnectionOptions;
    const queue = new Queue(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
    const events = new QueueEvents(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new QueueDispatcher(a, client, queue, events, opts);
  }

  readonly evaluate: Evaluator = async (source, req) => {
    this.inFlight++;
    if (this.inFlight === 1) this.startStatus();
    try {
      return await this.run(source, req);
    } finally {
      if (--this.inFlight === 0) this.stopStatus();
    }
  };

  private async run(source: string, req: StageRequest): Promise<StageResult> {
    const signal = req.signal ?? this.opts.signal;
    const clips: JobClip[] = [];
    for (const c of req.clips)
      clips.push({ ...(await this.clip(c.path, c.frames, signal)), ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) });
    const cfg = this.opts.config;
    const job: EvaluationJob = {
      schemaVersion: JOB_SCHEMA_VERSION,
      candidateId: req.candidateId ?? `adhoc-${Date.now().toString(36)}`,
      stage: req.stage,
      code: source,
      filename: req.filename ?? 'codec.js',
      clips,
      references: req.references,
      ...(req.qualities ? { qualities: req.qualities } : {}),
      determinism: req.stage === 'smoke' ? 'first' : 'off',
      limits: cfg.limits ?? {},
    };
    const id = jobIdFor(workspaceTag(hostname(), this.opts.root), job);
    // Checked per job (one EXISTS per clip): Redis may have lost its data since the upload.
    for (const c of clips) await this.upload(c.hash, undefined, true);
    // An existing id (an engine restarted mid-run) is not added again: BullMQ keeps the first job,
    // whose result — arrived meanwhile or still to come — is adopted below.
    await this.queue.add(QUEUE_NAME, job, { ...JOB_OPTIONS, jobId: id });
    const outcome = await this.wait(id, job, signal);
    return {
      ...outcome.result,
      via: {
        worker: outcome.worker,
        queueWaitMs: Math.max(0, outcome.startedAt - outcome.queuedAt),
        runMs: outcome.finishedAt - outcome.startedAt,
      },
    };
  }

  /** Waits for job `id` by its completion event or, should one be missed (Redis restarted), by polling. */
  private async wait(id: string, data: EvaluationJob, signal?: AbortSignal): Promise<JobOutcome & { queuedAt: number }> {
    let requeues = 0;
    for (;;) {
      const settled = await new Promise<{ ok: true; value: unknown } | { ok: false; reason: string }>((resolve, reject) => {
        let done = false;
        const finish = (v: { ok: true; value: unknown } | { ok: false; reason: string }) => {
          if (!done) {
            done = true;
            cleanup();
            resolve(v);
          }
        };
        const onCompleted = (a: { returnvalue: unknown }) => finish({ ok: true, value: a.returnvalue });
        const onFailed = (a: { failedReason: string }) => finish({ ok: false, reason: a.failedReason });
        const onAbort = () => {
          if (!done) {
            done = true;
            cleanup();
            reject(new CancelledError());
          }
        };
        const check = async () => {
          try {
            const job = await Job.fromId(this.queue, id);
            if (!job) {
              finish({ ok: false, reason: VANISHED });
              return;
            }
            const state = await job.getState();
            if (state === 'completed') finish({ ok: true, value: job.returnvalue });
            else if (state === 'failed') finish({ ok: false, reason: job.failedReason });
          } catch {
            /* Redis down: the next poll tries again */
          }
        };
        const timer = setInterval(() => void check(), this.opts.pollMs ?? 2000);
        const cleanup = () => {
          clearInterval(timer);
          this.events.off(`completed:${id}` as never, onCompleted as never);
          this.events.off(`failed:${id}` as never, onFailed as never);
          signal?.removeEventListener('abort', onAbort);
        };
        this.events.on(`completed:${id}` as never, onCompleted as never);
        this.events.on(`failed:${id}` as never, onFailed as never);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted) onAbort();
        void check();
      });
      if (settled.ok) {
        const job = await Job.fromId(this.queue, id);
        const value = (typeof settled.value === 'string' ? JSON.parse(settled.value) : settled.value) as JobOutcome;
        if (!value || value.schemaVersion !== JOB_SCHEMA_VERSION || !value.result)
          throw new EnvironmentError(
            `job ${id} came back in a form this engine does not know`,
            'run the same codec-evolve version on the engine and the workers',
          );
        return { ...value, queuedAt: job?.timestamp ?? value.startedAt };
      }
      if (settled.reason === VANISHED) {
        // Redis lost its data (restarted without persistence, flushed): the job and maybe its clips are
        // gone. Put both back; the result is still recorded once, by this wait.
        this.opts.onEvent?.('warning', {
          message: `job ${id} vanished from the queue (Redis restarted without its data?); enqueued again`,
        });
        for (const c of data.clips) await this.upload(c.hash, undefined, true);
        await this.queue.add(QUEUE_NAME, data, { ...JOB_OPTIONS, jobId: id });
        continue;
      }
      // A worker-side fault (no ffmpeg there, a worker killed twice mid-job): another try elsewhere,
      // then a clear error. A candidate's own failure is a completed job, never this.
      if (requeues++ >= (this.opts.maxRequeues ?? 2)) {
        throw new EnvironmentError(
          `the workers could not evaluate job ${id}: ${settled.reason}`,
          "look at the workers' output (codec-evolve worker prints each job) and run codec-evolve doctor on their machines",
        );
      }
      this.opts.onEvent?.('warning', { message: `job ${id} failed on the workers (${settled.reason}); enqueued again` });
      for (const c of data.clips) await this.upload(c.hash, undefined, true);
      await (await Job.fromId(this.queue, id))?.retry('failed');
    }
  }

  /** A clip's content hash, its frames uploaded once (by hash) for every worker. */
  private async clip(path: string, frames: number | undefined, signal?: AbortSignal): Promise<Omit<JobClip, 'timeoutMs'>> {
    const st = await stat(path).catch(() => {
      throw new InputError(`clip ${path} is missing`, "check the workspace configuration's clips");
    });
    const key = `${path}\n${frames ?? ''}`;
    const stamp = `${st.size}:${st.mtimeMs}`;
    let e = this.clips.get(key);
    if (!e || e.stamp !== stamp) {
      e = { stamp, clip: this.hashAndUpload(path, frames, signal) };
      this.clips.set(key, e);
      e.clip.catch(() => this.clips.delete(key));
    }
    return e.clip;
  }

  private async hashAndUpload(path: string, frames: number | undefined, signal?: AbortSignal): Promise<Omit<JobClip, 'timeoutMs'>> {
    const video = await readVideo(path, { ffmpegPath: this.opts.config.ffmpegPath, maxFrames: frames, signal });
    const hash = videoHash(video);
    this.sources.set(hash, { path, frames });
    await this.upload(hash, video);
    return { hash, name: basename(path).replace(/\.[^.]+$/, ''), frames: video.frames.length };
  }

  /** Puts a clip's frames in Redis unless they are there; `video` is read again from its file when not given. */
  private upload(hash: string, video?: Video, force = false): Promise<void> {
    let up = force ? undefined : this.uploads.get(hash);
    if (!up) {
      up = (async () => {
        if (await this.client.exists(clipKey(hash))) return;
        const src = this.sources.get(hash);
        const v =
          video ?? (src ? await readVideo(src.path, { ffmpegPath: this.opts.config.ffmpegPath, maxFrames: src.frames }) : undefined);
        if (!v)
          throw new EnvironmentError(
            `clip ${hash.slice(0, 12)}… is gone from the queue and this engine does not know its file`,
            'run evolve again',
          );
        const y4m = encodeY4M(v);
        if (y4m.length > MAX_CLIP_BYTES)
          throw new InputError(
            `a clip is ${Math.round(y4m.length / 2 ** 20)} MiB of frames, more than a queue job carries (${MAX_CLIP_BYTES / 2 ** 20} MiB)`,
            "evaluate fewer frames of it (frames in the clip's configuration)",
          );
        await this.client.set(clipKey(hash), y4m);
      })();
      this.uploads.set(hash, up);
      up.catch(() => this.uploads.delete(hash));
    }
    return up;
  }

  /** Workers that announced themselves within the last seconds, and the queue's depth. */
  async snapshot(): Promise<QueueStatus> {
    const base = { url: this.address.display, connected: this.downSince === undefined };
    if (!base.connected) return { ...base, workers: [], waiting: 0, active: 0 };
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await this.client.scan(cursor, 'MATCH', workerKey('*'), 'COUNT', 200);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      const beats = keys.length
        ? (await this.client.mget(...keys)).flatMap((v) => {
            try {
              return v ? [JSON.parse(v) as WorkerBeat] : [];
            } catch {
              return [];
            }
          })
        : [];
      const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      return {
        ...base,
        workers: beats
          .map((b) => ({ host: b.host, id: b.id, concurrency: b.concurrency, busy: b.busy }))
          .sort((a, b) => `${a.host}/${a.id}`.localeCompare(`${b.host}/${b.id}`)),
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        active: counts.active ?? 0,
      };
    } catch {
      return { ...base, connected: false, workers: [], waiting: 0, active: 0 };
    }
  }

  private noWorkersWarned = false;
  private async emitSnapshot(): Promise<void> {
    const s = await this.snapshot();
    this.opts.onEvent?.('queue', { ...s });
    if (s.connected && s.workers.length === 0 && s.waiting > 0 && !this.noWorkersWarned) {
      this.noWorkersWarned = true;
      this.opts.onEvent?.('warning', {
        message: `no worker is connected to ${s.url}; jobs wait until one is — start one with: codec-evolve worker --queue ${s.url}`,
      });
    }
    if (s.workers.length) this.noWorkersWarned = false;
  }

  private startStatus(): void {
    if (this.statusTimer) return;
    void this.emitSnapshot();
    this.statusTimer = setInterval(() => void this.emitSnapshot(), this.opts.statusMs ?? 3000);
  }

  private stopStatus(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    if (!this.closed) void this.emitSnapshot();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopStatus();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.client.disconnect();
  }
}
