// Figure 3: where one evaluation's time goes, for the hybrid seed on foreman. The real
// evaluateCandidate runs (fixed qualities, x264 reference from a pre-warmed cache, determinism check
// off as in the training stage) and is timed from outside: its progress messages mark when the clip
// was read and when each point started; encode/decode times come from inside the sandbox children,
// metrics are re-timed on the same frames; what remains of each point is sandbox start-up and
// transport, and what remains outside the points is bookkeeping. Harness share = everything but the candidate's own encode and decode.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runReference } from '../../src/core/baseline/reference';
import { PsnrAccumulator } from '../../src/core/metrics/psnr';
import { SsimAccumulator } from '../../src/core/metrics/ssim';
import { packageRoot } from '../../src/core/paths';
import { evaluateCandidate } from '../../src/core/harness/evaluate';
import { sandboxLevel } from '../../src/core/sandbox/runner';
import { readVideo } from '../../src/core/video/read';
import { FOREMAN } from './media';
import type { SectionResult } from './report';
import { sum } from './stats';

export async function benchBreakdown(ffmpeg: string, cacheDir: string, qualities: number[]): Promise<SectionResult> {
  const source = readFileSync(join(packageRoot(), 'src', 'core', 'codec', 'seeds', 'hybrid.js'), 'utf8');
  await sandboxLevel(); // the one-time runtime probe is not part of an evaluation
  // Pre-warm the reference cache: a cold x264 run is figure 5's subject, not this one's.
  await runReference(await readVideo(FOREMAN, { ffmpegPath: ffmpeg }), { codecs: ['x264'], ffmpeg, cacheDir });

  const marks: { t: number; message: string }[] = [];
  const t0 = performance.now();
  const ev = await evaluateCandidate(source, {
    clips: [FOREMAN],
    qualities,
    references: ['x264'],
    ffmpeg,
    cacheDir,
    determinism: 'off',
    filename: 'hybrid.js',
    onProgress: (message) => marks.push({ t: performance.now() - t0, message }),
  });
  const totalMs = performance.now() - t0;
  if (!ev.ok) throw new Error(`hybrid failed on foreman: ${ev.failure.message}`);
  const clip = ev.clips[0];
  const loaded = marks.find((m) => /\d+x\d+, \d+ frames$/.test(m.message))?.t ?? NaN;
  const pointStarts = marks.filter((m) => /candidate quality/.test(m.message)).map((m) => m.t);
  const pointsMs = pointStarts.map((t, i) => (i + 1 < pointStarts.length ? pointStarts[i + 1] : totalMs) - t);

  const encodeMs = ev.summary.encodeMs,
    decodeMs = ev.summary.decodeMs;
  // The metric code on the same frames, as often as the evaluation ran it (once per point).
  const video = await readVideo(FOREMAN, { ffmpegPath: ffmpeg });
  const m0 = performance.now();
  for (let k = 0; k < clip.points.length; k++) {
    const p = new PsnrAccumulator(video.width, video.height),
      s = new SsimAccumulator(video.width, video.height);
    for (const f of video.frames) {
      p.add(f, f);
      s.add(f, f);
    }
  }
  const metricsMs = performance.now() - m0;
  // Start-up and transport together; summary.meanStartupMs (what each child's job waited until the
  // candidate was loaded, 2 children per point) splits them in the detail.
  const sandboxMs = sum(pointsMs) - encodeMs - decodeMs - metricsMs;
  const startupMs = ev.summary.meanStartupMs * 2 * clip.points.length;
  const bookkeepingMs = totalMs - loaded - sum(pointsMs);
  const harnessMs = totalMs - encodeMs - decodeMs;
  const parts = { sourceDecodeMs: loaded, encodeMs, decodeMs, sandboxStartupAndTransportMs: sandboxMs, metricsMs, bookkeepingMs };
  const share = (x: number) => Math.round((x / totalMs) * 1000) / 10;
  return {
    figures: [
      {
        id: 'breakdown.harnessShare',
        label: 'harness share of a hybrid evaluation on foreman',
        value: (harnessMs / totalMs) * 100,
        unit: '%',
        goal: { op: '<=', value: 5 },
        note: `(total - encode - decode) / total over ${clip.points.length} points; total ${(totalMs / 1000).toFixed(1)} s`,
      },
      {
        id: 'breakdown.sandboxShare',
        label: 'of which sandbox start-up + transport',
        value: (sandboxMs / totalMs) * 100,
        unit: '%',
        note: `2 sandbox children per point, started ahead by the evaluation's pool: hand-over, module load, frames in, bytes out (${Math.round(sandboxMs / clip.points.length)} ms per point)`,
      },
    ],
    detail: {
      clip: `${clip.name} ${clip.width}x${clip.height}, ${clip.frames} frames`,
      qualities,
      totalMs: Math.round(totalMs),
      partsMs: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, Math.round(v)])),
      partsPercent: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k.replace(/Ms$/, ''), share(v)])),
      pointsMs: pointsMs.map(Math.round),
      evaluationMsReported: Math.round(ev.summary.evaluationMs),
      summaryMeanStartupMs: Math.round(ev.summary.meanStartupMs * 10) / 10,
      sandboxSplitMs: { startup: Math.round(startupMs), transportAndRest: Math.round(sandboxMs - startupMs) },
      how: 'sourceDecode = start to the clip-loaded progress message; encode/decode = times measured inside the sandbox children; metrics = PSNR+SSIM re-timed on the same frames; sandboxStartupAndTransport = point wall time minus encode, decode and metrics; bookkeeping = the rest (reference cache lookup, BD-rate, validation)',
    },
  };
}
