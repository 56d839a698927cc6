// Fail fast: a candidate's per-process time limit on a clip is a multiple of what its parent took on
// the same clip and stage, so an endless loop (a common model mistake) costs seconds, not the full
// sandbox limit. The floor covers a child's start-up on a loaded machine; the configured limit caps it.
import type { CandidateRecord, ClipScore } from '../store/records';
import type { StageRequest } from './evaluator';

export const FAIL_FAST_FLOOR_MS = 5000;
const FAIL_FAST_FACTOR = 8;

function scoresOf(parent: CandidateRecord | undefined, stage: StageRequest['stage']): ClipScore[] | undefined {
  const m = parent?.metrics;
  if (!m) return undefined;
  return stage === 'smoke' ? m.smoke : stage === 'training' ? m.training : m.heldOut;
}

/**
 * max(5 s, 8 × the parent's slowest encode or decode on `clip` in `stage`), capped by `capMs`; the
 * cap alone when the parent has no measurement there (the root, an older record, a new clip).
 */
export function failFastLimitMs(parent: CandidateRecord | undefined, stage: StageRequest['stage'], clip: string, capMs: number): number {
  const score = scoresOf(parent, stage)?.find((c) => c.clip === clip);
  const times = score?.points.flatMap((p) => [p.encodeMs, p.decodeMs]).filter((t) => Number.isFinite(t) && t >= 0) ?? [];
  if (!times.length) return capMs;
  return Math.min(capMs, Math.max(FAIL_FAST_FLOOR_MS, Math.ceil(FAIL_FAST_FACTOR * Math.max(...times))));
}
