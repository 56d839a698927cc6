// codec-evolve baseline: x264 / x265 / AV1 through ffmpeg on the given clips, measured by our metric
// code, with BD-rate against x264; cached on disk so a second run costs no encodes.
import { resolve } from 'node:path';
import type { Command } from '../command';
import { parse } from '../args';
import { UsageError } from '../../core/errors';
import { locateFfmpeg } from '../../core/video/ffmpeg';
import { REFERENCE_CODECS, defaultCacheDir, runReference, type ReferenceCodec, type ReferenceResult } from '../../core/baseline/reference';
import { bdRateByMetric, type BdRateDetail } from '../../core/metrics/bdrate';
import { METRIC_IDS, METRICS, formatMetrics, type MetricId } from '../../core/metrics/registry';

/** bdRateVsX264[metric][codec], every metric the points carry. */
function bdVsX264(r: ReferenceResult): Partial<Record<MetricId, Partial<Record<ReferenceCodec, BdRateDetail>>>> {
  const anchor = r.curves.find((c) => c.codec === 'x264');
  const out: Partial<Record<MetricId, Partial<Record<ReferenceCodec, BdRateDetail>>>> = {};
  if (!anchor) return out;
  const metrics = METRIC_IDS.filter((m) => anchor.points.some((p) => p.metrics[m] !== undefined));
  for (const c of r.curves) {
    if (c.codec === 'x264') continue;
    for (const [m, d] of Object.entries(bdRateByMetric(anchor.points, c.points, metrics)) as [MetricId, BdRateDetail][])
      (out[m] ??= {})[c.codec] = d;
  }
  return out;
}

export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'run x264/x265/AV1 through ffmpeg on clips; RD points by our metrics, BD-rate vs x264',
  usage: `codec-evolve baseline <clips...> [--codecs x264,x265,av1] [--points N] [--json] [--ffmpeg PATH] [--cache-dir DIR]

  Encodes each clip with x264 medium, x265 medium and AV1 (libsvtav1, else libaom-av1) at N CRF
  points (default 5), -tune psnr where the encoder has it, as raw elementary streams; decodes them
  back and measures every metric with the same code as candidates. BD-rate is PCHIP vs x264, per
  metric (PSNR-Y/U/V/YUV in dB, SSIM-Y as −10·log10(1−SSIM) dB).
  --codecs     comma-separated subset (default all; codecs this ffmpeg lacks are skipped)
  --points     CRF points per codec, 1..12 (BD-rate needs at least 4)
  --cache-dir  default: $XDG_CACHE_HOME/codec-evolution/baseline or ~/.cache/codec-evolution/baseline
  --json       one JSON document with every point`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        codecs: { type: 'string' },
        points: { type: 'string' },
        json: { type: 'boolean' },
        ffmpeg: { type: 'string' },
        'cache-dir': { type: 'string' },
      },
      'baseline',
    );
    if (!positionals.length) throw new UsageError('baseline needs at least one clip', "run 'codec-evolve help baseline'");
    let codecs: ReferenceCodec[] | undefined;
    if (values.codecs) {
      codecs = values.codecs
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean) as ReferenceCodec[];
      const bad = codecs.filter((c) => !REFERENCE_CODECS.includes(c));
      if (bad.length || !codecs.length)
        throw new UsageError(`unknown codec(s) '${bad.join(',')}' in --codecs`, `choose from ${REFERENCE_CODECS.join(',')}`);
    }
    const points = values.points === undefined ? undefined : Number(values.points);
    if (points !== undefined && !(Number.isInteger(points) && points >= 1 && points <= 12)) {
      throw new UsageError(`--points must be an integer 1..12, got '${values.points}'`, 'use e.g. --points 5');
    }
    const cacheDir = values['cache-dir'] ? resolve(io.cwd, values['cache-dir']) : defaultCacheDir();
    const ffmpeg = await locateFfmpeg({ ffmpegPath: values.ffmpeg });
    io.err(`ffmpeg: ${ffmpeg.path} (${ffmpeg.source}) — ${ffmpeg.version}`);
    const results = [];
    for (const clip of positionals) {
      const path = resolve(io.cwd, clip);
      const t0 = performance.now();
      const r = await runReference(path, {
        codecs,
        points,
        ffmpeg,
        cacheDir,
        signal: io.signal,
        onProgress: (m) => io.err(`  ${clip}: ${m}`),
      });
      const ms = performance.now() - t0;
      const bd = bdVsX264(r);
      results.push({ clip, ms, ...r, bdRateVsX264: bd });
      if (!values.json) {
        io.out(
          `${clip}: ${r.width}x${r.height}, ${r.frames} frames, ${r.ffmpegRuns} encodes, ${r.curves.reduce((a, c) => a + c.cacheHits, 0)} cached, ${(ms / 1000).toFixed(1)} s`,
        );
        for (const s of r.skipped) io.out(`  ${s.codec}: skipped (${s.reason})`);
        for (const c of r.curves) {
          io.out(`  ${c.codec} (${c.encoder})`);
          for (const p of c.points) {
            io.out(
              `    ${(p.setting ?? '').padEnd(8)} ${String(p.bytes).padStart(9)} B ${p.kbps.toFixed(1).padStart(9)} kbps  ${formatMetrics(p.metrics)}  enc ${p.encodeMs.toFixed(0)} ms, dec ${p.decodeMs.toFixed(0)} ms`,
            );
          }
        }
        for (const [m, byCodec] of Object.entries(bd) as [MetricId, Partial<Record<ReferenceCodec, BdRateDetail>>][]) {
          for (const [codec, b] of Object.entries(byCodec)) {
            io.out(
              b.error !== undefined
                ? `  BD-rate ${codec} vs x264 (${METRICS[m].label}): n/a (${b.error})`
                : `  BD-rate ${codec} vs x264 (PCHIP, ${METRICS[m].label}): ${b.percent!.toFixed(2)} % over ${b.overlap!.low.toFixed(2)}..${b.overlap!.high.toFixed(2)}`,
            );
          }
        }
      }
    }
    if (values.json) io.out(JSON.stringify({ schemaVersion: 1, ffmpeg, cacheDir, clips: results }, null, 2));
    return 0;
  },
};
