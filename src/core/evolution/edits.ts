// Applying a model's answer to the parent program: SEARCH/REPLACE blocks (only inside EVOLVE-BLOCKs,
// exact first, then whitespace-tolerant), or a full-file rewrite whose code outside the blocks is
// unchanged. Anything that does not apply comes back as `edit-failed` with the text that matched nothing.
import { evolveBlocks, frameOf, insideBlocks } from '../codec/blocks';

export interface SearchReplace { search: string; replace: string }

export interface ParsedResponse {
  hypothesis: string;
  edits: SearchReplace[];
  fullFile?: string;
}

export type EditOutcome =
  | { ok: true; code: string; kind: 'search-replace' | 'full-file'; applied: number; tolerant: number }
  | { ok: false; class: 'edit-failed' | 'no-code'; message: string; unmatched?: string };

const BLOCK = /<{5,9} ?SEARCH[^\n]*\n([\s\S]*?)\n?={5,9}[^\n]*\n([\s\S]*?)\n?>{5,9} ?REPLACE/g;
const FENCE = /```[ \t]*([A-Za-z]*)[^\n]*\n([\s\S]*?)```/g;

export function parseResponse(text: string): ParsedResponse {
  const edits: SearchReplace[] = [];
  for (const m of text.matchAll(BLOCK)) edits.push({ search: m[1], replace: m[2] });
  let fullFile: string | undefined;
  if (!edits.length) {
    for (const m of text.matchAll(FENCE)) {
      const body = m[2];
      if (/export\s+(async\s+)?function\s+encode\b|export\s+const\s+encode\b/.test(body) && /export\s+(async\s+)?function\s+decode\b|export\s+const\s+decode\b/.test(body)) {
        fullFile = body;
      }
    }
  }
  const h = /^\s*(?:\*\*)?hypothesis(?:\*\*)?\s*:\s*(?:\*\*)?\s*(.+)$/im.exec(text);
  let hypothesis = h ? h[1].trim() : '';
  if (!hypothesis) {
    const prose = text.replace(BLOCK, '').replace(FENCE, '').trim().split(/\n\s*\n/)[0] ?? '';
    hypothesis = prose.replace(/\s+/g, ' ').slice(0, 400);
  }
  return { hypothesis, edits, fullFile };
}

function normLine(l: string): string { return l.trim().replace(/\s+/g, ' ').replace(/ ?([{}()[\];,=+\-*/<>!&|?:]) ?/g, '$1'); }

/** Finds `search` in `code` by lines with whitespace normalised; returns the character range. */
function tolerantFind(code: string, search: string, blocks: ReturnType<typeof evolveBlocks>): { from: number; to: number } | undefined {
  const want = search.split('\n').map(normLine);
  while (want.length && !want[0]) want.shift();
  while (want.length && !want[want.length - 1]) want.pop();
  if (!want.length) return undefined;
  const lines = code.split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) { starts.push(off); off += l.length + 1; }
  for (let i = 0; i + want.length <= lines.length; i++) {
    let ok = true;
    for (let j = 0; j < want.length && ok; j++) ok = normLine(lines[i + j]) === want[j];
    if (!ok) continue;
    const from = starts[i];
    const to = starts[i + want.length - 1] + lines[i + want.length - 1].length;
    if (insideBlocks(blocks, from, to)) return { from, to };
  }
  return undefined;
}

function allIndexes(hay: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) out.push(i);
  return out;
}

function reindent(replace: string, matched: string): string {
  // A tolerant match may have found the text at another indentation; shift the replacement to it.
  const have = /^[ \t]*/.exec(matched)![0];
  const firstNonEmpty = replace.split('\n').find((l) => l.trim());
  const given = firstNonEmpty ? /^[ \t]*/.exec(firstNonEmpty)![0] : '';
  if (have === given) return replace;
  return replace.split('\n').map((l) => (l.startsWith(given) ? have + l.slice(given.length) : l)).join('\n');
}

export function applyEdits(parent: string, parsed: ParsedResponse): EditOutcome {
  if (parsed.edits.length) {
    let code = parent;
    let tolerant = 0;
    for (const e of parsed.edits) {
      const blocks = evolveBlocks(code);
      if (!e.search.trim()) {
        return { ok: false, class: 'edit-failed', message: 'a SEARCH section is empty; quote the exact lines to replace', unmatched: e.search };
      }
      const exact = allIndexes(code, e.search);
      const inside = exact.filter((i) => insideBlocks(blocks, i, i + e.search.length));
      if (inside.length) {
        const i = inside[0];
        code = code.slice(0, i) + e.replace + code.slice(i + e.search.length);
        continue;
      }
      if (exact.length) {
        return { ok: false, class: 'edit-failed', unmatched: e.search,
          message: 'the SEARCH text is outside every EVOLVE-BLOCK; only code between // EVOLVE-BLOCK-START and // EVOLVE-BLOCK-END may change' };
      }
      const t = tolerantFind(code, e.search, blocks);
      if (!t) {
        const anywhere = tolerantFind(code, e.search, [{ start: 0, end: code.length }]);
        return { ok: false, class: 'edit-failed', unmatched: e.search,
          message: anywhere
            ? 'the SEARCH text is outside every EVOLVE-BLOCK; only code between // EVOLVE-BLOCK-START and // EVOLVE-BLOCK-END may change'
            : 'the SEARCH text matches nothing in the parent program (even ignoring whitespace); copy the lines exactly' };
      }
      tolerant++;
      code = code.slice(0, t.from) + reindent(e.replace, code.slice(t.from, t.to)).replace(/\n$/, '') + code.slice(t.to);
    }
    if (code === parent) return { ok: false, class: 'edit-failed', message: 'the edits change nothing (REPLACE equals SEARCH)' };
    return { ok: true, code, kind: 'search-replace', applied: parsed.edits.length, tolerant };
  }
  if (parsed.fullFile !== undefined) {
    const parentBlocks = evolveBlocks(parent);
    if (parentBlocks.length) {
      const norm = (s: string) => frameOf(s).split('\n').map(normLine).filter(Boolean).join('\n');
      if (evolveBlocks(parsed.fullFile).length !== parentBlocks.length || norm(parsed.fullFile) !== norm(parent)) {
        return { ok: false, class: 'edit-failed', unmatched: undefined,
          message: 'the full-file rewrite changes code outside the EVOLVE-BLOCKs (or drops a block marker); keep that code as it is' };
      }
    }
    return { ok: true, code: parsed.fullFile, kind: 'full-file', applied: 1, tolerant: 0 };
  }
  return { ok: false, class: 'no-code', message: 'the answer contains neither SEARCH/REPLACE blocks nor a complete program in a ``` fence' };
}
