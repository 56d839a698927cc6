// codec-evolve bdrate: Bjøntegaard delta rate between two RD curves given as CSV or JSON files.
import { readFile } from 'node:fs/promises';
import type { Command } from '../command';
import { parse } from '../args';
import { InputError, UsageError } from '../../core/errors';
import { bdRate, type BdMethod, type RatePoint } from '../../core/metrics/bdrate';

/** CSV with a header naming kbps and psnr columns, or a JSON array of {kbps, psnr} (psnrY accepted). */
function parseRatePoints(text: string, name: string): RatePoint[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (e) {
      throw new InputError(`${name} is not valid JSON: ${(e as Error).message}`, 'give a JSON array of {"kbps": .., "psnr": ..}');
    }
    const arr = Array.isArray(data) ? data : (data as { points?: unknown }).points;
    if (!Array.isArray(arr)) throw new InputError(`${name} holds no array of points`, 'give a JSON array of {"kbps": .., "psnr": ..}');
    return arr.map((p: Record<string, unknown>, i) => {
      const kbps = Number(p.kbps),
        psnr = Number(p.psnr ?? p.psnrY);
      if (!Number.isFinite(kbps) || !Number.isFinite(psnr))
        throw new InputError(`${name}: point ${i + 1} lacks numeric kbps and psnr`, 'every point needs "kbps" and "psnr"');
      return { kbps, psnr };
    });
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
  const header = (lines.shift() ?? '').split(/[,;\t]/).map((h) => h.trim().toLowerCase());
  const ki = header.indexOf('kbps');
  const pi = header.indexOf('psnr') >= 0 ? header.indexOf('psnr') : header.indexOf('psnry');
  if (ki < 0 || pi < 0)
    throw new InputError(
      `${name}: the CSV header must name the columns kbps and psnr (got '${header.join(',')}')`,
      'start the file with the line: kbps,psnr',
    );
  return lines.map((l, i) => {
    const cells = l.split(/[,;\t]/);
    const kbps = Number(cells[ki]),
      psnr = Number(cells[pi]);
    if (!Number.isFinite(kbps) || !Number.isFinite(psnr))
      throw new InputError(`${name}: line ${i + 2} is not two numbers ('${l}')`, 'each line: kbps,psnr');
    return { kbps, psnr };
  });
}

async function load(path: string): Promise<RatePoint[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(e as Error).message}`, 'check the path');
  }
  return parseRatePoints(text, path);
}

export const bdrateCommand: Command = {
  name: 'bdrate',
  summary: 'Bjøntegaard delta rate of a test RD curve against an anchor (PCHIP or cubic)',
  usage: `codec-evolve bdrate --anchor FILE --test FILE [--method pchip|cubic] [--json]

  FILE: CSV with a header line 'kbps,psnr' (other columns ignored), or a JSON array of
  {"kbps": .., "psnr": ..}. Each curve needs at least 4 points; the curves must overlap in PSNR.
  --method   pchip (default; piecewise cubic, as in current common test conditions) or cubic (VCEG-M33 fit)
  --json     one JSON document {percent, overlap: {low, high}, method}
  Negative percent = the test codec needs fewer bits than the anchor at equal PSNR.`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        anchor: { type: 'string' },
        test: { type: 'string' },
        method: { type: 'string' },
        json: { type: 'boolean' },
      },
      'bdrate',
    );
    if (!values.anchor || !values.test)
      throw new UsageError('bdrate needs --anchor FILE and --test FILE', "run 'codec-evolve help bdrate'");
    if (positionals.length)
      throw new UsageError(`bdrate takes no positional arguments (got '${positionals.join(' ')}')`, 'pass files with --anchor and --test');
    const method = (values.method ?? 'pchip') as BdMethod;
    if (method !== 'pchip' && method !== 'cubic')
      throw new UsageError(`unknown --method '${values.method}'`, 'use --method pchip or --method cubic');
    const r = bdRate(await load(values.anchor), await load(values.test), { method });
    if (values.json) io.out(JSON.stringify({ schemaVersion: 1, anchor: values.anchor, test: values.test, ...r }, null, 2));
    else io.out(`BD-rate (${method}): ${r.percent.toFixed(4)} % over PSNR ${r.overlap.low.toFixed(4)}..${r.overlap.high.toFixed(4)} dB`);
    return 0;
  },
};
