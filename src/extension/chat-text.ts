// What the @codec chat participant and the language-model tools say, as pure functions of the facts
// (no vscode import, unit-tested): Markdown with candidate ids as links that open the review diff.
import { mentionedCandidates, renderFacts, type FactSection } from '../core/evolution/facts';

export const OPEN_CANDIDATE_COMMAND = 'codecEvolution.openCandidate';

/** A command link: clicking it opens the diff of the candidate against the adopted version. */
export function candidateLink(id: string): string {
  return `[${id}](command:${OPEN_CANDIDATE_COMMAND}?${encodeURIComponent(JSON.stringify([id]))} "Open the review diff of ${id}")`;
}

export function factsMarkdown(sections: FactSection[], knownIds: string[]): string {
  return renderFacts(sections, { markdown: true, link: candidateLink, knownIds });
}

/** Candidate ids in a model's answer become links; code blocks are left alone. */
export function linkCandidates(text: string, knownIds: string[]): string {
  const ids = new Set(knownIds);
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 ? part : part.replace(/\[?\b(g\d{4}-\d+|v\d{4}-root)\b\]?(?!\()/g, (m, id: string) => (ids.has(id) ? candidateLink(id) : m)),
    )
    .join('');
}

/** "block motion: try a larger range", "--block motion try …" or plain text. */
export function parseDirective(input: string): { text: string; block?: string } {
  const t = input.trim();
  const m = /^(?:--block[= ]|block[: ]\s*)([\w.-]+):?\s+([\s\S]+)$/i.exec(t);
  return m ? { text: m[2].trim(), block: m[1] } : { text: t };
}

/** The candidate /explain means: one named in the prompt, else the first in the review queue, else the best. */
export function explainTarget(prompt: string, knownIds: string[], fallback: string | undefined): string | undefined {
  return mentionedCandidates(prompt, knownIds)[0] ?? fallback;
}

/** "/failures last 30" → 30; default 20. */
export function failuresWindow(prompt: string): number {
  const n = /\b(\d{1,3})\b/.exec(prompt);
  return n ? Math.max(1, Math.min(200, Number(n[1]))) : 20;
}

export const CHAT_HELP = [
  "I answer from this workspace's records (`.codec-evolution/`): every number was measured by the harness.",
  '- `/status` — where the run stands: generation, best and adopted BD-rate, directives, review queue',
  '- `/explain g0004-0` — one candidate: hypothesis, measured numbers, its diff against its parent',
  '- `/failures` — what failed recently, by class and stage, with the commonest messages',
  '- `/steer try B-frames next` — a directive every following prompt quotes (`/steer block motion: …` focuses one EVOLVE-BLOCK)',
  '- or ask anything: "why did the last ten candidates fail?"',
].join('\n');
