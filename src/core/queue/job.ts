// One evaluation job as it travels through the queue: everything a worker on another machine needs
// (the candidate's code, clips by content hash, qualities, references, limits) and what it sends back.
// Both sides import this file; a worker refuses a job whose schemaVersion it does not know.
import { createHash } from 'node:crypto';
import type { StageRequest, StageResult } from '../evolution/evaluator';
import type { WorkspaceConfig } from '../store/config';

export const JOB_SCHEMA_VERSION = 1;
/** BullMQ queue name and key prefix: every key this project writes in Redis starts with `codec-evolution:`. */
export const QUEUE_NAME = 'evaluate';
export const KEY_PREFIX = 'codec-evolution';
export const clipKey = (hash: string): string => `${KEY_PREFIX}:clip:${hash}`;
export const workerKey = (name: string): string => `${KEY_PREFIX}:worker:${name}`;
export const referenceKey = `${KEY_PREFIX}:reference`;
/** Largest clip (Y4M bytes) sent through Redis, whose strings stop at 512 MiB. */
export const MAX_CLIP_BYTES = 256 * 1024 * 1024;

export interface JobClip {
  /** videoHash of the decoded frames (the reference cache's key), verified by the worker. */
  hash: string;
  /** The name results are reported under: the file name without its extension, as locally. */
  name: string;
  frames: number;
  /** Per-process time limit on this clip (fail fast), when the engine computed one. */
  timeoutMs?: number;
}

export interface EvaluationJob {
  schemaVersion: number;
  candidateId: string;
  stage: StageRequest['stage'];
  code: string;
  filename: string;
  clips: JobClip[];
  references: string[];
  qualities?: number[];
  determinism: 'first' | 'off';
  /** The workspace's sandbox limits, as the local pool applies them. */
  limits: WorkspaceConfig['limits'];
}

export interface WorkerIdentity {
  host: string;
  id: string;
}

export interface JobOutcome {
  schemaVersion: number;
  result: StageResult;
  worker: WorkerIdentity;
  /** When the worker took the job and finished it (its clock). */
  startedAt: number;
  finishedAt: number;
}

/** What a worker announces in Redis every few seconds (expires when it stops doing so). */
export interface WorkerBeat extends WorkerIdentity {
  schemaVersion: number;
  concurrency: number;
  busy: number;
  done: number;
  startedAt: string;
}

/**
 * The job's id: the workspace, the candidate and stage (so a result is recorded once per candidate and stage) and a
 * digest of everything else, so an engine that restarts finds its in-flight jobs under the same ids
 * and a changed request (other qualities, another clip) is a new job.
 */
export function jobIdFor(workspace: string, job: EvaluationJob): string {
  const digest = createHash('sha256')
    .update(JSON.stringify({ ...job, candidateId: undefined, stage: undefined }))
    .digest('hex')
    .slice(0, 16);
  // BullMQ refuses ':' in custom ids; candidate ids are g0001-0 style.
  return `${workspace}.${job.candidateId.replace(/[^A-Za-z0-9_.-]/g, '_')}.${job.stage}.${digest}`;
}

/** A workspace's part of its job ids: two workspaces on one Redis have the same candidate ids (g0001-0). */
export function workspaceTag(host: string, root: string): string {
  return createHash('sha256').update(`${host}\n${root}`).digest('hex').slice(0, 8);
}

/** Checks a job read from Redis before anything of it is used (it may come from another version). */
export function checkJob(data: unknown): EvaluationJob {
  const j = data as Partial<EvaluationJob> | null;
  const bad = (what: string) => {
    throw new Error(`malformed job: ${what}`);
  };
  if (!j || typeof j !== 'object') bad('not an object');
  if (j!.schemaVersion !== JOB_SCHEMA_VERSION)
    bad(
      `schemaVersion ${String(j!.schemaVersion)}, this worker knows ${JOB_SCHEMA_VERSION} — run the same codec-evolve version on the engine and the workers`,
    );
  if (typeof j!.code !== 'string' || typeof j!.candidateId !== 'string') bad('no code or candidate id');
  if (!['smoke', 'training', 'held-out'].includes(String(j!.stage))) bad(`unknown stage ${String(j!.stage)}`);
  if (
    !Array.isArray(j!.clips) ||
    !j!.clips.every((c) => c && /^[0-9a-f]{64}$/.test(c.hash) && typeof c.name === 'string' && Number.isInteger(c.frames))
  )
    bad('clips');
  if (!Array.isArray(j!.references)) bad('references');
  return j as EvaluationJob;
}

/** What the engine reports about its queue (the sidebar's workers and depth). */
export interface QueueStatus {
  /** The queue's URL without its password. */
  url: string;
  connected: boolean;
  workers: Array<{ host: string; id: string; concurrency: number; busy: number }>;
  waiting: number;
  active: number;
}
