// EVOLVE-BLOCK regions: the only text an edit may change. Everything outside (the contract exports,
// the bitstream header) stays fixed so a model cannot break what the harness relies on.
// A block is named on its start line (`// EVOLVE-BLOCK-START motion-search`) so prompts, edits
// (`REPLACE BLOCK motion-search`), the focus of a proposal and the review can all point at one region;
// an unnamed block is called `block-N` after its position.
import { EVOLVE_BLOCK_END, EVOLVE_BLOCK_START } from './contract';

export interface BlockRange {
  /** Offset of the first character after the START marker's line. */
  start: number;
  /** Offset of the first character of the END marker's line. */
  end: number;
}

export interface EvolveBlock extends BlockRange {
  name: string;
  /** False when the START line gave no name (the block is then `block-N`). */
  named: boolean;
  /** 1-based lines of the START and END markers. */
  startLine: number;
  endLine: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*/;

function markerLine(line: string, marker: string): string | undefined {
  const t = line.trimStart();
  if (!t.startsWith(marker)) return undefined;
  const rest = t.slice(marker.length);
  // `// EVOLVE-BLOCK-STARTED` is not a marker; a space, a tab or the end of the line must follow.
  if (rest && !/^\s/.test(rest)) return undefined;
  return rest.trim();
}

/** Every EVOLVE-BLOCK, in order: its name and the range between its marker lines (markers excluded).
 * Markers count only at the start of a line, so prose that mentions them does not open a block. A
 * START with no END is not a block. Duplicate names get a `-2`, `-3` suffix so names stay keys. */
export function evolveBlocks(source: string): EvolveBlock[] {
  const out: EvolveBlock[] = [];
  const seen = new Map<string, number>();
  let open: { name: string; named: boolean; start: number; startLine: number } | undefined;
  let offset = 0;
  let lineNo = 0;
  for (const line of source.split('\n')) {
    const at = offset;
    offset += line.length + 1;
    lineNo++;
    if (!open) {
      const rest = markerLine(line, EVOLVE_BLOCK_START);
      if (rest === undefined) continue;
      const given = NAME.exec(rest)?.[0];
      open = { name: given ?? '', named: !!given, start: Math.min(offset, source.length), startLine: lineNo };
      continue;
    }
    if (markerLine(line, EVOLVE_BLOCK_END) === undefined) continue;
    let name = open.named ? open.name : `block-${out.length + 1}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name}-${n}`;
    out.push({ name, named: open.named, start: open.start, end: Math.max(open.start, at), startLine: open.startLine, endLine: lineNo });
    open = undefined;
  }
  return out;
}

export function insideBlocks(blocks: BlockRange[], from: number, to: number): boolean {
  return blocks.some((b) => from >= b.start && to <= b.end);
}

/** The text outside every block; two programs with equal frames may differ only inside blocks. */
export function frameOf(source: string): string {
  const blocks = evolveBlocks(source);
  let out = '';
  let pos = 0;
  for (const b of blocks) {
    out += source.slice(pos, b.start) + '\u0000';
    pos = b.end;
  }
  return out + source.slice(pos);
}

export function blockNames(source: string): string[] {
  return evolveBlocks(source).map((b) => b.name);
}

export function getBlock(source: string, name: string): EvolveBlock | undefined {
  return evolveBlocks(source).find((b) => b.name === name);
}

/** The code of block `name` (between its markers), or undefined when there is no such block. */
export function blockText(source: string, name: string): string | undefined {
  const b = getBlock(source, name);
  return b ? source.slice(b.start, b.end) : undefined;
}

/** `source` with the body of block `name` replaced (markers kept); undefined when there is no such block. */
export function replaceBlock(source: string, name: string, body: string): string | undefined {
  const b = getBlock(source, name);
  if (!b) return undefined;
  const text = body.length && !body.endsWith('\n') ? body + '\n' : body;
  return source.slice(0, b.start) + text + source.slice(b.end);
}

/** One line per block for prompts and reports: name, lines, size. */
export interface BlockSummary {
  name: string;
  startLine: number;
  endLine: number;
  lines: number;
  chars: number;
}

export function blockMap(source: string): BlockSummary[] {
  return evolveBlocks(source).map((b) => ({
    name: b.name,
    startLine: b.startLine,
    endLine: b.endLine,
    lines: Math.max(0, b.endLine - b.startLine - 1),
    chars: b.end - b.start,
  }));
}

export interface BlockChange {
  name: string;
  change: 'modified' | 'added' | 'removed';
}

/** Which blocks differ between parent and child, compared by name (trailing whitespace ignored). */
export function changedBlocks(parent: string, child: string): BlockChange[] {
  const norm = (s: string) =>
    s
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trim();
  const a = new Map(evolveBlocks(parent).map((b) => [b.name, norm(parent.slice(b.start, b.end))]));
  const b = new Map(evolveBlocks(child).map((x) => [x.name, norm(child.slice(x.start, x.end))]));
  const out: BlockChange[] = [];
  for (const [name, text] of b) {
    if (!a.has(name)) out.push({ name, change: 'added' });
    else if (a.get(name) !== text) out.push({ name, change: 'modified' });
  }
  for (const name of a.keys()) if (!b.has(name)) out.push({ name, change: 'removed' });
  return out;
}

/** True when the code outside the blocks differs (whitespace and comments at line ends aside). */
export function frameChanged(parent: string, child: string): boolean {
  const norm = (s: string) =>
    frameOf(s)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join('\n');
  return norm(parent) !== norm(child);
}

/** "motion-search, entropy (added)" — the changed blocks in one line, for review and history. */
export function describeBlockChanges(parent: string, child: string): string {
  const parts = changedBlocks(parent, child).map((c) => (c.change === 'modified' ? c.name : `${c.name} (${c.change})`));
  if (frameChanged(parent, child)) parts.push('code outside the blocks');
  return parts.length ? parts.join(', ') : 'no block changed';
}

const COMMENT_ONLY = /^\s*(\/\/.*)?$/;

/** Non-blank, non-comment lines inside blocks vs in the whole file (block comments are counted as
 * code; the seeds use line comments). The share a model may rewrite. */
export function blockCoverage(source: string): { inside: number; total: number; share: number } {
  const blocks = evolveBlocks(source);
  let inside = 0,
    total = 0,
    offset = 0;
  for (const line of source.split('\n')) {
    const at = offset;
    offset += line.length + 1;
    if (COMMENT_ONLY.test(line)) continue;
    total++;
    if (insideBlocks(blocks, at, at + line.length)) inside++;
  }
  return { inside, total, share: total ? inside / total : 0 };
}
