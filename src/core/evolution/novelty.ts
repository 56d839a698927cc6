// Novelty before evaluation: programs that differ only in comments or whitespace are the same
// program, and evaluating one twice costs seconds for nothing.
import { createHash } from 'node:crypto';

/** Source without comments and with whitespace collapsed (string literals kept as they are). */
export function normalizeCode(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  // Whitespace matters only between two word characters (`let x`); elsewhere it is dropped.
  const space = () => {
    while (i < n && /\s/.test(source[i])) i++;
    if (/[\w$]$/.test(out) && /[\w$]/.test(source[i] ?? '')) out += ' ';
  };
  while (i < n) {
    const c = source[i];
    const d = source[i + 1];
    if (c === '/' && d === '/') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && d === '*') {
      const e = source.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      space();
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && source[j] !== c) {
        if (source[j] === '\\') j++;
        j++;
      }
      out += source.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (/\s/.test(c)) {
      while (i < n && /\s/.test(source[i])) i++;
      space();
      continue;
    }
    out += c;
    i++;
  }
  return out.trim();
}

export function codeHash(source: string): string {
  return createHash('sha256').update(normalizeCode(source)).digest('hex').slice(0, 16);
}
