// Stagnation: the best score has not moved for N generations, or the last candidates keep producing
// the same numbers. The answer is a change of strategy, in a fixed escalation order.

export type Strategy = 'refine' | 'explore-island' | 'large-mutation' | 'full-rewrite';

export interface StagnationInput {
  /** Best training BD-rate after each completed generation, oldest first. */
  bestByGeneration: number[];
  /** Scores of the most recent evaluated candidates, oldest first. */
  recentScores: number[];
  generations: number;
  /** Improvement smaller than this (percentage points) does not count. */
  epsilon?: number;
}

export interface StagnationStatus {
  stagnant: boolean;
  reason?: string;
  sinceGenerations: number;
}

export function detectStagnation(s: StagnationInput): StagnationStatus {
  const eps = s.epsilon ?? 0.01;
  const b = s.bestByGeneration;
  let since = 0;
  for (let i = b.length - 1; i > 0; i--) {
    if (b[i - 1] - b[i] > eps) break;
    since++;
  }
  if (b.length > s.generations && since >= s.generations) {
    return { stagnant: true, sinceGenerations: since, reason: `no improvement for ${since} generations` };
  }
  const last = s.recentScores.slice(-Math.max(3, s.generations));
  if (last.length >= Math.max(3, s.generations) && last.every((x) => Math.abs(x - last[0]) < 1e-9)) {
    return {
      stagnant: true,
      sinceGenerations: since,
      reason: `the last ${last.length} candidates scored identically (${last[0].toFixed(3)} %)`,
    };
  }
  return { stagnant: false, sinceGenerations: since };
}

const ESCALATION: Strategy[] = ['explore-island', 'large-mutation', 'full-rewrite'];

/** The next strategy after `current` when stagnant; back to refining once things move again. */
export function nextStrategy(current: Strategy, stagnant: boolean): Strategy {
  if (!stagnant) return 'refine';
  const i = ESCALATION.indexOf(current);
  return ESCALATION[(i + 1) % ESCALATION.length];
}

export function mutationScaleFor(strategy: Strategy): number {
  return strategy === 'large-mutation' ? 0.8 : strategy === 'full-rewrite' ? 1 : strategy === 'explore-island' ? 0.45 : 0.3;
}
