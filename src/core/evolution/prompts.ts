// The prompt: the contract and the validator's rules, the parent with its training numbers, a few top
// and diverse programs, this lineage's recent failures and the reviewer's rejection reasons, and the
// edit format. Held-out numbers are never passed in, so they cannot leak into a prompt.
// Economy: the parent is the only program sent in full; other programs go as unified diffs against
// it, and a token budget drops the lowest-ranked of them (then failure details) when the prompt would
// exceed it. The stable prefix (system text + edit format, the contract, the parent) comes first, in
// parts a provider can mark for prompt caching.
import { blockMap, frameOf } from '../codec/blocks';
import { METRIC_IDS, METRICS, type Guard, type MetricId } from '../metrics/registry';
import type { ClipScore } from '../store/records';
import { unifiedDiff } from './diff';
import type { Focus } from './focus';
import type { FailureSummary } from './failure-analysis';
import type { Strategy } from './stagnation';

export interface PromptProgram {
  id: string;
  code: string;
  trainingBdRate?: number;
  training?: ClipScore[];
  hypothesis?: string;
}

export interface PromptInput {
  parent: PromptProgram;
  inspirations: PromptProgram[];
  failures: FailureSummary;
  rejections: Array<{ id: string; reason: string; hypothesis?: string }>;
  strategy: Strategy;
  primaryReference: string;
  /** The metric the BD-rate scores are of, and the metrics that may not regress. */
  objective?: MetricId;
  guards?: Guard[];
  contractText?: string;
  /** The person's active directives, quoted until they clear them. */
  directives?: PromptDirective[];
  /** The block this proposal should work on. */
  focus?: PromptFocus;
  /** Estimated input tokens the prompt may use (0 or absent: no limit). */
  tokenBudget?: number;
}

interface PromptDirective {
  id: string;
  text: string;
  block?: string;
}

const SYSTEM_PROMPT = `You improve a video codec written as one self-contained JavaScript ES module.
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

const EDIT_FORMAT = `Answer format:
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
Prefer SEARCH/REPLACE for local changes and REPLACE BLOCK for a new algorithm in one region. A complete
program in one \`\`\`js fence is still accepted, but it costs the most output tokens, and an answer cut
off at the output limit is lost. Encoder and decoder share the blocks: a bitstream change must change
both sides consistently.`;

function clipTable(scores: ClipScore[] | undefined, ref: string): string {
  if (!scores?.length) return '(no per-clip numbers)';
  return scores
    .map((c) => {
      // Every metric, so a gain bought by starving one plane shows in the numbers the model reads.
      const bd = METRIC_IDS.filter((m) => c.bdRate[m]?.[ref] !== undefined)
        .map((m) => `${METRICS[m].label} ${c.bdRate[m]![ref]!.toFixed(2)} %`)
        .join(', ');
      const pts = c.points
        .map(
          (p) =>
            `${p.kbps.toFixed(1)} kbps: ` +
            METRIC_IDS.filter((m) => p.metrics[m] !== undefined)
              .map((m) => `${METRICS[m].label} ${p.metrics[m]!.toFixed(METRICS[m].decimals)}`)
              .join(' '),
        )
        .join('; ');
      return `- ${c.clip}: BD-rate vs ${ref}: ${bd || 'n/a'}; RD: ${pts}`;
    })
    .join('\n');
}

const STRATEGY_TEXT: Record<Strategy, string> = {
  refine: 'Make one focused improvement.',
  'explore-island': 'The search has stalled on this line of programs; try a different idea than the recent ones.',
  'large-mutation': 'Small changes stopped helping; make a bolder change (several parameters or a new coding tool).',
  'full-rewrite':
    'Rewrite the EVOLVE-BLOCK code substantially (a new prediction, transform or entropy-coding scheme), keeping the contract.',
};

/** Characters per token for estimates (code and English prose with Claude's tokenizer: 3-4). */
const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** One piece of a prompt; `cache` marks the end of a prefix worth caching (a breakpoint). */
interface PromptPart {
  text: string;
  cache?: boolean;
}

interface PromptStats {
  /** Estimated input tokens of the whole prompt (system + user). */
  tokens: number;
  /** Estimated tokens of the parent's code alone. */
  parentTokens: number;
  inspirationsShown: number;
  /** Inspiration ids left out to stay within the budget, lowest-ranked first. */
  inspirationsDropped: string[];
  /** True when the failure details were cut to their summary for the budget. */
  failureDetailsDropped: boolean;
  /** The budget it was built for (0: none). */
  budget: number;
}

export interface BuiltPrompt {
  system: string;
  user: string;
  systemParts: PromptPart[];
  userParts: PromptPart[];
  stats: PromptStats;
}

/** Which block this proposal should work on, and why that one (see focus.ts). */
export type PromptFocus = Focus;

/** An inspiration as what it changes against the parent: a unified diff when both share the frame
 * (code outside the blocks; edits cannot change it, so every descendant of one root does). A program
 * on another frame is named but not shown. Never a second full copy. */
export function inspirationBody(parent: string, other: string, id: string): string {
  if (other === parent) return '(the same code as the parent)';
  if (frameOf(other) === frameOf(parent) || blockMap(parent).length === 0) {
    return '```diff\n' + unifiedDiff(parent, other, 'parent', id, 2) + '\n```';
  }
  // Another frame (a hand-adopted rewrite): the diff would be most of the file.
  return `(a different program: its code outside the EVOLVE-BLOCKs differs from the parent's, so it is not shown; its idea is above)`;
}

function failuresSection(f: FailureSummary, details: boolean): string {
  const out = ['## Recent failures in this lineage'];
  for (const g of f.byClass) {
    out.push(
      `- ${g.class} ×${g.count}` +
        (details ? g.messages.map((m) => `\n  - ${m.message}${m.count > 1 ? ` (×${m.count})` : ''}`).join('') : ''),
    );
  }
  out.push(f.guidance);
  return out.join('\n\n');
}

function focusSection(f: PromptFocus): string {
  return (
    `## Focus\nWork on the EVOLVE-BLOCK named "${f.block}" this time (${f.reason}). Change other blocks only where` +
    ' your change needs it (for example the decoder side of a bitstream change).'
  );
}

export function buildPrompt(p: PromptInput): BuiltPrompt {
  const budget = p.tokenBudget ?? 0;
  const systemParts: PromptPart[] = [{ text: SYSTEM_PROMPT + '\n\n' + EDIT_FORMAT }];
  if (p.contractText) systemParts.push({ text: '## Codec contract (codec.d.ts)\n```ts\n' + p.contractText.trim() + '\n```' });
  systemParts[systemParts.length - 1].cache = true;

  const blocks = blockMap(p.parent.code);
  const parentHead = [
    `## Parent program ${p.parent.id}` +
      (p.parent.trainingBdRate !== undefined
        ? ` — training BD-rate vs ${p.primaryReference}: ${p.parent.trainingBdRate.toFixed(3)} %`
        : ''),
    ...(p.objective
      ? [
          `The score is ${METRICS[p.objective].label} BD-rate.` +
            (p.guards?.length
              ? ` A change is only kept if ${p.guards.map((g) => `${METRICS[g.metric].label} (${g.tolerancePercent} pp)`).join(', ')} BD-rate do not get worse than the adopted version's by more than the amount given: bits moved from one plane to another do not count.`
              : ''),
        ]
      : []),
    clipTable(p.parent.training, p.primaryReference),
  ];
  if (blocks.length)
    parentHead.push('Its EVOLVE-BLOCKs (name: lines): ' + blocks.map((b) => `${b.name}: ${b.startLine + 1}-${b.endLine - 1}`).join(', '));
  const parentCode = '```js\n' + p.parent.code.trimEnd() + '\n```';
  const parentPart: PromptPart = { text: parentHead.join('\n\n') + '\n\n' + parentCode, cache: true };

  const inspirations = p.inspirations.map(
    (i) =>
      `### ${i.id} — training BD-rate ${i.trainingBdRate?.toFixed(3) ?? 'n/a'} %` +
      (i.hypothesis ? `\nIdea: ${i.hypothesis}` : '') +
      '\n' +
      inspirationBody(p.parent.code, i.code, i.id),
  );
  const system = systemParts.map((x) => x.text).join('\n\n');

  const render = (shown: number, failureDetails: boolean): string => {
    const parts: string[] = [];
    if (shown)
      parts.push('## Other programs (top and diverse), as diffs against the parent\n\n' + inspirations.slice(0, shown).join('\n\n'));
    if (p.failures.failures) parts.push(failuresSection(p.failures, failureDetails));
    if (p.rejections.length) {
      parts.push(
        '## The reviewer rejected these; do not repeat them\n' +
          p.rejections.map((r) => `- ${r.id}${r.hypothesis ? ` (${r.hypothesis})` : ''}: ${r.reason}`).join('\n'),
      );
    }
    if (p.directives?.length) parts.push(directivesSection(p.directives));
    if (p.focus) parts.push(focusSection(p.focus));
    parts.push('## Task\n' + STRATEGY_TEXT[p.strategy] + ' Answer in the format given in the system text (HYPOTHESIS, then edits).');
    return parts.join('\n\n');
  };
  const total = (rest: string) => estimateTokens(system) + estimateTokens(parentPart.text) + estimateTokens(rest) + 2;
  // Over budget: drop the lowest-ranked program first (they come best-first), then failure details.
  let shown = inspirations.length,
    details = true;
  let rest = render(shown, details);
  while (budget > 0 && total(rest) > budget && shown > 0) rest = render(--shown, details);
  if (budget > 0 && total(rest) > budget && p.failures.failures) rest = render(shown, (details = false));
  const userParts: PromptPart[] = [parentPart, { text: rest }];
  return {
    system,
    systemParts,
    userParts,
    user: userParts.map((x) => x.text).join('\n\n'),
    stats: {
      tokens: total(rest),
      parentTokens: estimateTokens(p.parent.code),
      inspirationsShown: shown,
      inspirationsDropped: p.inspirations
        .slice(shown)
        .map((i) => i.id)
        .reverse(),
      failureDetailsDropped: !details,
      budget,
    },
  };
}

/** The person steering the search outranks the strategy: their words come right before the task. */
function directivesSection(ds: PromptDirective[]): string {
  return (
    '## The person supervising this search asks (follow these; say in HYPOTHESIS which you answer)\n' +
    ds.map((d) => `- [${d.id}]${d.block ? ` (focus on the EVOLVE-BLOCK named "${d.block}")` : ''} ${d.text}`).join('\n')
  );
}

export function repairPrompt(message: string, unmatched?: string): string {
  return (
    `Your edit could not be applied: ${message}` +
    (unmatched ? `\nThis SEARCH text matched nothing:\n\`\`\`\n${unmatched}\n\`\`\`` : '') +
    '\nSend corrected edits in the answer format of the system text (SEARCH/REPLACE or REPLACE BLOCK).'
  );
}

export function truncatedRepairPrompt(outputTokens: number): string {
  return (
    `Your answer was cut off at the output limit after ${outputTokens} tokens, so none of it was applied.` +
    ' Send a smaller answer: SEARCH/REPLACE sections holding only the lines that change, or REPLACE BLOCK for one' +
    ' block at most; do not repeat unchanged code.'
  );
}
