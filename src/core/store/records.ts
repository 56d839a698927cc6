// The records the workspace keeps: one per candidate and one per adopted version.
import { readRdPoint, type RdPoint } from '../metrics/rd';
import type { BdRateTable, MetricId } from '../metrics/registry';

/** proposed → invalid | failed | evaluated → pending-review → adopted | rejected (DESIGN, issue 5). */
export type CandidateState = 'proposed' | 'invalid' | 'failed' | 'evaluated' | 'pending-review' | 'adopted' | 'rejected';

export const TERMINAL_STATES: CandidateState[] = ['invalid', 'failed', 'evaluated', 'pending-review', 'adopted', 'rejected'];

/** `input` counts every input token; `cacheWrite` and `cacheRead` (added in schemaVersion 1 as optional
 * fields: records written before them read as 0) are the parts written to and read from a prompt cache. */
interface TokenUsage {
  input: number;
  output: number;
  cacheWrite?: number;
  cacheRead?: number;
}

import type { CandidateFailure } from '../sandbox/failures';
import { arr, num, obj, str, type Shape } from './schema';

export type { CandidateFailure };

export interface ClipScore {
  clip: string;
  /** BD-rate in percent per metric, then per reference run: `bdRate.psnrYuv.x264` (negative = fewer
   * bits than the reference at equal quality on that metric). */
  bdRate: BdRateTable;
  points: RdPoint[];
  /** The reference encoders' RD points on the same frames, when the evaluation returned them. */
  references?: Record<string, RdPoint[]>;
}

export interface CandidateMetrics {
  /** The metric trainingBdRate / heldOutBdRate are the BD-rate of; absent in records written before
   * the objective was configurable, which scored PSNR-Y. */
  objective?: MetricId;
  /** Mean BD-rate of the objective against the primary reference over the training clips. */
  trainingBdRate?: number;
  heldOutBdRate?: number;
  /** Mean over the training (held-out) clips, every metric against every reference. */
  trainingBdRates?: BdRateTable;
  heldOutBdRates?: BdRateTable;
  training: ClipScore[];
  heldOut?: ClipScore[];
  smokeOk: boolean;
  /** The smoke stage's point(s): its children's times set the next generation's fail-fast limits. */
  smoke?: ClipScore[];
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
  /** The EVOLVE-BLOCK the prompt asked the model to work on. */
  focusBlock?: string;
  /** The blocks the applied edit changed (by name, compared with the parent). */
  changedBlocks?: string[];
  /** The prompt's size (estimated tokens at 3.5 chars each) and what the token budget left out. */
  prompt?: {
    estimatedTokens: number;
    parentTokens: number;
    inspirationsShown: number;
    inspirationsDropped?: string[];
    failureDetailsDropped?: boolean;
  };
  codeHash?: string;
  tokens: TokenUsage;
  costUsd: number;
  repairRounds: number;
  failure?: CandidateFailure;
  metrics?: CandidateMetrics;
  /** The parent's training BD-rate when this candidate was judged. */
  parentBdRate?: number;
  /** Adoption verdict by the policy: 'improved' sends it to review (or adopts under auto). */
  verdict?: Verdict;
  review?: { decision: 'adopted' | 'rejected'; reason?: string; by: 'person' | 'auto'; time: string };
  version?: number;
  /** Which queue worker ran the training stage (or the last stage it reached); absent when local. */
  worker?: { host: string; id: string };
  /** Milliseconds its jobs waited in the queue for a worker, over all stages. */
  queueWaitMs?: number;
  /** The per-process time limit each stage used on each clip (fail fast), in ms. */
  timeLimitsMs?: Partial<Record<'smoke' | 'training' | 'held-out', Record<string, number>>>;
}

/** One guard's check: the candidate's mean training BD-rate on the metric against the adopted version's. */
export interface GuardCheck {
  metric: MetricId;
  candidate?: number;
  incumbent?: number;
  /** candidate − incumbent in BD-rate percentage points (positive = worse). */
  change?: number;
  tolerancePercent: number;
  ok: boolean;
}

export interface Verdict {
  improved: boolean;
  reason: string;
  /** The metric whose BD-rate was the objective. */
  objective?: MetricId;
  guards?: GuardCheck[];
  /** What kept it out of the queue: the objective's gain, a guard (its metric), the held-out clips
   * or the parent. */
  stoppedBy?: 'objective' | 'held-out' | 'parent' | 'no-score' | { guard: MetricId };
}

export interface VersionRecord {
  schemaVersion?: number;
  version: number;
  candidateId: string | null;
  time: string;
  /** The objective's BD-rate (see objective; absent = PSNR-Y, before it was configurable). */
  objective?: MetricId;
  trainingBdRate?: number;
  heldOutBdRate?: number;
  parentVersion: number | null;
  message: string;
  gitCommit?: string;
}

/** A clip score as stored by any version: before the metric registry, bdRate was keyed by
 * reference alone (PSNR-Y) and points held flat psnrY/psnrYuv/ssimY. Both shapes are read. */
function readClipScore(raw: ClipScore): ClipScore {
  const r = raw as unknown as {
    clip: string;
    bdRate?: Record<string, unknown>;
    points?: unknown[];
    references?: Record<string, unknown[]>;
  };
  const bd = r.bdRate ?? {};
  const flat = Object.values(bd).some((v) => typeof v === 'number' || v === null);
  const bdRate = (flat ? { psnrY: Object.fromEntries(Object.entries(bd).filter(([, v]) => typeof v === 'number')) } : bd) as BdRateTable;
  const out: ClipScore = { clip: r.clip, bdRate, points: (r.points ?? []).map(readRdPoint) };
  if (r.references) out.references = Object.fromEntries(Object.entries(r.references).map(([k, pts]) => [k, (pts ?? []).map(readRdPoint)]));
  return out;
}

/** A candidate record as stored by any version (see readClipScore). */
export function readCandidateRecord(raw: CandidateRecord): CandidateRecord {
  const m = raw.metrics;
  if (!m) return raw;
  return {
    ...raw,
    metrics: {
      ...m,
      objective: m.objective ?? 'psnrY',
      training: (m.training ?? []).map(readClipScore),
      ...(m.heldOut ? { heldOut: m.heldOut.map(readClipScore) } : {}),
    },
  };
}

export const CORRUPT_RECORD_REMEDY =
  'restore the file from git, or delete the folder and run codec-evolve doctor --workspace (the event log rebuilds what it can)';

const STATES: CandidateState[] = ['proposed', ...TERMINAL_STATES];

/** The fields of candidate.json that readers rely on (see checkShape). */
export const CANDIDATE_SHAPE: Shape = obj({
  id: str(),
  generation: num({ int: true, min: 0 }),
  slot: num({ int: true, min: 0 }),
  island: num({ int: true, min: 0 }),
  parentId: str({ nullable: true }),
  inspirationIds: arr(str()),
  state: str({ oneOf: STATES }),
  createdAt: str(),
  updatedAt: str(),
  provider: str(),
  strategy: str(),
  hypothesis: str(),
  tokens: obj({ input: num({ min: 0 }), output: num({ min: 0 }) }),
  costUsd: num({ min: 0 }),
  repairRounds: num({ int: true, min: 0 }),
  failure: obj({ class: str(), message: str() }, { optional: true }),
  metrics: obj({ training: arr(obj({ clip: str() }), { optional: true }), trainingBdRate: num({ optional: true }) }, { optional: true }),
  version: num({ int: true, min: 1, optional: true }),
});

/** The fields of version.json that readers rely on. */
export const VERSION_SHAPE: Shape = obj({
  version: num({ int: true, min: 1 }),
  candidateId: str({ nullable: true }),
  time: str(),
  parentVersion: num({ int: true, min: 1, nullable: true }),
  message: str(),
  trainingBdRate: num({ optional: true }),
});
