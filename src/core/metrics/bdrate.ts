// Bjøntegaard delta rate: the average rate difference of two RD curves at equal quality, over the
// quality interval both curves cover. PCHIP (piecewise cubic Hermite, as JCTVC-E137 / current common
// test conditions) integrates log10(rate) as a function of PSNR exactly, segment by segment; the
// classic variant fits one cubic polynomial per curve (VCEG-M33).
import { CodecEvolutionError, InputError } from '../errors';
import type { RdPoint } from './rd';
import { METRICS, metricOf, type BdRateTable, type MetricId } from './registry';

export interface RatePoint {
  kbps: number;
  psnr: number;
}
export type BdMethod = 'pchip' | 'cubic';

export interface BdRateResult {
  /** Negative = the test curve needs fewer bits than the anchor for the same quality. */
  percent: number;
  /** The PSNR interval integrated over (the overlap of the two curves). */
  overlap: { low: number; high: number };
  method: BdMethod;
}

function prepare(points: RatePoint[], which: string): { x: number[]; y: number[] } {
  if (points.length < 4) {
    throw new InputError(
      `the ${which} curve has ${points.length} point(s); BD-rate needs at least 4`,
      'measure at least 4 quality settings',
    );
  }
  for (const p of points) {
    if (!(p.kbps > 0) || !Number.isFinite(p.kbps) || !Number.isFinite(p.psnr)) {
      throw new InputError(
        `the ${which} curve has an unusable point (kbps ${p.kbps}, psnr ${p.psnr})`,
        'every point needs a positive finite rate and a finite PSNR',
      );
    }
  }
  const sorted = [...points].sort((a, b) => a.psnr - b.psnr);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].psnr === sorted[i - 1].psnr) {
      throw new InputError(`the ${which} curve has two points at PSNR ${sorted[i].psnr}`, 'use settings that give distinct qualities');
    }
  }
  return { x: sorted.map((p) => p.psnr), y: sorted.map((p) => Math.log10(p.kbps)) };
}

/** One-sided three-point end slope, shape-preserving (Moler, Numerical Computing with MATLAB §3.4). */
function pchipEnd(h1: number, h2: number, d1: number, d2: number): number {
  let d = ((2 * h1 + h2) * d1 - h1 * d2) / (h1 + h2);
  if (d * d1 < 0) d = 0;
  else if (d1 * d2 < 0 && Math.abs(d) > Math.abs(3 * d1)) d = 3 * d1;
  return d;
}

/** ∫ of the PCHIP interpolant of (x, y) from low to high. */
function pchipIntegral(x: number[], y: number[], low: number, high: number): number {
  const n = x.length;
  const h: number[] = [],
    delta: number[] = [];
  for (let i = 0; i < n - 1; i++) {
    h.push(x[i + 1] - x[i]);
    delta.push((y[i + 1] - y[i]) / h[i]);
  }
  const d: number[] = [pchipEnd(h[0], h[1], delta[0], delta[1])];
  for (let i = 1; i < n - 1; i++) {
    // Weighted harmonic mean of neighbouring slopes; flat where the data turns, to preserve shape.
    d.push(
      delta[i - 1] * delta[i] <= 0
        ? 0
        : (3 * h[i - 1] + 3 * h[i]) / ((2 * h[i] + h[i - 1]) / delta[i - 1] + (h[i] + 2 * h[i - 1]) / delta[i]),
    );
  }
  d.push(pchipEnd(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]));
  let result = 0;
  for (let i = 0; i < n - 1; i++) {
    const c = (3 * delta[i] - 2 * d[i] - d[i + 1]) / h[i];
    const b = (d[i] - 2 * delta[i] + d[i + 1]) / (h[i] * h[i]);
    const s0 = Math.min(Math.max(x[i], low), high) - x[i];
    const s1 = Math.min(Math.max(x[i + 1], low), high) - x[i];
    if (s1 > s0) {
      result += (s1 - s0) * y[i];
      result += ((s1 * s1 - s0 * s0) * d[i]) / 2;
      result += ((s1 * s1 * s1 - s0 * s0 * s0) * c) / 3;
      result += ((s1 * s1 * s1 * s1 - s0 * s0 * s0 * s0) * b) / 4;
    }
  }
  return result;
}

/** Least-squares cubic through (x, y): coefficients p0 + p1·x + p2·x² + p3·x³. */
function cubicFit(x: number[], y: number[]): number[] {
  // Normal equations on x centred and scaled keep the 4x4 system well conditioned.
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  const s = Math.max(...x.map((v) => Math.abs(v - m))) || 1;
  const t = x.map((v) => (v - m) / s);
  const A = Array.from({ length: 4 }, () => new Array<number>(5).fill(0));
  for (let k = 0; k < t.length; k++) {
    const pw = [1, t[k], t[k] ** 2, t[k] ** 3];
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) A[r][c] += pw[r] * pw[c];
      A[r][4] += pw[r] * y[k];
    }
  }
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
    [A[col], A[piv]] = [A[piv], A[col]];
    if (A[col][col] === 0) throw new InputError('the RD points do not determine a cubic', 'use points with distinct qualities');
    for (let r = 0; r < 4; r++) {
      if (r === col) continue;
      const f = A[r][col] / A[col][col];
      for (let c = col; c < 5; c++) A[r][c] -= f * A[col][c];
    }
  }
  const q = A.map((row, i) => row[4] / row[i]); // in t = (x - m) / s
  // Integrate in t-space instead of expanding back; keep (m, s) alongside.
  return [q[0], q[1], q[2], q[3], m, s];
}

function cubicIntegral(x: number[], y: number[], low: number, high: number): number {
  const [q0, q1, q2, q3, m, s] = cubicFit(x, y);
  const prim = (v: number) => {
    const t = (v - m) / s;
    return s * (q0 * t + (q1 * t * t) / 2 + (q2 * t ** 3) / 3 + (q3 * t ** 4) / 4);
  };
  return prim(high) - prim(low);
}

export function bdRate(anchor: RatePoint[], test: RatePoint[], options: { method?: BdMethod } = {}): BdRateResult {
  const method = options.method ?? 'pchip';
  const a = prepare(anchor, 'anchor');
  const t = prepare(test, 'test');
  const low = Math.max(a.x[0], t.x[0]);
  const high = Math.min(a.x[a.x.length - 1], t.x[t.x.length - 1]);
  if (!(high > low)) {
    throw new InputError(
      `the curves do not overlap in PSNR (anchor ${a.x[0].toFixed(2)}–${a.x[a.x.length - 1].toFixed(2)} dB, test ${t.x[0].toFixed(2)}–${t.x[t.x.length - 1].toFixed(2)} dB)`,
      'choose settings so both curves cover a common quality range',
    );
  }
  const integral = method === 'pchip' ? pchipIntegral : cubicIntegral;
  const avg = (integral(t.x, t.y, low, high) - integral(a.x, a.y, low, high)) / (high - low);
  return { percent: (Math.pow(10, avg) - 1) * 100, overlap: { low, high }, method };
}

/** What one BD-rate computation gave: the figure and its overlap, or why there is none. */
export interface BdRateDetail {
  percent?: number;
  overlap?: { low: number; high: number };
  method?: string;
  error?: string;
}

/** A curve on one metric's BD-rate quality axis (see registry: SSIM in dB); unmeasured points are left out. */
export function rateCurve(points: RdPoint[], metric: MetricId): RatePoint[] {
  const q = METRICS[metric].bdQuality;
  return points.map((p) => ({ kbps: p.kbps, psnr: q(metricOf(p, metric)) })).filter((p) => Number.isFinite(p.psnr) && p.kbps > 0);
}

/** BD-rate of `test` against `anchor` on each metric both curves were measured with. */
export function bdRateByMetric(anchor: RdPoint[], test: RdPoint[], metrics: readonly MetricId[]): Partial<Record<MetricId, BdRateDetail>> {
  const out: Partial<Record<MetricId, BdRateDetail>> = {};
  for (const m of metrics) {
    try {
      const r = bdRate(rateCurve(anchor, m), rateCurve(test, m), { method: 'pchip' });
      out[m] = { percent: r.percent, overlap: r.overlap, method: r.method };
    } catch (e) {
      if (!(e instanceof CodecEvolutionError)) throw e;
      out[m] = { error: e.describe() };
    }
  }
  return out;
}

/** Mean over clips of bdRate[metric][reference], for every pair some clip has. */
export function meanBdRateTable(tables: BdRateTable[]): BdRateTable {
  const out: BdRateTable = {};
  const keys = new Set(
    tables.flatMap((t) => Object.entries(t).flatMap(([m, byRef]) => Object.keys(byRef ?? {}).map((r) => `${m}\u0000${r}`))),
  );
  for (const key of keys) {
    const [m, r] = key.split('\u0000') as [MetricId, string];
    const vals = tables.map((t) => t[m]?.[r]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (vals.length) (out[m] ??= {})[r] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  return out;
}
