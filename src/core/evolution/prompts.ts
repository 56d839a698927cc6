// The prompt: the contract and the validator's rules, the parent with its training numbers, a few top
// and diverse programs, this lineage's recent failures and the reviewer's rejection reasons, and the
// edit format. Held-out numbers are never passed in, so they cannot leak into a prompt.
import { METRIC_IDS, METRICS } from '../metrics/registry';
import type { ClipScore } from '../store/records';
import type { FailureSummary } from './failure-analysis';
import type { Strategy } from './stagnation';

export interface PromptProgram { id: string; code: string; trainingBdRate?: number; training?: ClipScore[]; hypothesis?: string }

export interface PromptInput {
  parent: PromptProgram;
  inspirations: PromptProgram[];
  failures: FailureSummary;
  rejections: Array<{ id: string; reason: string; hypothesis?: string }>;
  strategy: Strategy;
  primaryReference: string;
  contractText?: string;
  /** The person's active directives, quoted until they clear them. */
  directives?: PromptDirective[];
}

export interface PromptDirective { id: string; text: string; block?: string }

export const SYSTEM_PROMPT = `You improve a video codec written as one self-contained JavaScript ES module.
An honest harness runs it: encode(video, {quality}) in one sandboxed process, decode(bytes) in another
that never sees the source; rate = bytes returned by encode; quality = PSNR/SSIM of what decode returns.
The score is BD-rate in percent against a reference encoder run on the same frames: lower (more negative)
is better.

Rules the validator enforces (from the syntax tree, not a word list):
- no import/require/dynamic import, no eval or Function constructor, no process, globalThis mutation,
  timers, fetch, filesystem or network; plain computation only;
- exports: meta {name, description}, encode(video, options) -> Uint8Array, decode(bytes) -> {width, height,
  frames:[{y,u,v}]}; frames are 8-bit 4:2:0, u/v are ceil(w/2) x ceil(h/2);
- deterministic: no clock, Math.random only if seeded by you; the same bytes decode to the same frames.

Change code only between // EVOLVE-BLOCK-START <name> and // EVOLVE-BLOCK-END; the code outside the
blocks (the exported entry points, meta, glue) is fixed.`;

export const EDIT_FORMAT = `Answer format:
HYPOTHESIS: <one or two sentences: what you change and why it should lower BD-rate>
then one or more edits, in either of two forms (they may be mixed; they apply in order):
1. a change of some lines, exactly:
<<<<<<< SEARCH
<lines copied exactly from the parent, inside one EVOLVE-BLOCK>
=======
<their replacement>
>>>>>>> REPLACE
2. a rewrite of one whole block: a line REPLACE BLOCK <name> (the name on its EVOLVE-BLOCK-START line),
then the block's complete new code in one \`\`\`js fence, without the marker lines:
REPLACE BLOCK <name>
\`\`\`js
<the new code of that block>
\`\`\`
Prefer SEARCH/REPLACE for local changes and REPLACE BLOCK for a new algorithm in one region; never
send the whole file (it costs the most output tokens and an answer cut off at the limit is lost).
Encoder and decoder share the blocks: a bitstream change must change both sides consistently.`;

function clipTable(scores: ClipScore[] | undefined, ref: string): string {
  if (!scores?.length) return '(no per-clip numbers)';
  return scores.map((c) => {
    // Every metric, so a gain bought by starving one plane shows in the numbers the model reads.
    const bd = METRIC_IDS.filter((m) => c.bdRate[m]?.[ref] !== undefined).map((m) => `${METRICS[m].label} ${c.bdRate[m]![ref]!.toFixed(2)} %`).join(', ');
    const pts = c.points.map((p) => `${p.kbps.toFixed(1)} kbps: ` + METRIC_IDS.filter((m) => p.metrics[m] !== undefined)
      .map((m) => `${METRICS[m].label} ${p.metrics[m]!.toFixed(METRICS[m].decimals)}`).join(' ')).join('; ');
    return `- ${c.clip}: BD-rate vs ${ref}: ${bd || 'n/a'}; RD: ${pts}`;
  }).join('\n');
}

const STRATEGY_TEXT: Record<Strategy, string> = {
  refine: 'Make one focused improvement.',
  'explore-island': 'The search has stalled on this line of programs; try a different idea than the recent ones.',
  'large-mutation': 'Small changes stopped helping; make a bolder change (several parameters or a new coding tool).',
  'full-rewrite': 'Rewrite the EVOLVE-BLOCK code substantially (a new prediction, transform or entropy-coding scheme), keeping the contract.',
};

export function buildPrompt(p: PromptInput): { system: string; user: string } {
  const parts: string[] = [];
  if (p.contractText) parts.push('## Codec contract (codec.d.ts)\n```ts\n' + p.contractText.trim() + '\n```');
  parts.push(`## Parent program ${p.parent.id}` +
    (p.parent.trainingBdRate !== undefined ? ` — training BD-rate vs ${p.primaryReference}: ${p.parent.trainingBdRate.toFixed(3)} %` : ''));
  parts.push(clipTable(p.parent.training, p.primaryReference));
  parts.push('```js\n' + p.parent.code.trimEnd() + '\n```');
  if (p.inspirations.length) {
    parts.push('## Other programs (top and diverse)');
    for (const i of p.inspirations) {
      parts.push(`### ${i.id} — training BD-rate ${i.trainingBdRate?.toFixed(3) ?? 'n/a'} %` + (i.hypothesis ? `\nIdea: ${i.hypothesis}` : ''));
      parts.push('```js\n' + i.code.trimEnd() + '\n```');
    }
  }
  if (p.failures.failures) {
    parts.push('## Recent failures in this lineage');
    for (const g of p.failures.byClass) {
      parts.push(`- ${g.class} ×${g.count}` + g.messages.map((m) => `\n  - ${m.message}${m.count > 1 ? ` (×${m.count})` : ''}`).join(''));
    }
    parts.push(p.failures.guidance);
  }
  if (p.rejections.length) {
    parts.push('## The reviewer rejected these; do not repeat them');
    for (const r of p.rejections) parts.push(`- ${r.id}${r.hypothesis ? ` (${r.hypothesis})` : ''}: ${r.reason}`);
  }
  if (p.directives?.length) parts.push(directivesSection(p.directives));
  parts.push('## Task\n' + STRATEGY_TEXT[p.strategy]);
  parts.push(EDIT_FORMAT);
  return { system: SYSTEM_PROMPT, user: parts.join('\n\n') };
}

/** The person steering the search outranks the strategy: their words come right before the task. */
export function directivesSection(ds: PromptDirective[]): string {
  return '## The person supervising this search asks (follow these; say in HYPOTHESIS which you answer)\n' +
    ds.map((d) => `- [${d.id}]${d.block ? ` (focus on the EVOLVE-BLOCK named "${d.block}")` : ''} ${d.text}`).join('\n');
}

export function repairPrompt(message: string, unmatched?: string): string {
  return `Your edit could not be applied: ${message}` +
    (unmatched ? `\nThis SEARCH text matched nothing:\n\`\`\`\n${unmatched}\n\`\`\`` : '') +
    `\nSend corrected edits in the same format.\n\n${EDIT_FORMAT}`;
}

export function truncatedRepairPrompt(outputTokens: number): string {
  return `Your answer was cut off at the output limit after ${outputTokens} tokens, so none of it was applied.` +
    ' Send a smaller answer: SEARCH/REPLACE sections holding only the lines that change, or REPLACE BLOCK for one' +
    ` block at most; do not repeat unchanged code.\n\n${EDIT_FORMAT}`;
}
