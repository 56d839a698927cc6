// Maps positions in esbuild's JavaScript output back to the TypeScript the author wrote, so every
// diagnostic and runtime error points into the original file. A minimal source-map v3 reader
// (base64 VLQ), enough for esbuild's single-source transform maps.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** One mapping segment: generated column → original line/column (all 0-based). */
interface Segment {
  genCol: number;
  origLine: number;
  origCol: number;
}

export class SourceMapper {
  private readonly lines: Segment[][];

  constructor(mappings: string) {
    this.lines = decodeMappings(mappings);
  }

  static fromJson(json: string): SourceMapper {
    return new SourceMapper(String(JSON.parse(json).mappings ?? ''));
  }

  /**
   * Original position of a generated one (line 1-based, column 0-based in, same out), or undefined
   * when nothing maps there. Takes the closest segment at or before the position; when it is on the
   * same generated line, the distance from it is kept (esbuild maps every token, so the gap is the
   * unchanged text inside one token).
   */
  original(line: number, column: number): { line: number; column: number } | undefined {
    for (let l = Math.min(line - 1, this.lines.length - 1); l >= 0; l--) {
      const segs = this.lines[l];
      let best: Segment | undefined;
      for (const s of segs) {
        if (l === line - 1 && s.genCol > column) break;
        best = s;
      }
      if (best) {
        const delta = l === line - 1 ? column - best.genCol : 0;
        return { line: best.origLine + 1, column: best.origCol + delta };
      }
    }
    return undefined;
  }
}

function decodeMappings(mappings: string): Segment[][] {
  const out: Segment[][] = [];
  let origLine = 0,
    origCol = 0,
    i = 0;
  for (const lineText of mappings.split(';')) {
    const segs: Segment[] = [];
    let genCol = 0;
    if (lineText) {
      for (const segText of lineText.split(',')) {
        if (!segText) continue;
        const fields: number[] = [];
        i = 0;
        while (i < segText.length) {
          let value = 0,
            shift = 0,
            digit: number;
          do {
            digit = B64_INDEX[segText.charCodeAt(i++)];
            if (digit < 0) throw new Error(`bad source map character in '${segText}'`);
            value += (digit & 31) << shift;
            shift += 5;
          } while (digit & 32);
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        }
        genCol += fields[0];
        if (fields.length >= 4) {
          origLine += fields[2];
          origCol += fields[3];
          segs.push({ genCol, origLine, origCol });
        }
      }
    }
    segs.sort((a, b) => a.genCol - b.genCol);
    out.push(segs);
  }
  return out;
}
