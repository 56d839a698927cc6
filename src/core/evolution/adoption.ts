// Adoption decisions (pure). "Better" means: the objective metric's BD-rate wins on the training clips
// by more than the noise margin, no guard metric regresses beyond its tolerance (so bits moved from
// chroma to luma do not count as a gain), and the held-out clips do not lose. The policy says who
// acts on that: a person (review), the engine (auto), or nobody (off: candidates are only recorded).
import { metricLabel, type BdRateTable, type Guard, type MetricId } from '../metrics/registry';
import type { AdoptionPolicy } from '../store/config';
import type { CandidateState, GuardCheck, Verdict } from '../store/records';

export type { Verdict };

export interface Scores {
  /** The objective's mean training BD-rate. */
  training?: number;
  heldOut?: number;
  /** Mean training BD-rate of every metric against every reference (for the guards). */
  bdRates?: BdRateTable;
}

export interface JudgeOptions {
  /** Percentage points the objective must gain. */
  margin: number;
  objective?: MetricId;
  guards?: Guard[];
  /** The reference the guards' BD-rates are read against. */
  reference?: string;
}

/** Each guard's BD-rate change against the incumbent; a metric either side lacks is not held against it. */
function checkGuards(
  candidate: BdRateTable | undefined,
  incumbent: BdRateTable | undefined,
  guards: Guard[],
  reference: string,
): GuardCheck[] {
  return guards.map((g) => {
    const c = candidate?.[g.metric]?.[reference],
      i = incumbent?.[g.metric]?.[reference];
    if (c === undefined || i === undefined)
      return {
        metric: g.metric,
        tolerancePercent: g.tolerancePercent,
        ok: true,
        ...(c !== undefined ? { candidate: c } : {}),
        ...(i !== undefined ? { incumbent: i } : {}),
      };
    const change = c - i;
    return { metric: g.metric, candidate: c, incumbent: i, change, tolerancePercent: g.tolerancePercent, ok: change <= g.tolerancePercent };
  });
}

/** Lower BD-rate is better; margins and tolerances are in percentage points. */
export function judge(candidate: Scores, incumbent: Scores, opts: JudgeOptions | number): Verdict {
  const o: JudgeOptions = typeof opts === 'number' ? { margin: opts } : opts;
  const margin = o.margin;
  const objective = o.objective;
  const name = objective ? metricLabel(objective) : 'training';
  const guards =
    o.reference && o.guards?.length
      ? checkGuards(
          candidate.bdRates,
          incumbent.bdRates,
          o.guards.filter((g) => g.metric !== objective),
          o.reference,
        )
      : [];
  const extra = { ...(objective ? { objective } : {}), ...(guards.length ? { guards } : {}) };
  const broken = guards.filter((g) => !g.ok);
  const brokenText = broken
    .map(
      (g) =>
        `${metricLabel(g.metric)} ${fmt(g.candidate!)} vs ${fmt(g.incumbent!)} (+${g.change!.toFixed(3)} pp > ${g.tolerancePercent} pp)`,
    )
    .join(', ');
  if (candidate.training === undefined) return { improved: false, reason: 'no training score', stoppedBy: 'no-score', ...extra };
  if (incumbent.training === undefined) return { improved: true, reason: 'nothing to compare against', ...extra };
  const gain = incumbent.training - candidate.training;
  const scoreText = `${name} BD-rate ${fmt(candidate.training)} vs ${fmt(incumbent.training)}`;
  if (gain <= margin) {
    return {
      improved: false,
      stoppedBy: 'objective',
      ...extra,
      reason:
        `${scoreText}: ${change(gain)}${gain >= -margin ? `, within the ${margin}-point noise margin` : ''}` +
        (broken.length ? `; guards regress too: ${brokenText}` : ''),
    };
  }
  if (broken.length) {
    return {
      improved: false,
      stoppedBy: { guard: broken[0].metric },
      ...extra,
      reason: `${scoreText}: ${change(gain)}, but guard${broken.length > 1 ? 's' : ''} regress beyond tolerance: ${brokenText}`,
    };
  }
  if (candidate.heldOut !== undefined && incumbent.heldOut !== undefined && candidate.heldOut > incumbent.heldOut + margin) {
    return {
      improved: false,
      stoppedBy: 'held-out',
      ...extra,
      reason: `${scoreText}: ${change(gain)}, but the held-out clips are worse (${fmt(candidate.heldOut)} vs ${fmt(incumbent.heldOut)})`,
    };
  }
  return {
    improved: true,
    ...extra,
    reason:
      `${scoreText}: ${change(gain)}` +
      (candidate.heldOut !== undefined ? `; held-out ${fmt(candidate.heldOut)}` : '') +
      (guards.length ? '; guards within tolerance' : ''),
  };
}

/** The state an evaluated candidate moves to under a policy. */
export function stateAfterEvaluation(v: Verdict, policy: AdoptionPolicy): CandidateState {
  if (!v.improved || policy === 'off') return 'evaluated';
  return policy === 'auto' ? 'adopted' : 'pending-review';
}

/** Which states a person may move a candidate from. */
export function canReview(state: CandidateState, _decision: 'adopted' | 'rejected'): boolean {
  if (state === 'pending-review') return true;
  // A person may also act on an evaluated candidate the policy did not queue (their judgement wins);
  // an adopted version is superseded by adopting another, never un-adopted.
  return state === 'evaluated';
}

/** A BD-rate change in percentage points, as better or worse (lower BD-rate is better). */
function change(gain: number): string {
  const points = Math.abs(gain).toFixed(3);
  if (Number(points) === 0) return 'no change';
  return `${gain > 0 ? 'better' : 'worse'} by ${points} points`;
}

function fmt(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(3)} %`;
}
