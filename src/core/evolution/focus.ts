// The focus of a proposal: which EVOLVE-BLOCK the prompt asks the model to work on. Rotating over the
// blocks keeps every region of the codec in play (a model left alone returns to the same knobs);
// weighting by recent gains spends more proposals where edits have been paying off. Pure: the same
// records and seed give the same focus, so a resumed run re-proposes what the interrupted one would have.
import type { CandidateRecord } from '../store/records';
import { mixSeed, rng } from '../rng';

export interface Focus {
  block: string;
  reason: string;
}

export interface FocusInput {
  /** The parent's blocks, in file order. */
  blocks: string[];
  /** Candidate records; only those of generations before `generation` are read. */
  records: Iterable<Pick<CandidateRecord, 'generation' | 'slot' | 'changedBlocks' | 'parentBdRate' | 'metrics'>>;
  generation: number;
  /** generation * slotsPerGeneration + slot: the proposal's place in the rotation. */
  turn: number;
  seed: number;
  /** BD-rate points a candidate must gain over its parent for its blocks to count as paying off. */
  margin: number;
  /** How many recent scored candidates to learn from. */
  window?: number;
}

/** Gain (BD-rate points below the parent) per block over the recent window, shared among the blocks
 * an edit changed. */
export function blockGains(input: Omit<FocusInput, 'turn' | 'seed'>): Map<string, number> {
  const gains = new Map<string, number>();
  const recent = [...input.records]
    .filter(
      (r) =>
        r.generation > 0 &&
        r.generation < input.generation &&
        r.changedBlocks?.length &&
        r.parentBdRate !== undefined &&
        r.metrics?.trainingBdRate !== undefined,
    )
    .sort((a, b) => a.generation - b.generation || a.slot - b.slot)
    .slice(-(input.window ?? 30));
  for (const r of recent) {
    const gain = r.parentBdRate! - r.metrics!.trainingBdRate!;
    if (gain <= input.margin) continue;
    for (const b of r.changedBlocks!) if (input.blocks.includes(b)) gains.set(b, (gains.get(b) ?? 0) + gain / r.changedBlocks!.length);
  }
  return gains;
}

/** The next block in rotation or, half the time once some block has paid off, one drawn in
 * proportion to its recent gains. Undefined when the parent has no blocks. */
export function chooseFocus(input: FocusInput): Focus | undefined {
  if (!input.blocks.length) return undefined;
  const gains = blockGains(input);
  const r = rng(mixSeed(input.seed, 11, 3));
  const total = [...gains.values()].reduce((a, b) => a + b, 0);
  if (total > 0 && r() < 0.5) {
    let u = r() * total;
    for (const [block, g] of gains) {
      u -= g;
      if (u < 0) return { block, reason: `recent edits to it gained ${g.toFixed(2)} BD-rate points` };
    }
  }
  return { block: input.blocks[input.turn % input.blocks.length], reason: 'the search rotates its attention over the blocks' };
}
