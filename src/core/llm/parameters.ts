// `// @evolve` annotations: the tunable constants of a codec, one per line inside EVOLVE-BLOCKs.
//   const LAMBDA_SCALE = 0.85;  // @evolve float 0.2 4
//   const SEARCH_RANGE = 16;    // @evolve int 4 64
//   const SUBPEL = true;        // @evolve bool
//   const INTRA_SET = 'all';    // @evolve choice 'dc' 'planar' 'all'
import { evolveBlocks, insideBlocks } from '../codec/blocks';

export type ParamValue = number | boolean | string;

export interface EvolveParam {
  name: string;
  type: 'float' | 'int' | 'bool' | 'choice';
  value: ParamValue;
  min?: number;
  max?: number;
  choices?: string[];
  /** The whole source line, exactly as written (the SEARCH text of an edit). */
  line: string;
  /** The line split around the value, to rewrite it in place. */
  before: string;
  after: string;
  /** Quote used by a choice literal. */
  quote?: string;
}

const LINE = /^(\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*)([^;\n]*?)(\s*;?\s*\/\/\s*@evolve\s+(float|int|bool|choice)\b([^\n]*))$/;

function parseChoices(rest: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(rest); m; m = re.exec(rest)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Every annotated parameter inside the EVOLVE-BLOCKs of `source`, in order. Malformed annotations are skipped. */
export function parseParameters(source: string): EvolveParam[] {
  const blocks = evolveBlocks(source);
  const out: EvolveParam[] = [];
  let offset = 0;
  for (const line of source.split('\n')) {
    const at = offset;
    offset += line.length + 1;
    if (!line.includes('@evolve')) continue;
    if (!insideBlocks(blocks, at, at + line.length)) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const [, before, name, raw, after, type, rest] = m;
    const p: EvolveParam = { name, type: type as EvolveParam['type'], value: 0, line, before, after };
    const text = raw.trim();
    if (type === 'float' || type === 'int') {
      const v = Number(text);
      const [lo, hi] = rest.trim().split(/\s+/).map(Number);
      if (!text || !Number.isFinite(v) || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) continue;
      Object.assign(p, { value: v, min: lo, max: hi });
    } else if (type === 'bool') {
      if (text !== 'true' && text !== 'false') continue;
      p.value = text === 'true';
    } else {
      const q = /^(['"])(.*)\1$/.exec(text);
      const choices = parseChoices(rest);
      if (!q || choices.length < 1) continue;
      Object.assign(p, { value: q[2], quote: q[1], choices });
    }
    out.push(p);
  }
  return out;
}

export function formatValue(p: EvolveParam, v: ParamValue): string {
  if (p.type === 'int') return String(Math.round(v as number));
  if (p.type === 'float') return String(Number((v as number).toPrecision(4)));
  if (p.type === 'bool') return v ? 'true' : 'false';
  return `${p.quote ?? "'"}${String(v)}${p.quote ?? "'"}`;
}

export function renderLine(p: EvolveParam, v: ParamValue): string {
  return p.before + formatValue(p, v) + p.after;
}
