// EVOLVE-BLOCK regions: the only text an edit may change. Everything outside (the contract exports,
// the bitstream header) stays fixed so a model cannot break what the harness relies on.
import { EVOLVE_BLOCK_END, EVOLVE_BLOCK_START } from './contract';

export interface BlockRange {
  /** Offset of the first character after the START marker's line. */
  start: number;
  /** Offset of the first character of the END marker's line. */
  end: number;
}

/** The character ranges inside each EVOLVE-BLOCK (between the marker lines, markers excluded). */
export function evolveBlocks(source: string): BlockRange[] {
  const out: BlockRange[] = [];
  let from = 0;
  for (;;) {
    const s = source.indexOf(EVOLVE_BLOCK_START, from);
    if (s < 0) break;
    const lineEnd = source.indexOf('\n', s);
    const start = lineEnd < 0 ? source.length : lineEnd + 1;
    const e = source.indexOf(EVOLVE_BLOCK_END, start);
    if (e < 0) break;
    const endLine = source.lastIndexOf('\n', e) + 1;
    out.push({ start, end: Math.max(start, endLine) });
    from = e + EVOLVE_BLOCK_END.length;
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
  for (const b of blocks) { out += source.slice(pos, b.start) + '\u0000'; pos = b.end; }
  return out + source.slice(pos);
}
