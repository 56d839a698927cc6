// Adoption decisions (pure). "Better" means: wins on the training clips by more than the noise margin
// and does not lose on the held-out clips. The policy says who acts on that: a person (review), the
// engine (auto), or nobody (off: candidates are only recorded).
import type { AdoptionPolicy } from '../store/config';
import type { CandidateState } from '../store/records';

export interface Scores { training?: number; heldOut?: number }

export interface Verdict { improved: boolean; reason: string }

/** Lower BD-rate is better; `margin` is in percentage points. */
export function judge(candidate: Scores, incumbent: Scores, margin: number): Verdict {
  if (candidate.training === undefined) return { improved: false, reason: 'no training score' };
  if (incumbent.training === undefined) return { improved: true, reason: 'nothing to compare against' };
  const gain = incumbent.training - candidate.training;
  if (gain <= margin) {
    return { improved: false, reason: `training BD-rate ${fmt(candidate.training)} vs ${fmt(incumbent.training)}: gain ${gain.toFixed(3)} pp is within the ${margin} pp noise margin` };
  }
  if (candidate.heldOut !== undefined && incumbent.heldOut !== undefined && candidate.heldOut > incumbent.heldOut + margin) {
    return { improved: false, reason: `training gain ${gain.toFixed(3)} pp but held-out clips regress (${fmt(candidate.heldOut)} vs ${fmt(incumbent.heldOut)})` };
  }
  return { improved: true, reason: `training BD-rate ${fmt(candidate.training)} vs ${fmt(incumbent.training)} (gain ${gain.toFixed(3)} pp)` +
    (candidate.heldOut !== undefined ? `; held-out ${fmt(candidate.heldOut)}` : '') };
}

/** The state an evaluated candidate moves to under a policy. */
export function stateAfterEvaluation(v: Verdict, policy: AdoptionPolicy): CandidateState {
  if (!v.improved || policy === 'off') return 'evaluated';
  return policy === 'auto' ? 'adopted' : 'pending-review';
}

/** Which states a person may move a candidate from. */
export function canReview(state: CandidateState, decision: 'adopted' | 'rejected'): boolean {
  if (state === 'pending-review') return true;
  // A person may also act on an evaluated candidate the policy did not queue (their judgement wins);
  // an adopted version is superseded by adopting another, never un-adopted.
  return state === 'evaluated';
}

function fmt(x: number): string { return `${x >= 0 ? '+' : ''}${x.toFixed(3)} %`; }
