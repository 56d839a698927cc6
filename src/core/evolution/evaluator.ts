// What the engine needs from the sandbox: run one candidate on some clips and return per-clip scores,
// or a classified failure. cascade.ts adapts the sandbox's evaluateCandidate to this shape.
import type { CandidateFailure, ClipScore } from '../store/records';

export interface ClipSpec {
  path: string;
  frames?: number;
  /** Per-process time limit on this clip (fail fast: see time-limit.ts); default the sandbox's. */
  timeoutMs?: number;
}

export interface StageRequest {
  stage: 'smoke' | 'training' | 'held-out';
  /** The candidate being evaluated: a queue names its jobs by it (one result per candidate and stage). */
  candidateId?: string;
  clips: ClipSpec[];
  references: string[];
  qualities?: number[];
  signal?: AbortSignal;
  /** The source's file name (.ts is compiled first); default codec.js. */
  filename?: string;
}

/** Where a stage ran when it went through a queue: the worker, and how long the job waited for it. */
interface StageVia {
  worker: { host: string; id: string };
  queueWaitMs: number;
  /** The job's time on the worker (take → result): the rest of the stage's wall time is the queue's. */
  runMs: number;
}

export type StageResult = { ok: true; clips: ClipScore[]; via?: StageVia } | { ok: false; failure: CandidateFailure; via?: StageVia };

export type Evaluator = (source: string, req: StageRequest) => Promise<StageResult>;
