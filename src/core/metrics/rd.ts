// One rate–distortion point: what a codec spent and what it gave back, for one clip at one setting.
// The one declaration of it: evaluations, reference curves, records and the view all carry this.
import { isMetricId, type MetricValues } from './registry';

export interface RdPoint {
  /** The candidate's quality 0..100 (for evolved codecs). */
  quality?: number;
  /** A reference encoder's setting, e.g. 'crf=28' or 'qp=40'. */
  setting?: string;
  bytes: number;
  kbps: number;
  /** Per registry metric (see registry.ts); psnrYuv is the 6:1:1 weighted mean of the plane PSNRs. */
  metrics: MetricValues;
  encodeMs: number;
  decodeMs: number;
}

/** kbit/s of `bytes` spread over `frames` frames at fpsNum/fpsDen frames per second. */
export function kbps(bytes: number, frames: number, fpsNum: number, fpsDen: number): number {
  return (bytes * 8 * fpsNum) / fpsDen / frames / 1000;
}

export function rdPoint(args: {
  bytes: number;
  frames: number;
  fpsNum: number;
  fpsDen: number;
  metrics: MetricValues;
  encodeMs: number;
  decodeMs: number;
  quality?: number;
  setting?: string;
}): RdPoint {
  const p: RdPoint = {
    bytes: args.bytes,
    kbps: kbps(args.bytes, args.frames, args.fpsNum, args.fpsDen),
    metrics: { ...args.metrics },
    encodeMs: args.encodeMs,
    decodeMs: args.decodeMs,
  };
  if (args.quality !== undefined) p.quality = args.quality;
  if (args.setting !== undefined) p.setting = args.setting;
  return p;
}

/**
 * A point as stored by any version: before the metric registry a point held psnrY, psnrYuv, ssimY
 * (and in evaluations psnrU, psnrV) as top-level fields. Those are moved under `metrics`, so
 * workspaces and caches written earlier still open. A value JSON could not hold (±Infinity of a
 * lossless point is written as null) stays absent.
 */
export function readRdPoint(raw: unknown): RdPoint {
  const r = (raw ?? {}) as Record<string, unknown>;
  const metrics: MetricValues = {};
  const from = (r.metrics && typeof r.metrics === 'object' ? r.metrics : r) as Record<string, unknown>;
  for (const [k, v] of Object.entries(from)) if (isMetricId(k) && typeof v === 'number') metrics[k] = v;
  const p: RdPoint = {
    bytes: Number(r.bytes ?? 0),
    kbps: Number(r.kbps ?? 0),
    metrics,
    encodeMs: Number(r.encodeMs ?? 0),
    decodeMs: Number(r.decodeMs ?? 0),
  };
  if (typeof r.quality === 'number') p.quality = r.quality;
  if (typeof r.setting === 'string') p.setting = r.setting;
  return p;
}
