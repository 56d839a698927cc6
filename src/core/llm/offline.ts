// The offline provider: no network, no model. It mutates the `// @evolve` parameters of the parent
// (and crosses them with an inspiration program), or takes one whole named block from an inspiration
// on the same frame, then answers in the same SEARCH/REPLACE or REPLACE BLOCK format a model would,
// so its proposals travel the same path: edit → novelty → sandbox → scores → database.
import { ProviderError } from '../errors';
import { gaussian, mixSeed, pick, rng, type Rng } from '../rng';
import { evolveBlocks, frameOf } from '../codec/blocks';
import { parseParameters, renderLine, formatValue, type EvolveParam, type ParamValue } from './parameters';
import type { CompletionRequest, CompletionResult, LlmProvider } from './provider';

function mutateValue(p: EvolveParam, r: Rng, scale: number): ParamValue {
  if (p.type === 'bool') return !p.value;
  if (p.type === 'choice') {
    const others = p.choices!.filter((c) => c !== p.value);
    return others.length ? pick(r, others) : p.value;
  }
  const lo = p.min!,
    hi = p.max!;
  const v = p.value as number;
  let next: number;
  if (lo > 0 && hi / lo >= 4) {
    // Wide positive ranges (lambda scales, thresholds) move multiplicatively.
    next = v * Math.exp((gaussian(r) * scale * Math.log(hi / lo)) / 3);
  } else {
    next = v + (gaussian(r) * scale * (hi - lo)) / 3;
  }
  next = Math.min(hi, Math.max(lo, next));
  if (p.type === 'int') {
    next = Math.round(next);
    if (next === v) next = Math.min(hi, Math.max(lo, v + (r() < 0.5 ? -1 : 1)));
  }
  return next;
}

export interface OfflineProposal {
  changes: Array<{ param: EvolveParam; from: ParamValue; to: ParamValue; origin: 'mutation' | 'crossover' | 'momentum' }>;
}

/** Picks the parameter changes for one proposal (pure; the seed decides everything). */
export function proposeChanges(
  parentCode: string,
  inspirations: string[],
  mutationScale: number,
  seed: number,
  grandparent?: { code: string; score: number; parentScore: number },
): OfflineProposal {
  const r = rng(seed);
  const params = parseParameters(parentCode);
  if (!params.length) return { changes: [] };
  const chosen = new Map<string, { param: EvolveParam; to: ParamValue; origin: 'mutation' | 'crossover' | 'momentum' }>();

  // Momentum: the step from the grandparent made the parent better, so half the time take it again
  // (numbers only; switches have nowhere further to go).
  if (grandparent && grandparent.parentScore < grandparent.score && r() < 0.5) {
    const before = new Map(parseParameters(grandparent.code).map((p) => [p.name, p]));
    for (const p of params) {
      const q = before.get(p.name);
      if (!q || (p.type !== 'float' && p.type !== 'int') || q.type !== p.type) continue;
      const step = (p.value as number) - (q.value as number);
      if (step === 0) continue;
      const to = Math.min(p.max!, Math.max(p.min!, (p.value as number) + step));
      if (formatValue(p, to) !== formatValue(p, p.value)) chosen.set(p.name, { param: p, to, origin: 'momentum' });
    }
    if (chosen.size)
      return { changes: [...chosen.values()].map((c) => ({ param: c.param, from: c.param.value, to: c.to, origin: c.origin })) };
  }

  // Crossover: take values the inspiration has and the parent lacks (uniform, half of them).
  if (inspirations.length && r() < 0.35) {
    const other = new Map(parseParameters(pick(r, inspirations)).map((p) => [p.name, p]));
    for (const p of params) {
      const q = other.get(p.name);
      if (q && q.type === p.type && formatValue(p, q.value) !== formatValue(p, p.value) && r() < 0.5) {
        chosen.set(p.name, { param: p, to: q.value, origin: 'crossover' });
      }
    }
  }
  // Mutation: a few parameters, more when the search is stuck (larger scale).
  const count = Math.max(1, Math.min(params.length, 1 + Math.floor(-Math.log(Math.max(r(), 1e-9)) * (0.25 + 1.5 * mutationScale))));
  // Switches (bool, choice) are usually set on purpose by the codec's author and flipping one is a big
  // jump; numeric parameters get three times the chance so most steps stay local.
  const weights = params.map((p) => (p.type === 'float' || p.type === 'int' ? 3 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const weighted = (): EvolveParam => {
    let u = r() * total;
    for (let i = 0; i < params.length; i++) {
      u -= weights[i];
      if (u < 0) return params[i];
    }
    return params[params.length - 1];
  };
  for (let i = 0, tries = 0; i < count && tries < count * 10; tries++) {
    const p = weighted();
    if (chosen.has(p.name)) continue;
    const to = mutateValue(p, r, Math.max(0.05, mutationScale));
    if (formatValue(p, to) === formatValue(p, p.value)) continue;
    chosen.set(p.name, { param: p, to, origin: 'mutation' });
    i++;
  }
  return { changes: [...chosen.values()].map((c) => ({ param: c.param, from: c.param.value, to: c.to, origin: c.origin })) };
}

function renderProposal(p: OfflineProposal): string {
  const what = p.changes.map(
    (c) =>
      `${c.param.name} ${formatValue(c.param, c.from)} → ${formatValue(c.param, c.to)}${c.origin === 'crossover' ? ' (from an inspiration)' : c.origin === 'momentum' ? ' (repeating the step that improved the parent)' : ''}`,
  );
  const lines = [
    `HYPOTHESIS: offline parameter search: ${what.join(', ')}; a nearby setting may trade rate for distortion better on the training clips.`,
    '',
  ];
  for (const c of p.changes) {
    lines.push('<<<<<<< SEARCH', c.param.line, '=======', renderLine(c.param, c.to), '>>>>>>> REPLACE', '');
  }
  return lines.join('\n');
}

/** A whole block taken from another program. */
export interface BlockCrossover {
  block: string;
  from: number;
  body: string;
}

/** Block-level crossover: one whole named block from an inspiration that shares the parent's frame
 * (the code outside the blocks), where the two differ. The focus block is preferred when it differs;
 * otherwise a differing block is drawn. Pure; undefined when no inspiration qualifies. */
export function proposeBlockCrossover(
  parentCode: string,
  inspirations: string[],
  seed: number,
  focusBlock?: string,
): BlockCrossover | undefined {
  const r = rng(mixSeed(seed, 5, 13));
  const frame = frameOf(parentCode);
  const mine = new Map(evolveBlocks(parentCode).map((b) => [b.name, parentCode.slice(b.start, b.end)]));
  const options: BlockCrossover[] = [];
  inspirations.forEach((code, from) => {
    if (frameOf(code) !== frame) return;
    for (const b of evolveBlocks(code)) {
      const body = code.slice(b.start, b.end);
      if (mine.has(b.name) && mine.get(b.name) !== body) options.push({ block: b.name, from, body });
    }
  });
  if (!options.length) return undefined;
  const focused = options.filter((o) => o.block === focusBlock);
  return pick(r, focused.length ? focused : options);
}

function renderCrossover(c: BlockCrossover): string {
  return [
    `HYPOTHESIS: offline block crossover: the ${c.block} block of inspiration ${c.from + 1}, whose code there differs from the parent's;` +
      ' combining a region that worked in another program with the rest of this one may beat both.',
    '',
    `REPLACE BLOCK ${c.block}`,
    '```js',
    c.body.replace(/\n$/, ''),
    '```',
    '',
  ].join('\n');
}

export class OfflineProvider implements LlmProvider {
  readonly kind = 'offline';
  readonly model = 'offline-mutator';

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const ctx = req.context;
    if (!ctx)
      throw new ProviderError(
        'the offline mutator needs the parent program',
        'this is a bug in the engine: it must pass a proposal context',
      );
    // Crossover of whole blocks combines algorithms, not only numbers; the more the search is stuck,
    // the more often it is tried (it travels the same edit path as a model's REPLACE BLOCK).
    const r = rng(mixSeed(ctx.seed, 17, 2));
    const cross =
      r() < 0.25 + 0.25 * ctx.mutationScale ? proposeBlockCrossover(ctx.parentCode, ctx.inspirations, ctx.seed, ctx.focusBlock) : undefined;
    let text: string;
    if (cross) text = renderCrossover(cross);
    else {
      const proposal = proposeChanges(ctx.parentCode, ctx.inspirations, ctx.mutationScale, ctx.seed, ctx.grandparent);
      const fallback = proposal.changes.length
        ? undefined
        : proposeBlockCrossover(ctx.parentCode, ctx.inspirations, ctx.seed, ctx.focusBlock);
      text = proposal.changes.length
        ? renderProposal(proposal)
        : fallback
          ? renderCrossover(fallback)
          : 'The parent has no `// @evolve` parameters inside its EVOLVE-BLOCKs and no inspiration differs from it block by block, so the offline mutator cannot change it.';
    }
    req.onText?.(text);
    return { text, model: this.model, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 };
  }
}
