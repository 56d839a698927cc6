// codec-evolve evaluate <codec>: the full RD evaluation of a codec file in the sandbox against the
// reference codecs (x264, x265, AV1 through ffmpeg on the same frames). Exit 0 ok, 3 candidate failed.
import { basename, join, resolve } from 'node:path';
import type { Command } from '../command';
import { parse } from '../args';
import { EXIT_CODES, UsageError } from '../../core/errors';
import { packageRoot } from '../../core/paths';
import { REFERENCE_CODECS, defaultCacheDir, type ReferenceCodec } from '../../core/baseline/reference';
import { evaluateCandidate, type Evaluation } from '../../core/harness/evaluate';
import { METRIC_IDS, METRICS, metricOf, type MetricId } from '../../core/metrics/registry';
import { formatFailure } from '../../core/sandbox/failures';
import { configuredLimits } from '../../core/sandbox/limits';
import { readCodec } from './validate';

function list(s: string | undefined): string[] | undefined {
  return s === undefined
    ? undefined
    : s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
}

function positiveInt(name: string, s: string | undefined, max: number): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`--${name} must be an integer 1..${max}, got '${s}'`, `e.g. --${name} ${Math.min(5, max)}`);
  return n;
}

const f = (x: number, d: number, w: number) => (Number.isFinite(x) ? x.toFixed(d) : 'inf').padStart(w);

function printEvaluation(e: Extract<Evaluation, { ok: true }>, file: string, out: (l: string) => void): void {
  out(`${file}${e.meta?.name ? ` (${e.meta.name})` : ''} — sandbox ${e.sandboxLevel.summary}`);
  for (const c of e.clips) {
    out(
      `${c.name}: ${c.width}x${c.height}, ${c.frames} frames at ${f(c.fpsNum / c.fpsDen, 2, 0)} fps; ${c.searched} qualities tried, ${c.points.length} kept`,
    );
    const ms = METRIC_IDS.filter((m) => e.summary.metrics.includes(m));
    out(`  quality      bytes      kbps ${ms.map((m) => METRICS[m].label.padStart(8)).join(' ')}   enc ms  dec ms`);
    for (const p of c.points) {
      out(
        `  ${String(p.quality).padStart(7)} ${String(p.bytes).padStart(10)} ${f(p.kbps, 1, 9)} ${ms.map((m) => f(metricOf(p, m), METRICS[m].decimals, 8)).join(' ')} ${f(p.encodeMs, 0, 8)} ${f(p.decodeMs, 0, 7)}`,
      );
    }
    for (const codec of Object.keys(c.references) as ReferenceCodec[]) {
      const ref = c.references[codec] ?? [];
      out(
        `  BD-rate vs ${codec} (PCHIP, ${ref.length} points, ${f(Math.min(...ref.map((p) => p.kbps)), 1, 0)}..${f(Math.max(...ref.map((p) => p.kbps)), 1, 0)} kbps):`,
      );
      for (const m of ms) {
        const d = c.bdRateDetail[m]?.[codec];
        if (!d) continue;
        const unit = m === 'ssimY' ? ' dB of −10·log10(1−SSIM)' : METRICS[m].unit === 'dB' ? ' dB' : '';
        out(
          d.error !== undefined
            ? `    ${METRICS[m].label.padEnd(8)} n/a — ${d.error}`
            : `    ${METRICS[m].label.padEnd(8)} ${d.percent! >= 0 ? '+' : ''}${d.percent!.toFixed(2)} % over ${d.overlap!.low.toFixed(2)}..${d.overlap!.high.toFixed(2)}${unit}`,
        );
      }
    }
    for (const s of c.referencesSkipped) out(`  ${s.codec}: skipped (${s.reason})`);
  }
  for (const [m, byRef] of Object.entries(e.summary.meanBdRate) as [MetricId, Record<string, number>][]) {
    out(
      `mean BD-rate ${METRICS[m].label}: ${Object.entries(byRef)
        .map(([k, v]) => `${k} ${v >= 0 ? '+' : ''}${v.toFixed(2)} %`)
        .join(', ')}`,
    );
  }
  for (const n of e.summary.notes ?? []) out(`note: ${n}`);
  out(
    `${e.summary.points} points, encode ${f(e.summary.encodeMs, 0, 0)} ms, decode ${f(e.summary.decodeMs, 0, 0)} ms, sandbox start-up ${f(e.summary.meanStartupMs, 0, 0)} ms per child, total ${(e.summary.evaluationMs / 1000).toFixed(1)} s`,
  );
  for (const m of e.sandboxLevel.missing) out(`sandbox note: ${m}`);
}

export const evaluate: Command = {
  name: 'evaluate',
  summary: 'run a codec in the sandbox: RD curve per clip and BD-rate vs x264/x265/AV1',
  usage: `codec-evolve evaluate <codec.js|codec.ts> [--clips a.y4m,b.mp4] [--frames N] [--qualities 20,40,60,80]
                      [--points N] [--codecs x264,x265,av1|none] [--timeout-ms MS] [--memory-mb MB] [--json]
                      [--ffmpeg PATH] [--cache-dir DIR] [--require-permission]

  Validates the codec, then for each clip runs encode and decode in separate sandboxed processes at
  several qualities chosen so the curve's PSNR-Y range overlaps the reference codecs' (coarse sweep
  then bisection), measures bytes, kbit/s, PSNR-Y/U/V, PSNR-YUV (6·Y+U+V)/8, SSIM-Y (and VMAF when
  this ffmpeg has libvmaf) and times, and computes BD-rate (PCHIP) per metric against each reference
  codec run on the same frames: JSON bdRate.<metric>.<codec>, e.g. bdRate.psnrYuv.x264.
  --clips       comma-separated clips (default: the bundled talking_heads_160x96_9f.y4m)
  --frames      use only the first N frames of each clip
  --qualities   exact qualities instead of the search
  --points      RD points per clip when searching (default 5; BD-rate needs 4)
  --codecs      reference codecs (default all that this ffmpeg has; 'none' for no BD-rate)
  --timeout-ms  wall-clock limit per sandbox child (default 120000)
  --memory-mb   memory limit per sandbox child, as codecEvolution.sandbox.memoryMb: JavaScript heap
                cap MB, resident memory 2 × MB (default 1024)
  --require-permission  refuse to run unless Node's permission model is active
  --json        one JSON document: the evaluation ({ok:false, failure:{class, message, line, column}} on failure)
  Exit: 0 ok, 3 the candidate failed, 2 usage, 4 bad input, 5 environment (ffmpeg, encoders).`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        clips: { type: 'string' },
        frames: { type: 'string' },
        qualities: { type: 'string' },
        points: { type: 'string' },
        codecs: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'memory-mb': { type: 'string' },
        json: { type: 'boolean' },
        ffmpeg: { type: 'string' },
        'cache-dir': { type: 'string' },
        'require-permission': { type: 'boolean' },
      },
      'evaluate',
    );
    if (positionals.length !== 1) throw new UsageError('evaluate needs exactly one codec file', "run 'codec-evolve help evaluate'");
    const file = positionals[0];
    const frames = positiveInt('frames', values.frames, 100000);
    const points = positiveInt('points', values.points, 12);
    const timeoutMs = positiveInt('timeout-ms', values['timeout-ms'], 24 * 3600 * 1000);
    const memoryMb = positiveInt('memory-mb', values['memory-mb'], 1024 * 1024);
    const qualities = list(values.qualities)?.map((q) => {
      const n = Number(q);
      if (!Number.isFinite(n) || n < 0 || n > 100)
        throw new UsageError(`--qualities: '${q}' is not a number 0..100`, 'e.g. --qualities 20,40,60,80');
      return n;
    });
    let references: ReferenceCodec[] = REFERENCE_CODECS;
    let explicit = false;
    const codecs = list(values.codecs);
    if (codecs) {
      if (codecs.length === 1 && codecs[0] === 'none') references = [];
      else {
        const bad = codecs.filter((c) => !REFERENCE_CODECS.includes(c as ReferenceCodec));
        if (bad.length || !codecs.length)
          throw new UsageError(`unknown codec(s) '${bad.join(',')}' in --codecs`, `choose from ${REFERENCE_CODECS.join(',')} or none`);
        references = codecs as ReferenceCodec[];
        explicit = true;
      }
    }
    const clipPaths = list(values.clips)?.map((c) => resolve(io.cwd, c)) ?? [
      join(packageRoot(), 'media', 'clips', 'talking_heads_160x96_9f.y4m'),
    ];
    const source = readCodec(io.cwd, file);
    const e = await evaluateCandidate(source, {
      filename: basename(file),
      clips: clipPaths.map((path) => ({ path, frames })),
      qualities,
      points,
      references,
      referencesOptional: !explicit,
      limits: configuredLimits({ timeoutMs, memoryMb }),
      ffmpeg: values.ffmpeg,
      cacheDir: values['cache-dir'] ? resolve(io.cwd, values['cache-dir']) : defaultCacheDir(),
      run: { requirePermissionModel: values['require-permission'] ?? false },
      signal: io.signal,
      onProgress: values.json ? undefined : (m) => io.err(`  ${m}`),
      onWarning: (m) => io.err(`warning: ${m}`),
    });
    if (values.json) io.out(JSON.stringify(e, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
    if (!e.ok) {
      io.err(formatFailure(e.failure, file) + (e.failure.clip ? ` [clip ${e.failure.clip}, quality ${e.failure.quality}]` : ''));
      if (e.failure.detail) io.err(e.failure.detail);
      return EXIT_CODES.candidate;
    }
    if (!values.json) printEvaluation(e, file, io.out);
    return 0;
  },
};
