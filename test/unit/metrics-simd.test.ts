// The WebAssembly SIMD kernels must give the scalar definitions' integers exactly, on every size
// (remainders of 16 samples / 4 blocks, lane flushes past 64 KiB) and at the extremes (all 255 vs 0).
import assert from 'node:assert/strict';
import { simdAvailable, sseSimd, ssimBlockSumsSimd } from '../../src/core/metrics/simd';

function planes(n: number, seed: number, kind: 'random' | 'extreme'): [Uint8Array, Uint8Array] {
  const a = new Uint8Array(n),
    b = new Uint8Array(n);
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
  for (let i = 0; i < n; i++) {
    a[i] = kind === 'extreme' ? 255 : next();
    b[i] = kind === 'extreme' ? 0 : next();
  }
  return [a, b];
}

function blockSums(a: Uint8Array, b: Uint8Array, w: number, h: number): Int32Array {
  const w4 = w >> 2,
    h4 = h >> 2,
    out = new Int32Array(w4 * h4 * 4);
  for (let y = 0; y < h4; y++)
    for (let z = 0; z < w4; z++) {
      let s1 = 0,
        s2 = 0,
        ss = 0,
        s12 = 0;
      for (let r = 0; r < 4; r++)
        for (let c = 0; c < 4; c++) {
          const p = (4 * y + r) * w + 4 * z + c,
            x = a[p],
            q = b[p];
          s1 += x;
          s2 += q;
          ss += x * x + q * q;
          s12 += x * q;
        }
      out.set([s1, s2, ss, s12], 4 * (y * w4 + z));
    }
  return out;
}

describe('metrics/simd', () => {
  before(function () {
    if (!simdAvailable()) this.skip();
  });

  it('sums squared differences exactly', () => {
    for (const n of [0, 1, 15, 16, 17, 4095, 65536, 65552, 300001]) {
      for (const kind of ['random', 'extreme'] as const) {
        const [a, b] = planes(n, n + 1, kind);
        let want = 0;
        for (let i = 0; i < n; i++) want += (a[i] - b[i]) ** 2;
        assert.equal(sseSimd(a, b), want, `${kind} n=${n}`);
      }
    }
  });

  it('gives SSIM 4x4 block sums equal to the scalar definition', () => {
    for (const [w, h] of [
      [16, 4],
      [20, 8],
      [33, 9],
      [40, 22],
      [176, 144],
      [7, 7],
    ]) {
      for (const kind of ['random', 'extreme'] as const) {
        const [a, b] = planes(w * h, w * 31 + h, kind);
        assert.deepEqual(Array.from(ssimBlockSumsSimd(a, b, w, h)!), Array.from(blockSums(a, b, w, h)), `${kind} ${w}x${h}`);
      }
    }
  });
});
