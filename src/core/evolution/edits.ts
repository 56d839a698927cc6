// Applying a model's answer to the parent program. Three forms:
//   SEARCH/REPLACE sections: exact text inside any EVOLVE-BLOCK (exact first, then whitespace-tolerant);
//   REPLACE BLOCK name + one fenced body: the whole body of one named block (a rewrite of one region);
//   one complete program in a fence: a full-file rewrite whose code outside the blocks is unchanged.
// SEARCH/REPLACE and REPLACE BLOCK may be mixed and apply in the order written. Anything that does not
// apply comes back as `edit-failed` with the text that matched nothing.
import { blockNames, evolveBlocks, frameChanged, frameOf, insideBlocks, replaceBlock, type BlockRange } from '../codec/blocks';
import { EVOLVE_BLOCK_END, EVOLVE_BLOCK_START } from '../codec/contract';

interface SearchReplace {
  search: string;
  replace: string;
}
interface BlockReplacement {
  name: string;
  body: string;
}

type EditOp = ({ kind: 'search-replace' } & SearchReplace) | ({ kind: 'replace-block' } & BlockReplacement);

export interface ParsedResponse {
  hypothesis: string;
  edits: SearchReplace[];
  /** REPLACE BLOCK sections. */
  blocks?: BlockReplacement[];
  /** Every edit of either kind in the order the answer wrote them (the order they apply in). */
  ops?: EditOp[];
  fullFile?: string;
}

type EditKind = 'search-replace' | 'replace-block' | 'mixed' | 'full-file';

export type EditOutcome =
  | { ok: true; code: string; kind: EditKind; applied: number; tolerant: number }
  | { ok: false; class: 'edit-failed' | 'no-code'; message: string; unmatched?: string };

const BLOCK = /<{5,9} ?SEARCH[^\n]*\n([\s\S]*?)\n?={5,9}[^\n]*\n([\s\S]*?)\n?>{5,9} ?REPLACE/g;
// `REPLACE BLOCK name` on its own line (markdown emphasis, a heading mark, quotes or a colon around it
// are tolerated), then one fenced body that ends at a line holding only the closing fence.
const REPLACE_BLOCK =
  /^[ \t]*(?:[#>*_]+[ \t]*)*REPLACE[ \t]+BLOCK[ \t]*:?[ \t]*[`*"'_]*([A-Za-z0-9][A-Za-z0-9_.-]*)[^\n]*\n(?:[ \t]*\n)*[ \t]*```[^\n]*\n([\s\S]*?)^[ \t]*```[ \t]*$/gm;
const FENCE = /```[ \t]*([A-Za-z]*)[^\n]*\n([\s\S]*?)```/g;

export function parseResponse(text: string): ParsedResponse {
  const found: Array<{ at: number; op: EditOp }> = [];
  for (const m of text.matchAll(BLOCK)) found.push({ at: m.index!, op: { kind: 'search-replace', search: m[1], replace: m[2] } });
  for (const m of text.matchAll(REPLACE_BLOCK)) found.push({ at: m.index!, op: { kind: 'replace-block', name: m[1], body: m[2] } });
  found.sort((a, b) => a.at - b.at);
  const ops = found.map((f) => f.op);
  const edits = ops
    .filter((o): o is EditOp & { kind: 'search-replace' } => o.kind === 'search-replace')
    .map(({ search, replace }) => ({ search, replace }));
  const blocks = ops
    .filter((o): o is EditOp & { kind: 'replace-block' } => o.kind === 'replace-block')
    .map(({ name, body }) => ({ name, body }));
  const rest = text.replace(BLOCK, '').replace(REPLACE_BLOCK, '');
  let fullFile: string | undefined;
  if (!ops.length) {
    for (const m of rest.matchAll(FENCE)) {
      const body = m[2];
      if (
        /export\s+(async\s+)?function\s+encode\b|export\s+const\s+encode\b/.test(body) &&
        /export\s+(async\s+)?function\s+decode\b|export\s+const\s+decode\b/.test(body)
      ) {
        fullFile = body;
      }
    }
  }
  const h = /^\s*(?:\*\*)?hypothesis(?:\*\*)?\s*:\s*(?:\*\*)?\s*(.+)$/im.exec(text);
  let hypothesis = h ? h[1].trim() : '';
  if (!hypothesis) {
    const prose =
      rest
        .replace(FENCE, '')
        .trim()
        .split(/\n\s*\n/)[0] ?? '';
    hypothesis = prose.replace(/\s+/g, ' ').slice(0, 400);
  }
  return { hypothesis, edits, blocks, ops, fullFile };
}

function normLine(l: string): string {
  return l
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/ ?([{}()[\];,=+\-*/<>!&|?:]) ?/g, '$1');
}

/** Finds `search` in `code` by lines with whitespace normalised; returns the character range. */
function tolerantFind(code: string, search: string, blocks: BlockRange[]): { from: number; to: number } | undefined {
  const want = search.split('\n').map(normLine);
  while (want.length && !want[0]) want.shift();
  while (want.length && !want[want.length - 1]) want.pop();
  if (!want.length) return undefined;
  const lines = code.split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.length + 1;
  }
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
  return replace
    .split('\n')
    .map((l) => (l.startsWith(given) ? have + l.slice(given.length) : l))
    .join('\n');
}

const OUTSIDE = 'the SEARCH text is outside every EVOLVE-BLOCK; only code between // EVOLVE-BLOCK-START and // EVOLVE-BLOCK-END may change';

function isMarker(line: string, marker: string): boolean {
  const t = line.trimStart();
  return t.startsWith(marker) && (t.length === marker.length || /\s/.test(t[marker.length]));
}

/** A block body as the model wrote it, without the marker lines it may have copied along. */
function blockBody(body: string): string | { error: string } {
  const lines = body.replace(/\s+$/, '').split('\n');
  while (lines.length && !lines[0].trim()) lines.shift();
  if (lines.length && isMarker(lines[0], EVOLVE_BLOCK_START)) lines.shift();
  if (lines.length && isMarker(lines[lines.length - 1], EVOLVE_BLOCK_END)) lines.pop();
  if (lines.some((l) => isMarker(l, EVOLVE_BLOCK_START) || isMarker(l, EVOLVE_BLOCK_END))) {
    return { error: 'a REPLACE BLOCK body contains an EVOLVE-BLOCK marker; send one block per REPLACE BLOCK, without the marker lines' };
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

type Failure = Extract<EditOutcome, { ok: false }>;

function applySearchReplace(code: string, e: SearchReplace): { code: string; tolerant: boolean } | Failure {
  const blocks = evolveBlocks(code);
  if (!e.search.trim()) {
    return { ok: false, class: 'edit-failed', message: 'a SEARCH section is empty; quote the exact lines to replace', unmatched: e.search };
  }
  const exact = allIndexes(code, e.search);
  const inside = exact.filter((i) => insideBlocks(blocks, i, i + e.search.length));
  if (inside.length) {
    const i = inside[0];
    return { code: code.slice(0, i) + e.replace + code.slice(i + e.search.length), tolerant: false };
  }
  if (exact.length) return { ok: false, class: 'edit-failed', unmatched: e.search, message: OUTSIDE };
  const t = tolerantFind(code, e.search, blocks);
  if (!t) {
    const anywhere = tolerantFind(code, e.search, [{ start: 0, end: code.length }]);
    return {
      ok: false,
      class: 'edit-failed',
      unmatched: e.search,
      message: anywhere
        ? OUTSIDE
        : 'the SEARCH text matches nothing in the parent program (even ignoring whitespace); copy the lines exactly',
    };
  }
  return {
    code: code.slice(0, t.from) + reindent(e.replace, code.slice(t.from, t.to)).replace(/\n$/, '') + code.slice(t.to),
    tolerant: true,
  };
}

function applyBlock(code: string, b: BlockReplacement): string | Failure {
  const body = blockBody(b.body);
  if (typeof body !== 'string') return { ok: false, class: 'edit-failed', message: body.error };
  const next = replaceBlock(code, b.name, body);
  if (next === undefined) {
    const names = blockNames(code);
    return {
      ok: false,
      class: 'edit-failed',
      unmatched: `REPLACE BLOCK ${b.name}`,
      message: `there is no EVOLVE-BLOCK named '${b.name}'; the blocks are: ${names.length ? names.join(', ') : '(none)'}`,
    };
  }
  return next;
}

export function applyEdits(parent: string, parsed: ParsedResponse): EditOutcome {
  const ops: EditOp[] = parsed.ops ?? [
    ...parsed.edits.map((e) => ({ kind: 'search-replace' as const, ...e })),
    ...(parsed.blocks ?? []).map((b) => ({ kind: 'replace-block' as const, ...b })),
  ];
  if (ops.length) {
    let code = parent;
    let tolerant = 0;
    for (const op of ops) {
      if (op.kind === 'replace-block') {
        const r = applyBlock(code, op);
        if (typeof r !== 'string') return r;
        code = r;
        continue;
      }
      const r = applySearchReplace(code, op);
      if ('ok' in r) return r;
      code = r.code;
      if (r.tolerant) tolerant++;
    }
    if (code === parent) return { ok: false, class: 'edit-failed', message: 'the edits change nothing (REPLACE equals SEARCH)' };
    // A REPLACE text may itself carry a marker line; the blocks and the frame must come out as they went in.
    if (blockNames(code).join('\n') !== blockNames(parent).join('\n') || frameChanged(parent, code)) {
      return {
        ok: false,
        class: 'edit-failed',
        message:
          'the edits add, remove or rename an EVOLVE-BLOCK marker or change code outside the blocks; change only the code between the markers',
      };
    }
    const kinds = new Set(ops.map((o) => o.kind));
    const kind: EditKind = kinds.size > 1 ? 'mixed' : kinds.has('replace-block') ? 'replace-block' : 'search-replace';
    return { ok: true, code, kind, applied: ops.length, tolerant };
  }
  if (parsed.fullFile !== undefined) {
    const parentBlocks = evolveBlocks(parent);
    if (parentBlocks.length) {
      const norm = (s: string) => frameOf(s).split('\n').map(normLine).filter(Boolean).join('\n');
      if (evolveBlocks(parsed.fullFile).length !== parentBlocks.length || norm(parsed.fullFile) !== norm(parent)) {
        return {
          ok: false,
          class: 'edit-failed',
          unmatched: undefined,
          message: 'the full-file rewrite changes code outside the EVOLVE-BLOCKs (or drops a block marker); keep that code as it is',
        };
      }
    }
    return { ok: true, code: parsed.fullFile, kind: 'full-file', applied: 1, tolerant: 0 };
  }
  return {
    ok: false,
    class: 'no-code',
    message: 'the answer contains no SEARCH/REPLACE sections, no REPLACE BLOCK and no complete program in a ``` fence',
  };
}
