// What the engine needs from the sandbox: run one candidate on some clips and return per-clip scores,
// or a classified failure. cascade.ts adapts the sandbox's evaluateCandidate to this shape.
import type { CandidateFailure, ClipScore } from '../store/records';

export interface ClipSpec { path: string; frames?: number }

export interface StageRequest {
  stage: 'smoke' | 'training' | 'held-out';
  clips: ClipSpec[];
  references: string[];
  qualities?: number[];
  signal?: AbortSignal;
  /** The source's file name (.ts is compiled first); default codec.js. */
  filename?: string;
}

export type StageResult =
  | { ok: true; clips: ClipScore[] }
  | { ok: false; failure: CandidateFailure };

export type Evaluator = (source: string, req: StageRequest) => Promise<StageResult>;
