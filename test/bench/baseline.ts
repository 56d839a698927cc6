// Figure 5: the reference-codec cache. The same runReference call (x264, x265 and AV1, 5 points each)
// on one clip, first against a fresh empty cache folder (every point encoded), then again (every
// point read from disk). The clip is already in memory for both, so only the cache differs.
import { runReference } from '../../src/core/baseline/reference';
import { readVideo } from '../../src/core/video/read';
import { TALKING_HEADS_320 } from './media';
import type { SectionResult } from './report';
import { median } from './stats';

export async function benchBaselineCache(ffmpeg: string, cacheDir: string, warmRuns = 5): Promise<SectionResult> {
  const video = await readVideo(TALKING_HEADS_320, { ffmpegPath: ffmpeg });
  let t0 = performance.now();
  const cold = await runReference(video, { ffmpeg, cacheDir });
  const coldMs = performance.now() - t0;
  const warm: number[] = [];
  let hits = 0;
  for (let i = 0; i < warmRuns; i++) {
    t0 = performance.now();
    const r = await runReference(video, { ffmpeg, cacheDir });
    warm.push(performance.now() - t0);
    if (r.ffmpegRuns !== 0) throw new Error(`warm run still encoded ${r.ffmpegRuns} points`);
    hits = r.curves.reduce((s, c) => s + c.cacheHits, 0);
  }
  const warmMs = median(warm);
  return {
    figures: [
      {
        id: 'baseline.cacheSpeedup',
        label: 'reference cache: cold / warm',
        value: coldMs / warmMs,
        unit: 'x',
        goal: { op: '>=', value: 50 },
        note: `cold ${(coldMs / 1000).toFixed(1)} s (${cold.ffmpegRuns} encodes) vs warm ${warmMs.toFixed(1)} ms (median of ${warmRuns})`,
      },
    ],
    detail: {
      clip: `talking_heads_320x192_9f (${video.frames.length} frames)`,
      codecs: cold.curves.map((c) => c.encoder),
      skipped: cold.skipped,
      coldMs: Math.round(coldMs),
      coldEncodes: cold.ffmpegRuns,
      warmMs: warm.map((x) => Math.round(x * 10) / 10),
      warmCacheHits: hits,
    },
  };
}
