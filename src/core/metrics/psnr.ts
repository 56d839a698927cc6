// PSNR exactly as ffmpeg's `psnr` filter (libavfilter/vf_psnr.c) defines it, so a number shown here
// can be reproduced with `ffmpeg -lavfi psnr`: per plane the integer SSE of a frame becomes an MSE;
// the per-frame "average" MSE weights planes by their sample counts (4:2:0 → 4:1:1); the summary
// averages MSE over frames *before* the log; min/max come from the worst/best frame.
import { chromaHeight, chromaWidth, type Frame, type Video } from '../codec/contract';
import { InputError } from '../errors';
import type { MetricAccumulator } from './accumulator';
import type { MetricId, MetricValues } from './registry';
import { sseSimd } from './simd';

const PEAK = 255;

/** Sum of squared differences of two equally long 8-bit planes (exact integer). */
export function planeSse(a: Uint8Array, b: Uint8Array): number {
  const n = a.length;
  if (b.length !== n) throw new InputError(`planes differ in size (${n} vs ${b.length} samples)`, 'compare videos of the same size');
  // WebAssembly SIMD is ~8x this loop (exact integers either way); tiny planes are not worth the copy.
  const fast = n >= 256 ? sseSimd(a, b) : undefined;
  if (fast !== undefined) return fast;
  let total = 0;
  // Chunks of 32768 samples keep the partial sum below 2^31 (32768 * 255^2), so V8 stays in int32.
  for (let start = 0; start < n; start += 32768) {
    const end = Math.min(n, start + 32768);
    let s0 = 0,
      s1 = 0,
      i = start;
    // Two independent sums let the CPU overlap the multiply-adds.
    for (; i + 1 < end; i += 2) {
      const d0 = a[i] - b[i],
        d1 = a[i + 1] - b[i + 1];
      s0 = (s0 + d0 * d0) | 0;
      s1 = (s1 + d1 * d1) | 0;
    }
    if (i < end) {
      const d = a[i] - b[i];
      s0 = (s0 + d * d) | 0;
    }
    total += s0 + s1;
  }
  return total;
}

/** (6·Y + U + V) / 8: the JVET common-test-conditions weighting of the plane PSNRs. It is not
 * ffmpeg's "average", which weights the planes' MSE by sample count (4:1:1) before the log. */
export function psnrYuv(y: number, u: number, v: number): number {
  return (6 * y + u + v) / 8;
}

/** ffmpeg's get_psnr: infinite for identical planes. */
function psnrFromMse(mse: number, frames = 1, peak = PEAK): number {
  return 10 * Math.log10((peak * peak) / (mse / frames));
}

export interface PsnrFrame {
  mseY: number;
  mseU: number;
  mseV: number;
  /** Plane-size-weighted MSE of the frame (what ffmpeg's per-frame "mse_avg" is). */
  mse: number;
  psnrY: number;
  psnrU: number;
  psnrV: number;
  psnr: number;
}

export interface PsnrResult {
  /** dB, from the MSE averaged over frames. */
  y: number;
  u: number;
  v: number;
  /** ffmpeg's "average": the 4:2:0-weighted MSE averaged over frames, then in dB. */
  average: number;
  /** dB of the worst frame (largest weighted MSE) and of the best one. */
  min: number;
  max: number;
  frames: number;
}

/** Streams frames one at a time; `result()` gives ffmpeg's summary line. */
export class PsnrAccumulator implements MetricAccumulator {
  readonly metrics: readonly MetricId[] = ['psnrY', 'psnrU', 'psnrV', 'psnrYuv'];
  private readonly w: [number, number, number];
  private readonly area: [number, number, number];
  private sumMse = 0;
  private sumY = 0;
  private sumU = 0;
  private sumV = 0;
  private minMse = Infinity;
  private maxMse = -Infinity;
  private n = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const ya = width * height;
    const ca = chromaWidth(width) * chromaHeight(height);
    const sum = ya + 2 * ca;
    this.area = [ya, ca, ca];
    this.w = [ya / sum, ca / sum, ca / sum];
  }

  /** Adds one (reference, distorted) frame pair; the order does not change PSNR. */
  add(reference: Frame, distorted: Frame): PsnrFrame {
    const mseY = planeSse(reference.y, distorted.y) / this.area[0];
    const mseU = planeSse(reference.u, distorted.u) / this.area[1];
    const mseV = planeSse(reference.v, distorted.v) / this.area[2];
    let mse = 0;
    mse += mseY * this.w[0];
    mse += mseU * this.w[1];
    mse += mseV * this.w[2];
    if (mse < this.minMse) this.minMse = mse;
    if (mse > this.maxMse) this.maxMse = mse;
    this.sumMse += mse;
    this.sumY += mseY;
    this.sumU += mseU;
    this.sumV += mseV;
    this.n++;
    return {
      mseY,
      mseU,
      mseV,
      mse,
      psnrY: psnrFromMse(mseY),
      psnrU: psnrFromMse(mseU),
      psnrV: psnrFromMse(mseV),
      psnr: psnrFromMse(mse),
    };
  }

  get frames(): number {
    return this.n;
  }

  values(): MetricValues {
    const r = this.result();
    return { psnrY: r.y, psnrU: r.u, psnrV: r.v, psnrYuv: psnrYuv(r.y, r.u, r.v) };
  }

  result(): PsnrResult {
    if (this.n === 0) throw new InputError('no frames were compared', 'give videos with at least one frame');
    return {
      y: psnrFromMse(this.sumY, this.n),
      u: psnrFromMse(this.sumU, this.n),
      v: psnrFromMse(this.sumV, this.n),
      average: psnrFromMse(this.sumMse, this.n),
      min: psnrFromMse(this.maxMse),
      max: psnrFromMse(this.minMse),
      frames: this.n,
    };
  }
}

export function checkComparable(reference: Pick<Video, 'width' | 'height'>, distorted: Pick<Video, 'width' | 'height'>): void {
  if (reference.width !== distorted.width || reference.height !== distorted.height) {
    throw new InputError(
      `the videos differ in size: reference ${reference.width}x${reference.height}, distorted ${distorted.width}x${distorted.height}`,
      'compare a video with a decoded copy of itself at the same size',
    );
  }
}

/** PSNR of two whole videos, frames paired by index (the shorter length counts, as ffmpeg's shortest). */
export function psnrVideo(reference: Video, distorted: Video): PsnrResult {
  checkComparable(reference, distorted);
  const acc = new PsnrAccumulator(reference.width, reference.height);
  const n = Math.min(reference.frames.length, distorted.frames.length);
  for (let i = 0; i < n; i++) acc.add(reference.frames[i], distorted.frames[i]);
  return acc.result();
}

/** C printf("%f"): six decimals, "inf" for infinity. */
export function cfmt(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isNaN(x)) return 'nan';
  return x.toFixed(6);
}

/** The summary line exactly as ffmpeg prints it. */
export function formatPsnr(r: PsnrResult): string {
  return `PSNR y:${cfmt(r.y)} u:${cfmt(r.u)} v:${cfmt(r.v)} average:${cfmt(r.average)} min:${cfmt(r.min)} max:${cfmt(r.max)}`;
}
