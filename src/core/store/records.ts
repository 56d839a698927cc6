// The records the workspace keeps: one per candidate and one per adopted version.

/** proposed → invalid | failed | evaluated → pending-review → adopted | rejected (DESIGN, issue 5). */
export type CandidateState = 'proposed' | 'invalid' | 'failed' | 'evaluated' | 'pending-review' | 'adopted' | 'rejected';

export const TERMINAL_STATES: CandidateState[] = ['invalid', 'failed', 'evaluated', 'pending-review', 'adopted', 'rejected'];

export interface TokenUsage { input: number; output: number }

import type { CandidateFailure } from '../sandbox/failures';

export type { CandidateFailure };

export interface ClipScore {
  clip: string;
  /** BD-rate in percent against each reference run (negative = fewer bits than the reference). */
  bdRate: Partial<Record<string, number>>;
  points: Array<{ quality?: number; bytes: number; kbps: number; psnrY: number; psnrYuv?: number; ssimY?: number; encodeMs: number; decodeMs: number }>;
  /** The reference encoders' RD points on the same frames, when the evaluation returned them. */
  references?: Record<string, Array<{ kbps: number; psnrY: number; setting?: string }>>;
}

export interface CandidateMetrics {
  /** Mean BD-rate against the primary reference over the training clips. */
  trainingBdRate?: number;
  heldOutBdRate?: number;
  training: ClipScore[];
  heldOut?: ClipScore[];
  smokeOk: boolean;
  /** Total milliseconds of encode / decode over the training clips: the Pareto front's other axes. */
  encodeMs: number;
  decodeMs: number;
  evaluationMs: number;
}

export interface CandidateRecord {
  schemaVersion?: number;
  id: string;
  generation: number;
  slot: number;
  island: number;
  parentId: string | null;
  /** Other programs shown to the model (or crossed over by the offline mutator). */
  inspirationIds: string[];
  state: CandidateState;
  createdAt: string;
  updatedAt: string;
  provider: string;
  model?: string;
  strategy: string;
  /** The person's directives (store/directives.ts) active when this candidate was proposed: its prompt quoted them. */
  directiveIds?: string[];
  hypothesis: string;
  editKind?: 'search-replace' | 'replace-block' | 'mixed' | 'full-file' | 'none';
  codeHash?: string;
  tokens: TokenUsage;
  costUsd: number;
  repairRounds: number;
  failure?: CandidateFailure;
  metrics?: CandidateMetrics;
  /** The parent's training BD-rate when this candidate was judged. */
  parentBdRate?: number;
  /** Adoption verdict by the policy: 'improved' sends it to review (or adopts under auto). */
  verdict?: { improved: boolean; reason: string };
  review?: { decision: 'adopted' | 'rejected'; reason?: string; by: 'person' | 'auto'; time: string };
  version?: number;
}

export interface VersionRecord {
  schemaVersion?: number;
  version: number;
  candidateId: string | null;
  time: string;
  trainingBdRate?: number;
  heldOutBdRate?: number;
  parentVersion: number | null;
  message: string;
  gitCommit?: string;
}
