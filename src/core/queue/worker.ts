// The worker's side of the queue (`codec-evolve worker`): takes evaluation jobs from BullMQ and runs
// them with the same sandbox and harness as the local pool. It trusts nothing in a job: the code is
// validated again before anything runs, and each clip is checked against its content hash. Clips are
// cached on disk by hash; reference results are shared through Redis under the disk cache's keys. A
// worker killed mid-job loses its lock, and BullMQ's stalled-job check gives the job to another one.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Video } from '../codec/contract';
import { defaultCacheDir, type SharedReferenceCache } from '../baseline/reference';
import { errorMessage } from '../errors';
import { runStage } from '../evolution/cascade';
import type { StageResult } from '../evolution/evaluator';
import { sandboxLevel } from '../sandbox/runner';
import { prepareCandidate } from '../sandbox/validator';
import { videoHash } from '../video/hash';
import { parseY4M } from '../video/y4m';
import { parseQueueUrl, redactSecret, redisOptions, type QueueAddress } from './address';
import { connectRedis } from './dispatcher';
import { tempPathFor } from '../store/atomic';
import {
  JOB_SCHEMA_VERSION,
  KEY_PREFIX,
  QUEUE_NAME,
  checkJob,
  clipKey,
  referenceKey,
  workerKey,
  type JobOutcome,
  type WorkerBeat,
  type WorkerIdentity,
} from './job';

export interface QueueWorkerOptions {
  url: string;
  /** Jobs at once (each runs its encode and decode children). */
  concurrency: number;
  /** Base of the on-disk caches (clips/ and baseline/); default ~/.cache/codec-evolution. */
  cacheDir?: string;
  ffmpegPath?: string;
  /** How long a job's lock lives without renewal: how soon a killed worker's job goes to another. */
  lockMs?: number;
  log: (line: string) => void;
}

const BEAT_MS = 3000;
const MEMORY_CLIPS = 8;

export class QueueWorker {
  readonly identity: WorkerIdentity;
  private readonly videos = new Map<string, Promise<Video>>();
  private readonly abort = new AbortController();
  private beatTimer?: NodeJS.Timeout;
  private busy = 0;
  private done = 0;
  private readonly startedAt = new Date().toISOString();
  private readonly baselineDir: string;
  private readonly clipDir: string;
  private worker!: Worker;

  private constructor(
    readonly address: QueueAddress,
    private readonly client: Redis,
    private readonly opts: QueueWorkerOptions,
  ) {
    this.identity = { host: hostname(), id: `${process.pid}-${randomBytes(2).toString('hex')}` };
    const base = opts.cacheDir ?? dirname(defaultCacheDir());
    this.baselineDir = join(base, 'baseline');
    this.clipDir = join(base, 'clips');
  }

  get name(): string {
    return `${this.identity.host}/${this.identity.id}`;
  }

  static async start(opts: QueueWorkerOptions): Promise<QueueWorker> {
    const a = parseQueueUrl(opts.url);
    const client = await connectRedis(a, `codec-evolution-worker:${hostname()}`);
    const w = new QueueWorker(a, client, opts);
    await w.run();
    return w;
  }

  private async run(): Promise<void> {
    const level = await sandboxLevel();
    this.opts.log(`worker ${this.name}: sandbox ${level.summary}`);
    if (level.missing.length) this.opts.log(`worker ${this.name}: sandbox layers missing here: ${level.missing.join('; ')}`);
    const lockDuration = this.opts.lockMs ?? 30_000;
    this.worker = new Worker(QUEUE_NAME, (job) => this.process(job), {
      connection: redisOptions(this.address, `codec-evolution-worker:${this.name}`) as ConnectionOptions,
      prefix: KEY_PREFIX,
      concurrency: this.opts.concurrency,
      lockDuration,
      // Other workers look for jobs whose lock expired (their worker died) this often.
      stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
      maxStalledCount: 2,
    });
    let down = false;
    this.worker.on('error', (e) => {
      if (down) return;
      down = true;
      this.opts.log(
        `worker ${this.name}: queue at ${this.address.display} unreachable (${redactSecret(errorMessage(e), this.address)}); waiting for it`,
      );
    });
    this.client.on('ready', () => {
      if (down) {
        down = false;
        this.opts.log(`worker ${this.name}: queue reachable again`);
        void this.beat();
      }
    });
    this.client.on('error', () => {});
    await this.worker.waitUntilReady();
    await this.beat();
    this.beatTimer = setInterval(() => void this.beat(), BEAT_MS);
    this.opts.log(`worker ${this.name}: connected to ${this.address.display}, ${this.opts.concurrency} job(s) at once`);
  }

  /** Announces this worker for a few seconds; a killed worker disappears from the list by itself. */
  private async beat(): Promise<void> {
    const b: WorkerBeat = {
      schemaVersion: JOB_SCHEMA_VERSION,
      ...this.identity,
      concurrency: this.opts.concurrency,
      busy: this.busy,
      done: this.done,
      startedAt: this.startedAt,
    };
    try {
      await this.client.set(workerKey(this.name), JSON.stringify(b), 'PX', BEAT_MS * 3);
    } catch {
      /* Redis down: the error handler said so */
    }
  }

  private async process(job: Job): Promise<JobOutcome> {
    const startedAt = Date.now();
    const data = checkJob(job.data);
    this.busy++;
    void this.beat();
    this.opts.log(`job ${job.id} started: ${data.candidateId} ${data.stage} (attempt ${job.attemptsStarted ?? job.attemptsMade + 1})`);
    try {
      let result: StageResult;
      // Validated again here, before anything of it runs: the job may come from anywhere that reaches Redis.
      const prepared = prepareCandidate(data.code, data.filename, { maxLiteralBytes: data.limits?.maxLiteralBytes });
      if (!prepared.candidate) {
        const d = prepared.diagnostics[0];
        result = { ok: false, failure: { class: d.class, message: d.message, line: d.line, column: d.column } };
      } else {
        const clips = [];
        for (const c of data.clips)
          clips.push({ video: await this.video(c.hash), name: c.name, ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}) });
        result = await runStage(data.code, data.stage, clips, {
          references: data.references,
          qualities: data.qualities,
          limits: data.limits,
          ffmpeg: this.opts.ffmpegPath,
          cacheDir: this.baselineDir,
          signal: this.abort.signal,
          filename: data.filename,
          sharedReferences: this.sharedReferences,
        });
      }
      if (this.abort.signal.aborted) throw new Error(`worker ${this.name} stopped during the job`);
      const finishedAt = Date.now();
      this.opts.log(
        `job ${job.id} finished in ${finishedAt - startedAt} ms: ${result.ok ? 'ok' : `${result.failure.class}: ${result.failure.message.split('\n')[0].slice(0, 120)}`}`,
      );
      this.done++;
      return { schemaVersion: JOB_SCHEMA_VERSION, result, worker: this.identity, startedAt, finishedAt };
    } catch (e) {
      this.opts.log(`job ${job.id} failed on this worker: ${redactSecret(errorMessage(e), this.address)}`);
      throw e;
    } finally {
      this.busy--;
      void this.beat();
    }
  }

  private readonly sharedReferences: SharedReferenceCache = {
    get: async (name) => (await this.client.hget(referenceKey, name).catch(() => null)) ?? undefined,
    set: async (name, record) => {
      await this.client.hset(referenceKey, name, record).catch(() => undefined);
    },
  };

  /** A clip by content hash: from memory, the disk cache or Redis, always checked against the hash. */
  private video(hash: string): Promise<Video> {
    let p = this.videos.get(hash);
    if (!p) {
      p = this.fetchVideo(hash);
      this.videos.set(hash, p);
      p.catch(() => this.videos.delete(hash));
      while (this.videos.size > MEMORY_CLIPS) this.videos.delete(this.videos.keys().next().value!);
    }
    return p;
  }

  private async fetchVideo(hash: string): Promise<Video> {
    const file = join(this.clipDir, `${hash}.y4m`);
    const cached = await readFile(file).catch(() => undefined);
    if (cached) {
      const v = parseY4M(cached, hash);
      if (videoHash(v) === hash) return v;
      await rm(file, { force: true }); // damaged on disk: fetch it again
    }
    const buf = await this.client.getBuffer(clipKey(hash));
    if (!buf)
      throw new Error(
        `clip ${hash.slice(0, 12)}… is not in the queue's Redis (flushed?) — the engine uploads it again when it re-enqueues the job`,
      );
    const v = parseY4M(buf, hash);
    if (videoHash(v) !== hash) throw new Error(`clip ${hash.slice(0, 12)}… from Redis does not match its hash — refusing it`);
    await mkdir(this.clipDir, { recursive: true });
    const tmp = tempPathFor(file);
    await writeFile(tmp, buf);
    await rename(tmp, file);
    return v;
  }

  /** Stops taking jobs; running ones are cut short and BullMQ gives them to another worker. */
  async close(): Promise<void> {
    if (this.beatTimer) clearInterval(this.beatTimer);
    this.abort.abort();
    await this.worker?.close().catch(() => undefined);
    await this.client.del(workerKey(this.name)).catch(() => undefined);
    this.client.disconnect();
  }
}
