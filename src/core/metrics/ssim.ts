// SSIM exactly as ffmpeg's `ssim` filter (libavfilter/vf_ssim.c, after x264): sums over 4x4 blocks,
// SSIM of every overlapping 8x8 window (2x2 blocks, stride 4) computed in single precision like the C
// code, windows summed per row in double, averaged per plane; "All" weights planes by sample count.
// Columns/rows beyond the last whole 4x4 block are ignored, as in ffmpeg.
// This follows ffmpeg's C code. Its x86 SSE4 end-of-row routine differs when a plane row has
// 1 mod 4 windows (e.g. 40-sample chroma of an 80-wide clip): it drops the last window and adds one
// built from stale scratch memory, so that figure depends on CPU and threads; -cpuflags 0 agrees with us.
import { chromaHeight, chromaWidth, type Frame, type Video } from '../codec/contract';
import { InputError } from '../errors';
import { checkComparable, cfmt } from './psnr';
import type { MetricAccumulator } from './accumulator';
import type { MetricId, MetricValues } from './registry';
import { ssimBlockSumsSimd, ssimRowsSimd } from './simd';

const C1 = Math.trunc(0.01 * 0.01 * 255 * 255 * 64 + 0.5);
const C2 = Math.trunc(0.03 * 0.03 * 255 * 255 * 64 * 63 + 0.5);
const f32 = Math.fround;

/** Per 4x4 block of one block row: s1, s2, ss (a²+b²), s12, interleaved. */
function blockSums(a: Uint8Array, b: Uint8Array, offset: number, stride: number, sums: Int32Array, blocks: number): void {
  for (let z = 0; z < blocks; z++) {
    let s1 = 0,
      s2 = 0,
      ss = 0,
      s12 = 0;
    let p = offset + 4 * z;
    for (let y = 0; y < 4; y++, p += stride) {
      const a0 = a[p],
        a1 = a[p + 1],
        a2 = a[p + 2],
        a3 = a[p + 3];
      const b0 = b[p],
        b1 = b[p + 1],
        b2 = b[p + 2],
        b3 = b[p + 3];
      s1 += a0 + a1 + a2 + a3;
      s2 += b0 + b1 + b2 + b3;
      ss += a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3 + b0 * b0 + b1 * b1 + b2 * b2 + b3 * b3;
      s12 += a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3;
    }
    const o = 4 * z;
    sums[o] = s1;
    sums[o + 1] = s2;
    sums[o + 2] = ss;
    sums[o + 3] = s12;
  }
}

/** ffmpeg's ssim_end1: integer moments, then float arithmetic (each product rounded to float). */
function windowSsim(s1: number, s2: number, ss: number, s12: number): number {
  const vars = ss * 64 - s1 * s1 - s2 * s2;
  const covar = s12 * 64 - s1 * s2;
  return f32(f32(f32(2 * s1 * s2 + C1) * f32(2 * covar + C2)) / f32(f32(s1 * s1 + s2 * s2 + C1) * f32(vars + C2)));
}

function endLine(sum0: Int32Array, sum1: Int32Array, windows: number): number {
  let acc = 0;
  for (let i = 0; i < windows; i++) {
    const o = 4 * i;
    acc += windowSsim(
      sum0[o] + sum0[o + 4] + sum1[o] + sum1[o + 4],
      sum0[o + 1] + sum0[o + 5] + sum1[o + 1] + sum1[o + 5],
      sum0[o + 2] + sum0[o + 6] + sum1[o + 2] + sum1[o + 6],
      sum0[o + 3] + sum0[o + 7] + sum1[o + 3] + sum1[o + 7],
    );
  }
  return acc;
}

/** Reusable scratch for one plane width, so streaming frames allocates nothing per frame. */
export class SsimPlane {
  private bufA: Int32Array;
  private bufB: Int32Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const len = 4 * ((width >> 2) + 3);
    this.bufA = new Int32Array(len);
    this.bufB = new Int32Array(len);
  }

  /** Mean SSIM of the plane (NaN when it is smaller than 8x8, as ffmpeg's 0/0). */
  compute(a: Uint8Array, b: Uint8Array): number {
    const w4 = this.width >> 2,
      h4 = this.height >> 2,
      stride = this.width;
    if (a.length !== this.width * this.height || b.length !== a.length) {
      throw new InputError(
        `plane has ${a.length}/${b.length} samples, expected ${this.width * this.height}`,
        'compare videos of the same size',
      );
    }
    // WebAssembly SIMD when available: the same integer sums, the same single-precision windows added
    // to a double in the same order (simd.ts), so the same result to the last bit.
    const rows = w4 >= 2 && h4 >= 2 ? ssimBlockSumsSimd(a, b, this.width, this.height) : undefined;
    if (rows) return ssimRowsSimd(rows, w4, h4) / ((w4 - 1) * (h4 - 1));
    let sum0 = this.bufA,
      sum1 = this.bufB;
    let total = 0;
    let z = 0;
    for (let y = 1; y < h4; y++) {
      for (; z <= y; z++) {
        const t = sum0;
        sum0 = sum1;
        sum1 = t;
        blockSums(a, b, 4 * z * stride, stride, sum0, w4);
      }
      total += endLine(sum0, sum1, w4 - 1);
    }
    return total / ((w4 - 1) * (h4 - 1));
  }
}

export interface SsimFrame {
  y: number;
  u: number;
  v: number;
  all: number;
}

export interface SsimResult {
  y: number;
  u: number;
  v: number;
  all: number;
  /** ffmpeg's dB figures in parentheses: 10·log10(1/(1-ssim)). */
  yDb: number;
  uDb: number;
  vDb: number;
  allDb: number;
  frames: number;
}

function ssimDb(ssim: number, weight = 1): number {
  return Math.abs(weight - ssim) > 1e-9 ? 10 * Math.log10(weight / (weight - ssim)) : Infinity;
}

/** Streams frames one at a time; `result()` gives ffmpeg's summary line. */
export class SsimAccumulator implements MetricAccumulator {
  readonly metrics: readonly MetricId[] = ['ssimY'];
  private readonly luma: SsimPlane;
  private readonly chroma: SsimPlane;
  private readonly coefs: [number, number, number];
  private sum = [0, 0, 0];
  private sumAll = 0;
  private n = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const cw = chromaWidth(width),
      ch = chromaHeight(height);
    this.luma = new SsimPlane(width, height);
    this.chroma = new SsimPlane(cw, ch);
    const ya = width * height,
      ca = cw * ch,
      total = ya + 2 * ca;
    this.coefs = [ya / total, ca / total, ca / total];
  }

  /** Adds one (reference, distorted) frame pair. SSIM is symmetric in its two inputs. */
  add(reference: Frame, distorted: Frame): SsimFrame {
    const y = this.luma.compute(distorted.y, reference.y);
    const u = this.chroma.compute(distorted.u, reference.u);
    const v = this.chroma.compute(distorted.v, reference.v);
    let all = 0;
    all += this.coefs[0] * y;
    all += this.coefs[1] * u;
    all += this.coefs[2] * v;
    this.sum[0] += y;
    this.sum[1] += u;
    this.sum[2] += v;
    this.sumAll += all;
    this.n++;
    return { y, u, v, all };
  }

  get frames(): number {
    return this.n;
  }

  values(): MetricValues {
    return { ssimY: this.result().y };
  }

  result(): SsimResult {
    const n = this.n;
    if (n === 0) throw new InputError('no frames were compared', 'give videos with at least one frame');
    return {
      y: this.sum[0] / n,
      u: this.sum[1] / n,
      v: this.sum[2] / n,
      all: this.sumAll / n,
      yDb: ssimDb(this.sum[0], n),
      uDb: ssimDb(this.sum[1], n),
      vDb: ssimDb(this.sum[2], n),
      allDb: ssimDb(this.sumAll, n),
      frames: n,
    };
  }
}

/** SSIM of two whole videos, frames paired by index (the shorter length counts). */
export function ssimVideo(reference: Video, distorted: Video): SsimResult {
  checkComparable(reference, distorted);
  const acc = new SsimAccumulator(reference.width, reference.height);
  const n = Math.min(reference.frames.length, distorted.frames.length);
  for (let i = 0; i < n; i++) acc.add(reference.frames[i], distorted.frames[i]);
  return acc.result();
}

/** The summary line exactly as ffmpeg prints it. */
export function formatSsim(r: SsimResult): string {
  return `SSIM Y:${cfmt(r.y)} (${cfmt(r.yDb)}) U:${cfmt(r.u)} (${cfmt(r.uDb)}) V:${cfmt(r.v)} (${cfmt(r.vDb)}) All:${cfmt(r.all)} (${cfmt(r.allDb)})`;
}
