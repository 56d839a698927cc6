// hybrid — a block-based hybrid video codec in the spirit of H.264 High profile, written from scratch:
//   16x16 macroblocks; intra 4x4 and 8x8 (9 directional modes each) and intra 16x16 (DC/V/H/planar), or HEVC-style 35 modes;
//   P-frames predicted from up to NUM_REFS reference pictures (a reference index per macroblock), with
//   16x16 or four 8x8 motion vectors found by a hexagon search from predictor candidates, refined to
//   quarter-pel through a 6-tap half-pel filter; skip macroblocks; 4x4 and 8x8 integer transforms
//   (chosen per macroblock by RD) with a chroma DC stage; RD-optimised quantisation (QP 0..51, step
//   doubles every 6); a context-adaptive binary range coder; an in-loop deblocking filter;
//   rate-distortion mode decision with lambda tied to QP; B-pictures (list 0 / list 1 / averaged
//   prediction, spatial direct and B-skip, 8x8 partitions, a pyramid) coded after the later of their two
//   anchors, and a long-term reference kept at scene cuts.
// The decoder runs exactly the reconstruction the encoder predicts from (shared functions), so
// there is no drift. Everything the decoder needs that an edit might tune (adaptation rate, chroma QP
// offset, deblocking, reference count, tool switches) travels in the stream header, so constants
// below can change safely.
//
// Bitstream: 'H','2', width u16, height u16, frames u16, probability byte u8 (bits 0-2 adaptation shift, bit 3 counter-based rate, bits 4-6 slow-estimate shift minus it or 0, bit 7 initial probabilities), chroma QP offset+16 u8,
// deblock (0 = off, else alpha/beta offset + 8) u8, reference count u8, tools u8 (bit 0: chroma DC,
// bit 1: 8x8 transform, bit 2: chroma from luma, bit 3: 4-tap chroma filter, bit 4: 16x16 transform, bit 5: 16x8/8x16, bits 6-7: merge candidates - 1), picture structure u8
// (bit 0: B-pictures, bit 1: pyramid, bit 2: long-term reference, bit 3: temporal merge candidate, bit 4: angular intra); then one range-coded stream: the
// first picture, then per anchor (with B-pictures on) the count of B-pictures before it (exp-Golomb), its
// type bit and QP and macroblocks in raster order, followed by those B-pictures (QP, macroblocks) in
// the order bOrder gives, each picture's macroblocks followed by its loop filter (alfFrame); the decoder
// returns pictures in display order.

// Each algorithmic region sits in a named EVOLVE-BLOCK (what an edit may change); outside stay only
// `meta` and the exported entry points, thin wrappers around functions inside the blocks.

export const meta = { name: 'hybrid', description: 'H.264-High-style hybrid: intra 4x4/8x8/16x16, multi-reference quarter-pel P-frames, 4x4/8x8 transforms, RDOQ, CABAC-like range coder, deblocking, RDO' };

// Built-ins bound once: inside a sandbox every global lookup goes through the context object.
const { abs, min, max, floor, round, sqrt, pow, log2 } = Math;
const INF = 1e300;

// EVOLVE-BLOCK-START rate-control
// Rate control: frame QP from the quality knob, frame-type offsets, the RD lambda tied to QP.
// quality 0..100 maps linearly to QP QP_AT_Q0..QP_AT_Q100 (QP step size doubles every 6).
const QP_AT_Q0 = 46;
const QP_AT_Q100 = 10;
// Intra frames are references for everything after them: a lower QP there pays back in P-frames.
const I_QP_OFFSET = -4;          // @evolve int -8 4
// Chroma QP offset (sent in the header): positive saves chroma bits, PSNR-Y does not see chroma.
const CHROMA_QP_OFFSET = 2;      // @evolve int -6 8
// J = SSD + lambda * bits with lambda = LAMBDA_SCALE * 0.85 * 2^((QP-12)/3) (the H.264 reference model).
const LAMBDA_SCALE = 0.7;        // @evolve float 0.2 4
// Scene cut: when more than this fraction of a P-frame's macroblocks chose intra, code the frame
// again as an intra frame (its lower QP and intra contexts suit a new scene; > 1 disables).
const SCENECUT_INTRA_FRACTION = 0.6; // @evolve float 0.2 1.01

function qpFor(quality, intra) {
  const v = Number(quality), q = v >= 0 ? min(100, v) : 0; // NaN reads as 0
  const base = round(QP_AT_Q0 + (QP_AT_Q100 - QP_AT_Q0) * q / 100);
  return max(0, min(51, base + (intra ? I_QP_OFFSET : 0)));
}

function setQp(q) {
  qp = q;
  qpC = QPC[max(0, min(51, q + chromaQpOffset))];
  lambda = LAMBDA_SCALE * 0.85 * pow(2, (q - 12) / 3);
  lambdaMe = sqrt(lambda);
}
let chromaQpOffset = 0;

// Lookahead QP allocation (x264's MB-tree idea at frame level): before coding, a cheap analysis on
// half-resolution luma measures per 16x16 block an intra cost and a motion-compensated inter cost
// against the previous frame; walking backwards, the share of each block's information that later
// frames take from it (1 - inter/intra of its dependants, accumulated) is propagated to the blocks
// it was predicted from. A frame whose blocks are much referenced gets a lower QP:
// delta = -MBTREE_STRENGTH * mean over blocks of log2((intra + propagated) / intra).
const MBTREE = true;             // @evolve bool
const MBTREE_STRENGTH = 2.0;     // @evolve float 0 5
let frameQpDelta = new Int8Array(0);
function lookahead(video) {
  const n = video.frames.length, bw = MBW, bh = MBH, nb = bw * bh;
  frameQpDelta = new Int8Array(n);
  if (!MBTREE || n < 2) return;
  // Half-resolution planes (8x8 per macroblock) with a replicated margin of M samples.
  const M = 16, w2 = bw * 8, h2 = bh * 8, ls = w2 + 2 * M, hw = (W + 1) >> 1, hh = (H + 1) >> 1;
  const low = [];
  for (let f = 0; f < n; f++) {
    const y = video.frames[f].y, pl = new Uint8Array(ls * (h2 + 2 * M));
    for (let r = -M; r < h2 + M; r++) {
      const yy = min(hh - 1, max(0, r)), r0 = min(H - 1, 2 * yy) * W, r1 = min(H - 1, 2 * yy + 1) * W;
      for (let c = -M; c < w2 + M; c++) {
        const xx = min(hw - 1, max(0, c)), c0 = min(W - 1, 2 * xx), c1 = min(W - 1, 2 * xx + 1);
        pl[(r + M) * ls + c + M] = (y[r0 + c0] + y[r0 + c1] + y[r1 + c0] + y[r1 + c1] + 2) >> 2;
      }
    }
    low.push(pl);
  }
  const intra = [], inter = [], mvx = [], mvy = [], pred = new Uint8Array(64);
  const cost8 = (pl, o, pr) => satd4(pl, o, ls, pr, 0, 8) + satd4(pl, o + 4, ls, pr, 4, 8) + satd4(pl, o + 4 * ls, ls, pr, 32, 8) + satd4(pl, o + 4 * ls + 4, ls, pr, 36, 8);
  const sad8 = (a, ao, b, bo) => { let s = 0; for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) { const d = a[ao + y * ls + x] - b[bo + y * ls + x]; s += d < 0 ? -d : d; } return s; };
  for (let f = 0; f < n; f++) {
    const pl = low[f], ic = new Float64Array(nb), ec = new Float64Array(nb), vx = new Int8Array(nb), vy = new Int8Array(nb);
    for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
      const b = by * bw + bx, o = (by * 8 + M) * ls + bx * 8 + M;
      // Intra: the best of DC, vertical and horizontal from the source neighbours.
      let best = INF;
      for (let m = 0; m < 3; m++) {
        if ((m === 1 && by === 0) || (m === 2 && bx === 0)) continue;
        let dc = 0;
        if (m === 0) {
          let s = 0, k = 0;
          if (by > 0) for (let x = 0; x < 8; x++, k++) s += pl[o - ls + x];
          if (bx > 0) for (let y = 0; y < 8; y++, k++) s += pl[o + y * ls - 1];
          dc = k ? (s + (k >> 1)) / k | 0 : 128;
        }
        for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) pred[y * 8 + x] = m === 0 ? dc : m === 1 ? pl[o - ls + x] : pl[o + y * ls - 1];
        best = min(best, cost8(pl, o, pred));
      }
      ic[b] = best + 16;
      if (f === 0) continue;
      // Inter: integer diamond search on the previous frame from zero and the left/top vectors.
      const rp = low[f - 1];
      let cx = 0, cy = 0, cb = sad8(pl, o, rp, o);
      const tryMv = (x, y) => {
        if (x < -M || x > M || y < -M || y > M) return;
        const c = sad8(pl, o, rp, o + y * ls + x) + 2 * (abs(x) + abs(y));
        if (c < cb) { cb = c; cx = x; cy = y; }
      };
      if (bx > 0) tryMv(vx[b - 1], vy[b - 1]);
      if (by > 0) tryMv(vx[b - bw], vy[b - bw]);
      for (let it = 0; it < 16; it++) {
        const x0 = cx, y0 = cy;
        tryMv(x0 - 1, y0); tryMv(x0 + 1, y0); tryMv(x0, y0 - 1); tryMv(x0, y0 + 1);
        if (cx === x0 && cy === y0) break;
      }
      vx[b] = cx; vy[b] = cy;
      const ro = o + cy * ls + cx;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) pred[y * 8 + x] = rp[ro + y * ls + x];
      ec[b] = min(ic[b], cost8(pl, o, pred) + 4);
    }
    intra.push(ic); inter.push(ec); mvx.push(vx); mvy.push(vy);
  }
  // Backward propagation: each block passes (intra + received) * (1 - inter/intra) to its reference area.
  const prop = [];
  for (let f = 0; f < n; f++) prop.push(new Float64Array(nb));
  for (let f = n - 1; f > 0; f--) {
    const ic = intra[f], ec = inter[f], pr = prop[f], dst = prop[f - 1];
    for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
      const b = by * bw + bx, amount = (ic[b] + pr[b]) * (1 - ec[b] / ic[b]);
      if (amount <= 0) continue;
      // The reference area: 8x8 at (bx*8 + vx, by*8 + vy), spread over up to four blocks by overlap.
      const x = bx * 8 + mvx[f][b], y = by * 8 + mvy[f][b], x0 = floor(x / 8), y0 = floor(y / 8), fx = x - x0 * 8, fy = y - y0 * 8;
      for (let k = 0; k < 4; k++) {
        const tx = x0 + (k & 1), ty = y0 + (k >> 1);
        if (tx < 0 || ty < 0 || tx >= bw || ty >= bh) continue;
        const wgt = ((k & 1) ? fx : 8 - fx) * ((k >> 1) ? fy : 8 - fy) / 64;
        if (wgt > 0) dst[ty * bw + tx] += amount * wgt;
      }
    }
  }
  for (let f = 0; f < n; f++) {
    let s = 0;
    for (let b = 0; b < nb; b++) s += log2((intra[f][b] + prop[f][b]) / intra[f][b]);
    frameQpDelta[f] = round(-MBTREE_STRENGTH * s / nb);
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START tables
// Constant tables (H.264 forward/inverse scaling, zigzag, chroma QP, deblocking thresholds).
const ZZ = new Uint8Array([0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15]);
const MF = [[13107, 5243, 8066], [11916, 4660, 7490], [10082, 4194, 6554], [9362, 3647, 5825], [8192, 3355, 5243], [7282, 2893, 4559]];
const VS = [[10, 16, 13], [11, 18, 14], [13, 20, 16], [14, 23, 18], [16, 25, 20], [18, 29, 23]];
const POSCLASS = new Uint8Array([0, 2, 0, 2, 2, 1, 2, 1, 0, 2, 0, 2, 2, 1, 2, 1]);
// Per QP: quant multiplier and dequant scale per raster coefficient position.
const QMUL = new Int32Array(52 * 16), DQ = new Int32Array(52 * 16);
for (let q = 0; q < 52; q++) for (let i = 0; i < 16; i++) {
  QMUL[q * 16 + i] = MF[q % 6][POSCLASS[i]];
  DQ[q * 16 + i] = VS[q % 6][POSCLASS[i]] << ((q / 6) | 0);
}
const QPC = new Uint8Array(52);
for (let q = 0; q < 52; q++) QPC[q] = q < 30 ? q : [29, 30, 31, 32, 32, 33, 34, 34, 35, 35, 36, 36, 37, 37, 37, 38, 38, 38, 39, 39, 39, 39][q - 30];
const ALPHA = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 5, 6, 7, 8, 9, 10, 12, 13, 15, 17, 20, 22, 25, 28, 32, 36, 40, 45, 50, 56, 63, 71, 80, 90, 101, 113, 127, 144, 162, 182, 203, 226, 255, 255]);
const BETA = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17, 18, 18]);
const TC0 = new Uint8Array([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 2, 3, 1, 2, 3, 2, 2, 3,
  2, 2, 4, 2, 3, 4, 2, 3, 4, 3, 3, 5, 3, 4, 6, 3, 4, 6, 4, 5, 7, 4, 5, 8, 4, 6, 9, 5, 7, 10, 6, 8, 11, 6, 8, 13, 7, 10, 14, 8, 11, 16, 9, 12, 18, 10, 13, 20,
  11, 15, 23, 13, 17, 25]);

// 8x8 transform (H.264 High profile): zigzag, quant multipliers and dequant scales per QP and raster
// position (six position classes), and the significance/last context of each scan position.
const ZZ8 = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63]);
const MF8 = [[13107, 11428, 20972, 12222, 16777, 15481], [11916, 10826, 19174, 11058, 14980, 14290], [10082, 8943, 15978, 9675, 12710, 11985],
  [9362, 8228, 14913, 8931, 11984, 11259], [8192, 7346, 13159, 7740, 10486, 9777], [7282, 6428, 11570, 6830, 9118, 8640]];
const V8 = [[20, 18, 32, 19, 25, 24], [22, 19, 35, 21, 28, 26], [26, 23, 42, 24, 33, 31], [28, 25, 45, 26, 35, 33], [32, 28, 51, 30, 40, 38], [36, 32, 58, 34, 46, 43]];
const QMUL8 = new Int32Array(52 * 64), DQ8 = new Int32Array(52 * 64), POSCLASS8 = new Uint8Array(64);
for (let i = 0; i < 64; i++) {
  const y = i >> 3, x = i & 7;
  POSCLASS8[i] = (y & 3) === 0 && (x & 3) === 0 ? 0 : (y & 1) && (x & 1) ? 1 : (y & 3) === 2 && (x & 3) === 2 ? 2
    : ((y & 3) === 0 && (x & 1)) || ((y & 1) && (x & 3) === 0) ? 3 : ((y & 3) === 0 && (x & 3) === 2) || ((y & 3) === 2 && (x & 3) === 0) ? 4 : 5;
}
for (let q = 0; q < 52; q++) for (let i = 0; i < 64; i++) {
  QMUL8[q * 64 + i] = MF8[q % 6][POSCLASS8[i]];
  DQ8[q * 64 + i] = V8[q % 6][POSCLASS8[i]] << ((q / 6) | 0);
}
const SIG8CTX = new Uint8Array([0, 1, 2, 3, 4, 5, 5, 4, 4, 3, 3, 4, 4, 4, 5, 5, 4, 4, 4, 4, 3, 3, 6, 7, 7, 7, 8, 9, 10, 9, 8, 7,
  7, 6, 11, 12, 13, 11, 6, 7, 8, 9, 14, 10, 9, 8, 6, 11, 12, 13, 11, 6, 9, 14, 10, 9, 11, 12, 13, 11, 14, 10, 12]);
const LAST8CTX = new Uint8Array([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8]);

// Intra 4x4 directional modes (they follow edges inside textured areas, which DC/planar cannot)
// as taps on an edge array e[]: e[0..3] = left pixels bottom-up
// (L3..L0), e[4] = top-left corner, e[5..12] = top and top-right. Each predicted pixel is
// e[a], (e[a]+e[b]+1)>>1 or (e[a]+2e[b]+e[c]+2)>>2; DC (mode 2) is computed separately.
const I4TAP = new Int8Array(9 * 16 * 4);
(function buildIntra4Taps() {
  const T = (k) => 5 + k, L = (k) => 3 - k; // L(-1) and T(-1) are the corner
  for (let m = 0; m < 9; m++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    let t = [0, 0, 0, 0];
    const one = (a) => [1, a, 0, 0], two = (a, b) => [2, a, b, 0], three = (a, b, c) => [3, a, b, c];
    if (m === 0) t = one(T(x));
    else if (m === 1) t = one(L(y));
    else if (m === 3) t = x === 3 && y === 3 ? three(T(6), T(7), T(7)) : three(T(x + y), T(x + y + 1), T(x + y + 2));
    else if (m === 4) { const d = x - y; t = three(4 + d - 1, 4 + d, 4 + d + 1); }
    else if (m === 5) {
      const z = 2 * x - y, k = x - (y >> 1);
      if (z >= 0 && !(z & 1)) t = two(T(k - 1), T(k));
      else if (z > 0) t = three(T(k - 2), T(k - 1), T(k));
      else if (z === -1) t = three(L(0), 4, T(0));
      else t = three(L(y - 1), L(y - 2), L(y - 3));
    } else if (m === 6) {
      const z = 2 * y - x, k = y - (x >> 1);
      if (z >= 0 && !(z & 1)) t = two(L(k - 1), L(k));
      else if (z > 0) t = three(L(k - 2), L(k - 1), L(k));
      else if (z === -1) t = three(L(0), 4, T(0));
      else t = three(T(x - 1), T(x - 2), T(x - 3));
    } else if (m === 7) {
      const k = x + (y >> 1);
      t = y & 1 ? three(T(k), T(k + 1), T(k + 2)) : two(T(k), T(k + 1));
    } else if (m === 8) {
      const z = x + 2 * y, k = y + (x >> 1);
      if (z > 5) t = one(L(3));
      else if (z === 5) t = three(L(2), L(3), L(3));
      else if (z & 1) t = three(L(k), L(k + 1), L(k + 2));
      else t = two(L(k), L(k + 1));
    }
    I4TAP.set(t, (m * 16 + y * 4 + x) * 4);
  }
})();

// Intra 8x8 modes: the 4x4 modes' formulas over 8 left, the corner and 16 top samples of a [1,2,1]-filtered
// edge: e[0..7] = left bottom-up (L7..L0), e[8] = corner, e[9..24] = top and top-right.
const I8TAP = new Int8Array(9 * 64 * 4);
(function buildIntra8Taps() {
  const T = (k) => 9 + k, L = (k) => 7 - k;
  for (let m = 0; m < 9; m++) for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    let t = [0, 0, 0, 0];
    const one = (a) => [1, a, 0, 0], two = (a, b) => [2, a, b, 0], three = (a, b, c) => [3, a, b, c];
    if (m === 0) t = one(T(x));
    else if (m === 1) t = one(L(y));
    else if (m === 3) t = x === 7 && y === 7 ? three(T(14), T(15), T(15)) : three(T(x + y), T(x + y + 1), T(x + y + 2));
    else if (m === 4) { const d = x - y; t = three(8 + d - 1, 8 + d, 8 + d + 1); }
    else if (m === 5) {
      const z = 2 * x - y, k = x - (y >> 1);
      if (z >= 0 && !(z & 1)) t = two(T(k - 1), T(k));
      else if (z > 0) t = three(T(k - 2), T(k - 1), T(k));
      else if (z === -1) t = three(L(0), 8, T(0));
      else t = three(L(y - 2 * x - 1), L(y - 2 * x - 2), L(y - 2 * x - 3));
    } else if (m === 6) {
      const z = 2 * y - x, k = y - (x >> 1);
      if (z >= 0 && !(z & 1)) t = two(L(k - 1), L(k));
      else if (z > 0) t = three(L(k - 2), L(k - 1), L(k));
      else if (z === -1) t = three(L(0), 8, T(0));
      else t = three(T(x - 2 * y - 1), T(x - 2 * y - 2), T(x - 2 * y - 3));
    } else if (m === 7) {
      const k = x + (y >> 1);
      t = y & 1 ? three(T(k), T(k + 1), T(k + 2)) : two(T(k), T(k + 1));
    } else if (m === 8) {
      const z = x + 2 * y, k = y + (x >> 1);
      if (z > 13) t = one(L(7));
      else if (z === 13) t = three(L(6), L(7), L(7));
      else if (z & 1) t = three(L(k), L(k + 1), L(k + 2));
      else t = two(L(k), L(k + 1));
    }
    I8TAP.set(t, (m * 64 + y * 8 + x) * 4);
  }
})();

// Quarter-pel luma positions as one or the average of two samples of the planes
// [full, half-x, half-y, half-xy], each given as plane index and integer offset (dx, dy).
const QPEL = new Int8Array([
  0, 0, 0, -1, 0, 0, /* 0,0 */ 0, 0, 0, 1, 0, 0, /* 1,0 */ 1, 0, 0, -1, 0, 0, /* 2,0 */ 1, 0, 0, 0, 1, 0, /* 3,0 */
  0, 0, 0, 2, 0, 0, /* 0,1 */ 1, 0, 0, 2, 0, 0, /* 1,1 */ 1, 0, 0, 3, 0, 0, /* 2,1 */ 1, 0, 0, 2, 1, 0, /* 3,1 */
  2, 0, 0, -1, 0, 0, /* 0,2 */ 2, 0, 0, 3, 0, 0, /* 1,2 */ 3, 0, 0, -1, 0, 0, /* 2,2 */ 3, 0, 0, 2, 1, 0, /* 3,2 */
  2, 0, 0, 0, 0, 1, /* 0,3 */ 2, 0, 0, 1, 0, 1, /* 1,3 */ 3, 0, 0, 1, 0, 1, /* 2,3 */ 2, 1, 0, 1, 0, 1, /* 3,3 */
]);

// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START entropy-coding
// Context-adaptive binary range coder (LZMA-style carry propagation, 15-bit probabilities). Every
// syntax element is binarised and each bin has its own adaptive probability (CABAC's idea): bins
// that are nearly certain (skip flags, zero coefficients) cost a small fraction of a bit.
// Adaptation speed of the binary contexts (of the fast estimate with PROB_SLOW_SHIFT): 4 adapts fast, 7 slow but precise.
const PROB_SHIFT = 4;            // @evolve int 4 7
// Counter-based rate (AV1's idea, the Krichevsky-Trofimov estimate): a context's n-th bin moves its
// probability by 1/(n+2) until that reaches 2^-shift, so fresh contexts learn in a few bins.
const PROB_COUNT = true;         // @evolve bool
// Two estimates averaged (VVC's idea): one at rate 2^-shift, one slower at 2^-PROB_SLOW_SHIFT
// (0 = a single estimate); the mix follows changes quickly yet stays precise.
const PROB_SLOW_SHIFT = 7;       // @evolve int 0 10
// Initial probabilities of contexts 0-314 (else 1/2): the share of 0 bins among each context's first
// bins, averaged over several clips and qualities, one base64 digit k per context (p = 1/(1+2^((32-k)/4))),
// worth PROB_INIT_COUNT bins of evidence.
const PROB_INIT = true;          // @evolve bool
const PROB_INIT_COUNT = 2;       // @evolve int 0 8
const PINIT = 'ldVzhVJTmgfihgadjlhmYeTlbYcffcZXXXeifbZWXYgbYqgbjjgcggXcgZbafcaidbghYccV/dYffclfffjcdjX/gbiheojdhicfiSWkjfpcelldkcggbUeVBgggggggggggpsssoppommokikdgmikjkmkidhhehVgjfigchfckcaeaXipzl0hiurlnopnchjeBgggggggggggdpmojgxqplivprqkpomkcnkjhjfgdZpjhfetnjkljedgaicaYg0dYiEYebihjnllprnnookmlklgieZfvrroljifceaYhbdhbV7lavtqnmgg';
const CTX_SKIP = 0, CTX_INTRA = 3, CTX_I4FLAG = 6, CTX_PART = 8, CTX_I4MPM = 9, CTX_I4REM = 10, CTX_I16MODE = 13,
  CTX_CMODE = 16, CTX_CBP = 19, CTX_CBPC = 23, CTX_MVD = 26, CTX_CBF = 42, CTX_SIG = 57, CTX_LAST = 132,
  CTX_GT1 = 207, CTX_LVL = 232, CTX_REF = 257, CTX_SIG8 = 262, CTX_LAST8 = 277, CTX_GT18 = 286, CTX_LVL8 = 291,
  CTX_T8 = 296, CTX_I8FLAG = 299, CTX_CFL = 301, CTX_BSKIP = 302, CTX_BINTRA = 305, CTX_BDIRECT = 308, CTX_BDIR = 311;
const CTX_CDM = 315; // chroma DM flag (CHROMA_DM)
const CTX_PRECT = 650, CTX_MERGE = 652, CTX_BRECT = 659;
const CTX_ALF = 600; // 600-611: adaptive loop filter, per plane 3 block flag contexts (left + upper flag), 609-611 plane on
const CTX_T16 = 400, CTX_CBF16 = 406, CTX_LAST16 = 409, CTX_LASTP16 = 439, CTX_CG16 = 454, CTX_SIG16 = 460, CTX_GT116 = 474, CTX_LVL16 = 494;
const CTX_AMPM = 500, CTX_AIDX = 503, CTX_AREM = 505; // angular intra modes (INTRA_ANGULAR): MPM flag per size, MPM index, rest
// Contexts 315-699 are free for new syntax elements (allocate a named range; unused ones cost nothing).
const NUM_CTX = 700;
// Coefficient categories, each with its own contexts: luma 4x4, chroma (AC only when the chroma DC
// transform is on), intra-16x16 AC, intra-16x16 DC, chroma DC.
const CAT_LUMA = 0, CAT_CHROMA = 1, CAT_I16AC = 2, CAT_I16DC = 3, CAT_CDC = 4;
// Context state in one array (saved and restored whole): P = probability of a 0 bin (1/32768 units,
// what the coder and bitCost read), PA/PB the fast/slow estimates, CN the bins seen (capped).
const ST = new Uint16Array(4 * NUM_CTX), P = ST.subarray(0, NUM_CTX), PA = ST.subarray(NUM_CTX, 2 * NUM_CTX),
  PB = ST.subarray(2 * NUM_CTX, 3 * NUM_CTX), CN = ST.subarray(3 * NUM_CTX);
// Per-count rate multipliers (x 65536) of the two estimates; probState() builds them from the header's flags.
const RA = new Int32Array(256), RB = new Int32Array(256);
let shift = 5, slowShift = 0, probCount = false, probInit = false;
function probState() {
  for (let n = 0; n < 256; n++) {
    RA[n] = probCount ? max(65536 >> shift, floor(65536 / (n + 2))) : 65536 >> shift;
    RB[n] = slowShift ? (probCount ? max(65536 >> slowShift, floor(65536 / (n + 2))) : 65536 >> slowShift) : RA[n];
  }
  P.fill(16384); CN.fill(0);
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  if (probInit) for (let i = 0; i < PINIT.length; i++) {
    P[i] = round(32768 / (1 + pow(2, (32 - b64.indexOf(PINIT[i])) / 4))); CN[i] = max(0, min(8, PROB_INIT_COUNT));
  }
  PA.set(P); PB.set(P);
}
// Probability update after coding `bit` in context ci.
function probUpdate(ci, bit) {
  const n = CN[ci], ra = RA[n], rb = RB[n];
  let a = PA[ci], b = PB[ci];
  if (bit) { a -= (a * ra) >>> 16; b -= (b * rb) >>> 16; }
  else { a += ((32768 - a) * ra) >>> 16; b += ((32768 - b) * rb) >>> 16; }
  PA[ci] = a; PB[ci] = b; P[ci] = (a + b) >> 1;
  if (n < 255) CN[ci] = n + 1;
}
// Coder registers live in a Float64Array: range, low and code exceed 2^30, and doubles kept in
// closure variables would be re-boxed on every store (a measurable share of decode time).
const RC = new Float64Array(3); // [0] range, [1] low (encoder), [2] code (decoder)
// Encoder state.
let out = new Uint8Array(1 << 16), outPos = 0, cache = 0, cacheSize = 0;
// Decoder state.
let inBuf = null, inPos = 0;

function putByte(b) {
  if (outPos === out.length) { const n = new Uint8Array(out.length * 2); n.set(out); out = n; }
  out[outPos++] = b;
}
function shiftLow() {
  const low = RC[1], lo32 = low % 4294967296, carry = low >= 4294967296 ? 1 : 0;
  if (lo32 < 0xFF000000 || carry) {
    let temp = cache;
    do { putByte((temp + carry) & 255); temp = 255; } while (--cacheSize !== 0);
    cache = lo32 >>> 24;
  }
  cacheSize++;
  RC[1] = (lo32 & 0xFFFFFF) * 256;
}
function encInit() { RC[1] = 0; RC[0] = 0xFFFFFFFF; cache = 0; cacheSize = 1; outPos = 0; }
function encBit(ci, bit) {
  let range = RC[0];
  const bound = (range >>> 15) * P[ci];
  if (bit) { RC[1] += bound; range -= bound; } else range = bound;
  probUpdate(ci, bit);
  while (range < 16777216) { range *= 256; shiftLow(); }
  RC[0] = range;
}
function encDirect(bit) {
  let range = floor(RC[0] / 2);
  if (bit) RC[1] += range;
  while (range < 16777216) { range *= 256; shiftLow(); }
  RC[0] = range;
}
function encFlush() { for (let i = 0; i < 5; i++) shiftLow(); }
function nextByte() { return inPos < inBuf.length ? inBuf[inPos++] : 0; }
function decInit(buf, pos) {
  inBuf = buf; inPos = pos; RC[0] = 0xFFFFFFFF;
  let code = 0;
  for (let i = 0; i < 5; i++) code = (code * 256 + nextByte()) % 4294967296;
  RC[2] = code;
}
function decBit(ci) {
  let range = RC[0], code = RC[2], bit;
  const bound = (range >>> 15) * P[ci];
  if (code < bound) { range = bound; bit = 0; }
  else { code -= bound; range -= bound; bit = 1; }
  probUpdate(ci, bit);
  while (range < 16777216) { range *= 256; code = code * 256 + nextByte(); }
  RC[0] = range; RC[2] = code;
  return bit;
}
function decDirect() {
  let range = floor(RC[0] / 2), code = RC[2], bit = 0;
  if (code >= range) { code -= range; bit = 1; }
  while (range < 16777216) { range *= 256; code = code * 256 + nextByte(); }
  RC[0] = range; RC[2] = code;
  return bit;
}
function encBits(v, n) { for (let i = n - 1; i >= 0; i--) encDirect((v >> i) & 1); }
function decBits(n) { let v = 0; for (let i = 0; i < n; i++) v = (v << 1) | decDirect(); return v; }
// Exp-Golomb (order 0) in bypass bits, for the rare large values.
function encEG(x) { let k = 0; while (x >= (1 << k)) { encDirect(1); x -= 1 << k; k++; } encDirect(0); encBits(x, k); }
function decEG() { let k = 0, x = 0; while (decDirect()) { x += 1 << k; if (++k > 24) throw new Error('corrupt stream'); } return x + decBits(k); }
// Rate estimate in bits for coding `bit` with context probability p (encoder decisions only).
const COST = new Float64Array(1025);
for (let i = 0; i <= 1024; i++) COST[i] = -log2(max(i * 32 + 16, 8) / 32768);
function bitCost(ci, bit) { const p = P[ci]; return bit ? COST[(32768 - p) >> 5] : COST[p >> 5]; }
function egCost(x) { let k = 0; while (x >= (1 << k)) { x -= 1 << k; k++; } return 2 * k + 1; }
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START frame-buffers
// Frame geometry and buffers (allocated once per encode/decode call).
const PAD = 48, CPAD = 24;
let W = 0, H = 0, WP = 0, HP = 0, MBW = 0, MBH = 0, LS = 0, CS = 0, LOFF = 0, COFF = 0, CWP = 0, CHP = 0;
let curY, curU, curV, refY, refU, refV, halfH, halfV, halfC, halfTmp, planes;
// Decoded picture buffer: reference pictures (each with its planes, its own half-pel planes and its
// display index poc). Per frame, refs is list 0 (past pictures, nearest first, at most numRefs) and
// refs1 list 1 (the nearest future picture, B-frames only); useRef(r) / useRef1(r) point the globals
// above at an entry (motion compensation and search read those). With B-frames the buffer holds
// numRefs + 2 pictures (past references plus the future anchor and a pyramid B); when full, the
// lowest poc leaves. A long-term reference (see LONG_TERM_REF) takes one more slot and never leaves.
let refs = [], refs1 = [], numRefs = 1, refsAvail = 0, dpb = [], pool = [], curEntry = null, dpbCap = 1, longTerm = false;
let srcY, srcU, srcV;
let mbType, cbpMap, nzL, nzU, nzV, i4Mode, mvX, mvY, prevMvX, prevMvY, W4, W8, mbRefMap, mbT8Map;
// B-frame state: list-1 vectors per 8x8, prediction direction per macroblock (bit 0 list 0, bit 1
// list 1; 0 intra) and whether it used direct prediction.
let mvX1, mvY1, mbDirMap, mbDirectMap, frameIsB = false;
let qp = 26, qpC = 26, lambda = 1, lambdaMe = 1, frameIsP = false, deblockOffset = 0, deblockOn = true;

function setup(width, height) {
  W = width; H = height;
  WP = (W + 15) & ~15; HP = (H + 15) & ~15; MBW = WP >> 4; MBH = HP >> 4;
  CWP = WP >> 1; CHP = HP >> 1;
  LS = WP + 2 * PAD; CS = CWP + 2 * CPAD;
  LOFF = PAD * LS + PAD; COFF = CPAD * CS + CPAD;
  const ln = LS * (HP + 2 * PAD), cn = CS * (CHP + 2 * CPAD);
  halfTmp = new Int16Array(ln);
  pool = [];
  const W8q = WP >> 3;
  for (let r = 0; r <= dpbCap; r++) {
    pool.push({ y: new Uint8Array(ln), u: new Uint8Array(cn), v: new Uint8Array(cn), h: new Uint8Array(ln), hv: new Uint8Array(ln), hc: new Uint8Array(ln), poc: 0, lt: false,
      mvx: new Int16Array(W8q * (HP >> 3)), mvy: new Int16Array(W8q * (HP >> 3)), rpoc: new Int32Array(MBW * MBH) });
  }
  curEntry = pool.pop(); curY = curEntry.y; curU = curEntry.u; curV = curEntry.v;
  dpb = []; refs = []; refs1 = []; refsAvail = 0;
  planes = [null, null, null, null];
  srcY = new Uint8Array(WP * HP); srcU = new Uint8Array(CWP * CHP); srcV = new Uint8Array(CWP * CHP);
  W4 = WP >> 2; W8 = WP >> 3;
  mbType = new Uint8Array(MBW * MBH); cbpMap = new Uint8Array(MBW * MBH);
  nzL = new Uint8Array(W4 * (HP >> 2)); nzU = new Uint8Array(W8 * (HP >> 3)); nzV = new Uint8Array(W8 * (HP >> 3));
  i4Mode = new Uint8Array(W4 * (HP >> 2));
  mvX = new Int16Array(W8 * (HP >> 3)); mvY = new Int16Array(W8 * (HP >> 3));
  prevMvX = new Int16Array(W8 * (HP >> 3)); prevMvY = new Int16Array(W8 * (HP >> 3));
  mvX1 = new Int16Array(W8 * (HP >> 3)); mvY1 = new Int16Array(W8 * (HP >> 3));
  mbRefMap = new Uint8Array(MBW * MBH); mbT8Map = new Uint8Array(MBW * MBH);
  mbDirMap = new Uint8Array(MBW * MBH); mbDirectMap = new Uint8Array(MBW * MBH);
}

function usePlanes(e) {
  refY = e.y; refU = e.u; refV = e.v; halfH = e.h; halfV = e.hv; halfC = e.hc;
  planes[0] = refY; planes[1] = halfH; planes[2] = halfV; planes[3] = halfC;
}
function useRef(r) { usePlanes(refs[r]); }
function useRef1(r) { usePlanes(refs1[r]); }
// Reference lists of the picture at display index poc: past pictures nearest first, the nearest future one.
function setFrameRefs(poc) {
  const past = [], fut = [];
  for (const e of dpb) (e.poc < poc ? past : fut).push(e);
  past.sort((a, b) => b.poc - a.poc); fut.sort((a, b) => a.poc - b.poc);
  refs = past.slice(0, numRefs); refs1 = fut.slice(0, 1);
  for (let i = numRefs; i < past.length; i++) if (past[i].lt) refs.push(past[i]);
  refsAvail = refs.length;
}
// An intra picture after a scene cut keeps the newest picture of the old scene as a long-term
// reference (the previous one is released), so a scene that comes back is predicted from it.
function markLongTerm(poc) {
  if (!longTerm) return;
  let k = -1;
  for (let i = 0; i < dpb.length; i++) { dpb[i].lt = false; if (dpb[i].poc < poc && (k < 0 || dpb[i].poc > dpb[k].poc)) k = i; }
  if (k >= 0) dpb[k].lt = true;
}
// The picture just coded becomes a reference; a free (or the evicted) buffer takes the next picture.
// Returns the new reference's entry.
function storeRef(poc) {
  const e = curEntry;
  e.poc = poc; e.lt = false;
  dpb.push(e);
  let next;
  if (dpb.length > dpbCap) {
    let k = -1;
    for (let i = 0; i < dpb.length; i++) if (!dpb[i].lt && (k < 0 || dpb[i].poc < dpb[k].poc)) k = i;
    next = dpb.splice(k, 1)[0];
  } else next = pool.pop();
  curEntry = next; curY = next.y; curU = next.u; curV = next.v;
  return e;
}

// Replicates the coded picture's edges into the padding so motion vectors may point outside it.
function extendEdges(buf, stride, off, w, h, pad) {
  for (let y = 0; y < h; y++) {
    const row = off + y * stride, l = buf[row], r = buf[row + w - 1];
    buf.fill(l, row - pad, row); buf.fill(r, row + w, row + w + pad);
  }
  const first = off - pad, last = off + (h - 1) * stride - pad;
  for (let y = 1; y <= pad; y++) {
    buf.copyWithin(first - y * stride, first, first + w + 2 * pad);
    buf.copyWithin(last + y * stride, last, last + w + 2 * pad);
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START motion-compensation
// Half-pel planes with the H.264 6-tap filter (1,-5,20,20,-5,1): computed once per reference
// frame; quarter-pel samples are averages of neighbouring full/half samples (see QPEL).
function buildHalfPel() {
  const rows = HP + 2 * PAD, F = refY, T = halfTmp;
  for (let r = 0; r < rows; r++) {
    const b = r * LS;
    for (let x = 2; x < LS - 3; x++) {
      const i = b + x;
      const v = F[i - 2] - 5 * (F[i - 1] + F[i + 2]) + 20 * (F[i] + F[i + 1]) + F[i + 3];
      T[i] = v;
      const c = (v + 16) >> 5;
      halfH[i] = c < 0 ? 0 : c > 255 ? 255 : c;
    }
  }
  const s2 = 2 * LS, s3 = 3 * LS;
  for (let r = 2; r < rows - 3; r++) {
    const b = r * LS;
    for (let x = 0; x < LS; x++) {
      const i = b + x;
      const v = F[i - s2] - 5 * (F[i - LS] + F[i + s2]) + 20 * (F[i] + F[i + LS]) + F[i + s3];
      const c = (v + 16) >> 5;
      halfV[i] = c < 0 ? 0 : c > 255 ? 255 : c;
      if (x >= 2 && x < LS - 3) {
        const w = T[i - s2] - 5 * (T[i - LS] + T[i + s2]) + 20 * (T[i] + T[i + LS]) + T[i + s3];
        const d = (w + 512) >> 10;
        halfC[i] = d < 0 ? 0 : d > 255 ? 255 : d;
      }
    }
  }
}

// The decoder fills half-pel samples only under the blocks that use them (same formulas as
// buildHalfPel, so identical values); the encoder's search needs whole planes.
let lazyHalf = false;
function fillHalfWindow(base, k, bw, bh) {
  const F = refY, T = halfTmp, s2 = 2 * LS, s3 = 3 * LS;
  const a = QPEL[k], b = QPEL[k + 3];
  if (a === 1 || b === 1) for (let y = 0; y <= bh; y++) for (let x = 0, i = base + y * LS; x <= bw; x++, i++) {
    const c = (F[i - 2] - 5 * (F[i - 1] + F[i + 2]) + 20 * (F[i] + F[i + 1]) + F[i + 3] + 16) >> 5;
    halfH[i] = c < 0 ? 0 : c > 255 ? 255 : c;
  }
  if (a === 2 || b === 2) for (let y = 0; y <= bh; y++) for (let x = 0, i = base + y * LS; x <= bw; x++, i++) {
    const c = (F[i - s2] - 5 * (F[i - LS] + F[i + s2]) + 20 * (F[i] + F[i + LS]) + F[i + s3] + 16) >> 5;
    halfV[i] = c < 0 ? 0 : c > 255 ? 255 : c;
  }
  if (a === 3 || b === 3) {
    for (let y = -2; y <= bh + 3; y++) for (let x = 0, i = base + y * LS; x <= bw; x++, i++) {
      T[i] = F[i - 2] - 5 * (F[i - 1] + F[i + 2]) + 20 * (F[i] + F[i + 1]) + F[i + 3];
    }
    for (let y = 0; y <= bh; y++) for (let x = 0, i = base + y * LS; x <= bw; x++, i++) {
      const d = (T[i - s2] - 5 * (T[i - LS] + T[i + s2]) + 20 * (T[i] + T[i + LS]) + T[i + s3] + 512) >> 10;
      halfC[i] = d < 0 ? 0 : d > 255 ? 255 : d;
    }
  }
}

// Motion-compensated luma prediction of a bw x bh block at picture position (px,py), quarter-pel mv.
function mcLuma(px, py, mx, my, bw, bh, dst, dOff) {
  const k = ((my & 3) * 4 + (mx & 3)) * 6;
  const base = LOFF + (py + (my >> 2)) * LS + px + (mx >> 2);
  if (lazyHalf && k !== 0) fillHalfWindow(base, k, bw, bh);
  const A = planes[QPEL[k]], a0 = base + QPEL[k + 2] * LS + QPEL[k + 1];
  if (QPEL[k + 3] < 0) {
    for (let y = 0; y < bh; y++) { const s = a0 + y * LS, d = dOff + y * 16; for (let x = 0; x < bw; x++) dst[d + x] = A[s + x]; }
  } else {
    const B = planes[QPEL[k + 3]], b0 = base + QPEL[k + 5] * LS + QPEL[k + 4];
    for (let y = 0; y < bh; y++) {
      const s = a0 + y * LS, t = b0 + y * LS, d = dOff + y * 16;
      for (let x = 0; x < bw; x++) dst[d + x] = (A[s + x] + B[t + x] + 1) >> 1;
    }
  }
}

// Chroma prediction at eighth-pel (the luma vector read at chroma resolution): H.264's bilinear, or
// with CHROMA_4TAP HEVC's separable 4-tap filters, sharper on detailed chroma (sent in the header).
const CHROMA_4TAP = true;        // @evolve bool
let chroma4tap = true;
const CF4 = [0, 64, 0, 0, -2, 58, 10, -2, -4, 54, 16, -2, -6, 46, 28, -4, -4, 36, 36, -4, -4, 28, 46, -6, -2, 16, 54, -4, -2, 10, 58, -2];
const c4tmp = new Int32Array(11 * 8);
function mcChroma(ref, cx, cy, mx, my, bw, bh, dst, dOff) {
  const fx = mx & 7, fy = my & 7;
  if (chroma4tap) {
    const base = COFF + (cy + (my >> 3)) * CS + cx + (mx >> 3);
    const h0 = CF4[fx * 4], h1 = CF4[fx * 4 + 1], h2 = CF4[fx * 4 + 2], h3 = CF4[fx * 4 + 3];
    const v0 = CF4[fy * 4], v1 = CF4[fy * 4 + 1], v2 = CF4[fy * 4 + 2], v3 = CF4[fy * 4 + 3];
    // One-dimensional cases (the other filter is 64 * sample): (64 * t + 2048) >> 12 === (t + 32) >> 6.
    if (fy === 0) {
      if (fx === 0) { for (let y = 0; y < bh; y++) { const s = base + y * CS, d = dOff + y * 8; for (let x = 0; x < bw; x++) dst[d + x] = ref[s + x]; } return; }
      for (let y = 0; y < bh; y++) {
        const s = base + y * CS, d = dOff + y * 8;
        for (let x = 0; x < bw; x++) {
          const i = s + x, v = (h0 * ref[i - 1] + h1 * ref[i] + h2 * ref[i + 1] + h3 * ref[i + 2] + 32) >> 6;
          dst[d + x] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
      return;
    }
    if (fx === 0) {
      for (let y = 0; y < bh; y++) {
        const s = base + y * CS, d = dOff + y * 8;
        for (let x = 0; x < bw; x++) {
          const i = s + x, v = (v0 * ref[i - CS] + v1 * ref[i] + v2 * ref[i + CS] + v3 * ref[i + 2 * CS] + 32) >> 6;
          dst[d + x] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
      return;
    }
    // Sliding windows (each sample read once per pass): the same integer sums.
    const T = c4tmp, cs = CS;
    for (let y = -1; y < bh + 2; y++) {
      const s = base + y * cs, t = (y + 1) * 8;
      let r0 = ref[s - 1], r1 = ref[s], r2 = ref[s + 1];
      for (let x = 0; x < bw; x++) { const r3 = ref[s + x + 2]; T[t + x] = h0 * r0 + h1 * r1 + h2 * r2 + h3 * r3; r0 = r1; r1 = r2; r2 = r3; }
    }
    for (let x = 0; x < bw; x++) {
      let r0 = T[x], r1 = T[8 + x], r2 = T[16 + x];
      for (let y = 0, t = 24 + x, d = dOff + x; y < bh; y++, t += 8, d += 8) {
        const r3 = T[t], v = (v0 * r0 + v1 * r1 + v2 * r2 + v3 * r3 + 2048) >> 12;
        dst[d] = v < 0 ? 0 : v > 255 ? 255 : v;
        r0 = r1; r1 = r2; r2 = r3;
      }
    }
    return;
  }
  const w00 = (8 - fx) * (8 - fy), w10 = fx * (8 - fy), w01 = (8 - fx) * fy, w11 = fx * fy;
  const base = COFF + (cy + (my >> 3)) * CS + cx + (mx >> 3);
  for (let y = 0; y < bh; y++) {
    const s = base + y * CS, d = dOff + y * 8;
    for (let x = 0; x < bw; x++) {
      const i = s + x;
      dst[d + x] = (w00 * ref[i] + w10 * ref[i + 1] + w01 * ref[i + CS] + w11 * ref[i + CS + 1] + 32) >> 6;
    }
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START transform-quant
// 4x4 integer transform (H.264): exact in integers, so encoder and decoder agree bit for bit.
const tb = new Int32Array(16);
function fdct4(r, c) {
  for (let i = 0; i < 4; i++) {
    const o = i * 4, s03 = r[o] + r[o + 3], d03 = r[o] - r[o + 3], s12 = r[o + 1] + r[o + 2], d12 = r[o + 1] - r[o + 2];
    tb[o] = s03 + s12; tb[o + 2] = s03 - s12; tb[o + 1] = 2 * d03 + d12; tb[o + 3] = d03 - 2 * d12;
  }
  for (let i = 0; i < 4; i++) {
    const s03 = tb[i] + tb[12 + i], d03 = tb[i] - tb[12 + i], s12 = tb[4 + i] + tb[8 + i], d12 = tb[4 + i] - tb[8 + i];
    c[i] = s03 + s12; c[8 + i] = s03 - s12; c[4 + i] = 2 * d03 + d12; c[12 + i] = d03 - 2 * d12;
  }
}
// Dequantises scan-ordered levels lv[off..off+15] and adds the inverse transform to the prediction.
const dqb = new Int32Array(16);
function dequant(lv, off, q) {
  const qb = q * 16;
  for (let i = 0; i < 16; i++) dqb[i] = 0;
  for (let i = 0; i < 16; i++) { const v = lv[off + i]; if (v) { const p = ZZ[i]; dqb[p] = v * DQ[qb + p]; } }
}
function reconBlock(lv, off, q, pred, pOff, pStride, dst, dOff, dStride) {
  dequant(lv, off, q);
  idctAdd(pred, pOff, pStride, dst, dOff, dStride);
}
// Intra 16x16 blocks: the DC comes dequantised from the second-stage transform (dcY).
function reconBlockDc(lv, off, q, dc, pred, pOff, pStride, dst, dOff, dStride) {
  dequant(lv, off, q);
  dqb[0] = dc;
  idctAdd(pred, pOff, pStride, dst, dOff, dStride);
}
function idctAdd(pred, pOff, pStride, dst, dOff, dStride) {
  for (let i = 0; i < 4; i++) {
    const o = i * 4, w0 = dqb[o], w1 = dqb[o + 1], w2 = dqb[o + 2], w3 = dqb[o + 3];
    const e0 = w0 + w2, e1 = w0 - w2, e2 = (w1 >> 1) - w3, e3 = w1 + (w3 >> 1);
    tb[o] = e0 + e3; tb[o + 1] = e1 + e2; tb[o + 2] = e1 - e2; tb[o + 3] = e0 - e3;
  }
  for (let i = 0; i < 4; i++) {
    const w0 = tb[i], w1 = tb[4 + i], w2 = tb[8 + i], w3 = tb[12 + i];
    const e0 = w0 + w2, e1 = w0 - w2, e2 = (w1 >> 1) - w3, e3 = w1 + (w3 >> 1);
    const r0 = (e0 + e3 + 32) >> 6, r1 = (e1 + e2 + 32) >> 6, r2 = (e1 - e2 + 32) >> 6, r3 = (e0 - e3 + 32) >> 6;
    let v = pred[pOff + i] + r0; dst[dOff + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    v = pred[pOff + pStride + i] + r1; dst[dOff + dStride + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    v = pred[pOff + 2 * pStride + i] + r2; dst[dOff + 2 * dStride + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    v = pred[pOff + 3 * pStride + i] + r3; dst[dOff + 3 * dStride + i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
// Second-stage 4x4 Hadamard over the 16 DC coefficients of an intra 16x16 macroblock: a flat offset
// across the macroblock becomes one coefficient instead of sixteen (smooth areas, dark borders).
const hadT = new Int32Array(16);
function hadamard4(x) {
  for (let i = 0; i < 4; i++) {
    const o = i * 4, a = x[o] + x[o + 1], b = x[o] - x[o + 1], c = x[o + 2] + x[o + 3], d = x[o + 2] - x[o + 3];
    hadT[o] = a + c; hadT[o + 1] = b + d; hadT[o + 2] = a - c; hadT[o + 3] = b - d;
  }
  for (let i = 0; i < 4; i++) {
    const a = hadT[i] + hadT[4 + i], b = hadT[i] - hadT[4 + i], c = hadT[8 + i] + hadT[12 + i], d = hadT[8 + i] - hadT[12 + i];
    x[i] = a + c; x[4 + i] = b + d; x[8 + i] = a - c; x[12 + i] = b - d;
  }
}
// Dequantised DC per 4x4 block (raster) from the scan-ordered DC levels.
const mbDcLv = new Int16Array(16), dcY = new Int32Array(16);
function dcDequant(q) {
  for (let i = 0; i < 16; i++) dcY[i] = 0;
  for (let i = 0; i < 16; i++) dcY[ZZ[i]] = mbDcLv[i];
  hadamard4(dcY);
  const s = DQ[q * 16];
  for (let i = 0; i < 16; i++) dcY[i] = (dcY[i] * s + 2) >> 2;
}
// 8x8 integer transform (H.264 High profile), exact in integers like the 4x4 one.
const t8 = new Int32Array(64), dq8 = new Int32Array(64), r8 = new Int32Array(8);
function fdct8(r, c) {
  for (let pass = 0; pass < 2; pass++) {
    const src = pass ? t8 : r, dst = pass ? c : t8, ss = pass ? 8 : 1, sl = pass ? 1 : 8;
    for (let l = 0; l < 8; l++) {
      const b = l * sl, x0 = src[b], x1 = src[b + ss], x2 = src[b + 2 * ss], x3 = src[b + 3 * ss], x4 = src[b + 4 * ss], x5 = src[b + 5 * ss], x6 = src[b + 6 * ss], x7 = src[b + 7 * ss];
      const s07 = x0 + x7, s16 = x1 + x6, s25 = x2 + x5, s34 = x3 + x4;
      const a0 = s07 + s34, a1 = s16 + s25, a2 = s07 - s34, a3 = s16 - s25;
      const d07 = x0 - x7, d16 = x1 - x6, d25 = x2 - x5, d34 = x3 - x4;
      const a4 = d16 + d25 + (d07 + (d07 >> 1)), a5 = d07 - d34 - (d25 + (d25 >> 1));
      const a6 = d07 + d34 - (d16 + (d16 >> 1)), a7 = d16 - d25 + (d34 + (d34 >> 1));
      dst[b] = a0 + a1; dst[b + 4 * ss] = a0 - a1; dst[b + 2 * ss] = a2 + (a3 >> 1); dst[b + 6 * ss] = (a2 >> 1) - a3;
      dst[b + ss] = a4 + (a7 >> 2); dst[b + 7 * ss] = (a4 >> 2) - a7; dst[b + 3 * ss] = a5 + (a6 >> 2); dst[b + 5 * ss] = a6 - (a5 >> 2);
    }
  }
}
// Dequantises the 64 scan-ordered levels at lv[off..] and adds the inverse 8x8 transform to the prediction.
function recon8(lv, off, q, pred, pOff, pStride, dst, dOff, dStride) {
  const qb = q * 64;
  for (let i = 0; i < 64; i++) dq8[i] = 0;
  for (let i = 0; i < 64; i++) { const v = lv[off + i]; if (v) { const p = ZZ8[i]; dq8[p] = (v * DQ8[qb + p] + 2) >> 2; } }
  for (let pass = 0; pass < 2; pass++) {
    const src = pass ? t8 : dq8, ss = pass ? 8 : 1, sl = pass ? 1 : 8;
    for (let l = 0; l < 8; l++) {
      const b = l * sl, d0 = src[b], d1 = src[b + ss], d2 = src[b + 2 * ss], d3 = src[b + 3 * ss], d4 = src[b + 4 * ss], d5 = src[b + 5 * ss], d6 = src[b + 6 * ss], d7 = src[b + 7 * ss];
      const a0 = d0 + d4, a2 = d0 - d4, a4 = (d2 >> 1) - d6, a6 = (d6 >> 1) + d2;
      const b0 = a0 + a6, b2 = a2 + a4, b4 = a2 - a4, b6 = a0 - a6;
      const a1 = -d3 + d5 - d7 - (d7 >> 1), a3 = d1 + d7 - d3 - (d3 >> 1), a5 = -d1 + d7 + d5 + (d5 >> 1), a7 = d3 + d5 + d1 + (d1 >> 1);
      const b1 = (a7 >> 2) + a1, b3 = a3 + (a5 >> 2), b5 = (a3 >> 2) - a5, b7 = a7 - (a1 >> 2);
      if (!pass) {
        t8[b] = b0 + b7; t8[b + 7] = b0 - b7; t8[b + 1] = b2 + b5; t8[b + 6] = b2 - b5;
        t8[b + 2] = b4 + b3; t8[b + 5] = b4 - b3; t8[b + 3] = b6 + b1; t8[b + 4] = b6 - b1;
      } else {
        r8[0] = b0 + b7; r8[1] = b2 + b5; r8[2] = b4 + b3; r8[3] = b6 + b1; r8[4] = b6 - b1; r8[5] = b4 - b3; r8[6] = b2 - b5; r8[7] = b0 - b7;
        for (let k = 0; k < 8; k++) {
          const v = pred[pOff + k * pStride + l] + ((r8[k] + 32) >> 6);
          dst[dOff + k * dStride + l] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  }
}

// 16x16 integer transform (HEVC's, as an even/odd partial butterfly): exact in integers, every basis
// row of equal norm, so the coefficients (8x the orthonormal DCT's) are quantised with one flat step
// per QP, the same step as the 4x4/8x8 paths (0.625 * 2^(QP/6)). Levels are stored in SCAN16 order:
// the 4x4 coefficient groups in zigzag order, zigzag inside each group.
let transform16 = true;
const T16M = new Int32Array(256), SCAN16 = new Uint16Array(256), QS16 = [26214, 23302, 20560, 18396, 16384, 14564], LS16 = [40, 45, 51, 57, 64, 72];
(function buildT16() {
  const V = [64, 90, 89, 87, 83, 80, 75, 70, 64, 57, 50, 43, 36, 25, 18, 9];
  for (let k = 0; k < 16; k++) for (let n = 0; n < 16; n++) {
    let a = (k * (2 * n + 1)) % 64, s = 1;
    if (a > 32) a = 64 - a;
    if (a > 16) { a = 32 - a; s = -1; }
    T16M[k * 16 + n] = k ? s * V[a] : 64;
  }
  for (let i = 0; i < 256; i++) { const g = ZZ[i >> 4], p = ZZ[i & 15]; SCAN16[i] = ((g >> 2) * 4 + (p >> 2)) * 16 + (g & 3) * 4 + (p & 3); }
})();
const t16a = new Int32Array(256), t16b = new Int32Array(256), e16 = new Int32Array(8), o16 = new Int32Array(8);
// One 1-D pass over the 16 lines of src (output transposed): forward, or inverse (E/O recombination).
function pass16(src, dst, sh, inv) {
  const r = 1 << (sh - 1);
  for (let l = 0; l < 16; l++) {
    const o = l * 16;
    if (!inv) {
      // Butterflies to the odd part (8 terms), then 4, 2 and 2 terms for the even rows.
      for (let n = 0; n < 8; n++) { e16[n] = src[o + n] + src[o + 15 - n]; o16[n] = src[o + n] - src[o + 15 - n]; }
      for (let k = 1; k < 16; k += 2) {
        const m = k * 16;
        dst[k * 16 + l] = (T16M[m] * o16[0] + T16M[m + 1] * o16[1] + T16M[m + 2] * o16[2] + T16M[m + 3] * o16[3] + T16M[m + 4] * o16[4] + T16M[m + 5] * o16[5] + T16M[m + 6] * o16[6] + T16M[m + 7] * o16[7] + r) >> sh;
      }
      const a0 = e16[0] + e16[7], a1 = e16[1] + e16[6], a2 = e16[2] + e16[5], a3 = e16[3] + e16[4];
      const b0 = e16[0] - e16[7], b1 = e16[1] - e16[6], b2 = e16[2] - e16[5], b3 = e16[3] - e16[4];
      for (let k = 2; k < 16; k += 4) { const m = k * 16; dst[k * 16 + l] = (T16M[m] * b0 + T16M[m + 1] * b1 + T16M[m + 2] * b2 + T16M[m + 3] * b3 + r) >> sh; }
      const c0 = a0 + a3, c1 = a1 + a2, d0 = a0 - a3, d1 = a1 - a2;
      dst[l] = (64 * (c0 + c1) + r) >> sh; dst[128 + l] = (64 * (c0 - c1) + r) >> sh;
      dst[64 + l] = (T16M[64] * d0 + T16M[65] * d1 + r) >> sh; dst[192 + l] = (T16M[192] * d0 + T16M[193] * d1 + r) >> sh;
      continue;
    }
    let kl = 15;
    while (kl >= 0 && src[o + kl] === 0) kl--;
    if (kl < 0) { for (let n = 0; n < 16; n++) dst[n * 16 + l] = 0; continue; }
    // Even rows through their own butterflies (4 + 2 + 2 terms), odd rows up to the last level.
    const s0 = src[o], s2 = src[o + 2], s4 = src[o + 4], s6 = src[o + 6], s8 = src[o + 8], s10 = src[o + 10], s12 = src[o + 12], s14 = src[o + 14];
    const c0 = 64 * (s0 + s8), c1 = 64 * (s0 - s8), d0 = T16M[64] * s4 + T16M[192] * s12, d1 = T16M[65] * s4 + T16M[193] * s12;
    e16[0] = c0 + d0; e16[3] = c0 - d0; e16[1] = c1 + d1; e16[2] = c1 - d1;
    for (let n = 0; n < 4; n++) {
      const eo = T16M[32 + n] * s2 + T16M[96 + n] * s6 + T16M[160 + n] * s10 + T16M[224 + n] * s14;
      o16[n] = e16[n] + eo; o16[7 - n] = e16[n] - eo;
    }
    for (let n = 0; n < 8; n++) {
      let od = 0;
      for (let k = 1; k <= kl; k += 2) od += T16M[k * 16 + n] * src[o + k];
      const e = o16[n];
      dst[n * 16 + l] = (e + od + r) >> sh; dst[(15 - n) * 16 + l] = (e - od + r) >> sh;
    }
  }
}
function fdct16(r, c) { pass16(r, t16a, 3, false); pass16(t16a, c, 10, false); }
// Dequantises the 256 levels at lv[off..] and adds the inverse 16x16 transform to the prediction.
function recon16(lv, off, q, pred, pOff, pStride, dst, dOff, dStride) {
  const s = LS16[q % 6], sh = (q / 6) | 0;
  t16b.fill(0);
  for (let i = 0; i < 256; i++) { const v = lv[off + i]; if (v) t16b[SCAN16[i]] = ((v * s << sh) + 4) >> 3; }
  pass16(t16b, t16a, 7, true); pass16(t16a, t16b, 12, true);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
    const v = pred[pOff + y * pStride + x] + t16b[y * 16 + x];
    dst[dOff + y * dStride + x] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

// Chroma DC: a 2x2 Hadamard over the DCs of the four 4x4 blocks of each chroma plane (H.264's chroma
// DC stage): chroma is smooth, so one level often carries what four DCs would. Levels in mbCDc
// (plane p at p*16, four used), dequantised DCs per block in dcC (p*4 + block).
let chromaDc = true, transform8 = true;
const mbCDc = new Int16Array(32), dcC = new Int32Array(8);
function chromaDcDequant(p, q) {
  const o = p * 16, a = mbCDc[o], b = mbCDc[o + 1], c = mbCDc[o + 2], d = mbCDc[o + 3], s = DQ[q * 16];
  dcC[p * 4] = ((a + b + c + d) * s) >> 1; dcC[p * 4 + 1] = ((a - b + c - d) * s) >> 1;
  dcC[p * 4 + 2] = ((a + b - c - d) * s) >> 1; dcC[p * 4 + 3] = ((a - b - c + d) * s) >> 1;
}
function copyBlock(src, sOff, sStride, dst, dOff, dStride, n) {
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) dst[dOff + y * dStride + x] = src[sOff + y * sStride + x];
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START intra-prediction
// Intra prediction. Unavailable neighbours (outside the picture) read as 128, so every mode is
// decodable everywhere; DC averages only the neighbours that exist.
const edge = new Int32Array(13);
function intra4Pred(mode, px, py, dst, dOff) {
  const hasT = py > 0, hasL = px > 0;
  const bx = (px >> 2) & 3, by = (py >> 2) & 3;
  // Blocks are reconstructed in raster order inside the macroblock, so the top-right neighbour exists
  // except on the right column below the first row (it belongs to the next macroblock).
  const hasTR = hasT && (by === 0 ? bx < 3 || px + 4 < WP : bx < 3);
  const o = LOFF + py * LS + px;
  const t = o - LS;
  for (let k = 0; k < 4; k++) { edge[5 + k] = hasT ? curY[t + k] : 128; edge[3 - k] = hasL ? curY[o + k * LS - 1] : 128; }
  for (let k = 4; k < 8; k++) edge[5 + k] = hasTR ? curY[t + k] : edge[8];
  edge[4] = hasT && hasL ? curY[t - 1] : 128;
  if (mode === 2) {
    let s = 0, dc = 128;
    if (hasT && hasL) { for (let k = 0; k < 4; k++) s += edge[5 + k] + edge[k]; dc = (s + 4) >> 3; }
    else if (hasT) { for (let k = 0; k < 4; k++) s += edge[5 + k]; dc = (s + 2) >> 2; }
    else if (hasL) { for (let k = 0; k < 4; k++) s += edge[k]; dc = (s + 2) >> 2; }
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) dst[dOff + y * 16 + x] = dc;
    return;
  }
  const tb0 = mode * 64;
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    const k = tb0 + (y * 4 + x) * 4, n = I4TAP[k];
    dst[dOff + y * 16 + x] = n === 1 ? edge[I4TAP[k + 1]] : n === 2 ? (edge[I4TAP[k + 1]] + edge[I4TAP[k + 2]] + 1) >> 1
      : (edge[I4TAP[k + 1]] + 2 * edge[I4TAP[k + 2]] + edge[I4TAP[k + 3]] + 2) >> 2;
  }
}
// Intra 8x8 prediction into dst (stride 16) for the 8x8 block at picture position (px,py).
const edge8 = new Int32Array(25), raw8 = new Int32Array(25);
function intra8Pred(mode, px, py, dst, dOff) {
  const hasT = py > 0, hasL = px > 0, bx = (px >> 3) & 1, by = (py >> 3) & 1;
  const hasTR = hasT && (by === 0 ? bx === 0 || px + 8 < WP : bx === 0);
  const o = LOFF + py * LS + px, t = o - LS;
  for (let k = 0; k < 8; k++) { raw8[9 + k] = hasT ? curY[t + k] : 128; raw8[7 - k] = hasL ? curY[o + k * LS - 1] : 128; }
  for (let k = 8; k < 16; k++) raw8[9 + k] = hasTR ? curY[t + k] : raw8[16];
  raw8[8] = hasT && hasL ? curY[t - 1] : 128;
  // [1,2,1] smoothing along the edge (ends repeat their sample).
  edge8[0] = (raw8[0] * 3 + raw8[1] + 2) >> 2;
  for (let k = 1; k < 24; k++) edge8[k] = (raw8[k - 1] + 2 * raw8[k] + raw8[k + 1] + 2) >> 2;
  edge8[24] = (raw8[23] + 3 * raw8[24] + 2) >> 2;
  if (mode === 2) {
    let s = 0, dc = 128;
    if (hasT && hasL) { for (let k = 0; k < 8; k++) s += edge8[9 + k] + edge8[k]; dc = (s + 8) >> 4; }
    else if (hasT) { for (let k = 0; k < 8; k++) s += edge8[9 + k]; dc = (s + 4) >> 3; }
    else if (hasL) { for (let k = 0; k < 8; k++) s += edge8[k]; dc = (s + 4) >> 3; }
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) dst[dOff + y * 16 + x] = dc;
    return;
  }
  const tb0 = mode * 256;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    const k = tb0 + (y * 8 + x) * 4, n = I8TAP[k];
    dst[dOff + y * 16 + x] = n === 1 ? edge8[I8TAP[k + 1]] : n === 2 ? (edge8[I8TAP[k + 1]] + edge8[I8TAP[k + 2]] + 1) >> 1
      : (edge8[I8TAP[k + 1]] + 2 * edge8[I8TAP[k + 2]] + edge8[I8TAP[k + 3]] + 2) >> 2;
  }
}
// 16x16 luma (n=16, stride 16) or 8x8 chroma (n=8, stride 8) prediction: 0 DC, 1 V, 2 H, 3 planar.
// One mode for a whole smooth area costs 2 bits instead of sixteen 4x4 modes; planar fits gradients.
function intraBlockPred(mode, buf, stride, off, n, hasT, hasL, dst) {
  const t = off - stride;
  if (mode === 0 || (mode === 1 && !hasT) || (mode === 2 && !hasL) || (mode === 3 && !(hasT && hasL))) {
    let s = 0, dc = 128;
    const sh = n === 16 ? 4 : 3;
    if (hasT && hasL) { for (let k = 0; k < n; k++) s += buf[t + k] + buf[off + k * stride - 1]; dc = (s + n) >> (sh + 1); }
    else if (hasT) { for (let k = 0; k < n; k++) s += buf[t + k]; dc = (s + (n >> 1)) >> sh; }
    else if (hasL) { for (let k = 0; k < n; k++) s += buf[off + k * stride - 1]; dc = (s + (n >> 1)) >> sh; }
    dst.fill(dc, 0, n * n);
    return;
  }
  if (mode === 1) { for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) dst[y * n + x] = buf[t + x]; return; }
  if (mode === 2) { for (let y = 0; y < n; y++) { const l = buf[off + y * stride - 1]; for (let x = 0; x < n; x++) dst[y * n + x] = l; } return; }
  const h2 = n >> 1;
  let hh = 0, vv = 0;
  for (let k = 0; k < h2; k++) {
    hh += (k + 1) * (buf[t + h2 + k] - buf[t + h2 - 2 - k]);
    vv += (k + 1) * (buf[off + (h2 + k) * stride - 1] - buf[off + (h2 - 2 - k) * stride - 1]);
  }
  const a = 16 * (buf[off + (n - 1) * stride - 1] + buf[t + n - 1]);
  const b = n === 16 ? (5 * hh + 32) >> 6 : (34 * hh + 32) >> 6, c = n === 16 ? (5 * vv + 32) >> 6 : (34 * vv + 32) >> 6;
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    const v = (a + b * (x - h2 + 1) + c * (y - h2 + 1) + 16) >> 5;
    dst[y * n + x] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
// HEVC-style intra prediction for luma (INTRA_ANGULAR; sent in the header): 35 modes instead of the
// H.264 sets, for 4x4, 8x8 and 16x16 blocks: 0 planar, 1 DC (edges smoothed), 2..34 angles in 1/32-sample
// steps from 45 degrees down-left (2) over horizontal (10) and diagonal (18) and vertical (26) to 45 degrees
// up-right (34). Reference: 2n left samples (bottom-up), the corner, 2n top samples in aRaw; missing ones
// copy the nearest available one (HEVC's substitution); [1,2,1]-smoothed (aFil) for 8x8/16x16 planar
// and for angles more than 7 (8x8) or 1 (16x16) steps away from horizontal and vertical.
const INTRA_ANGULAR = true;      // @evolve bool
let intraAng = true;
const ANG = new Int8Array([0, 0, 32, 26, 21, 17, 13, 9, 5, 2, 0, -2, -5, -9, -13, -17, -21, -26, -32, -26, -21, -17, -13, -9, -5, -2, 0, 2, 5, 9, 13, 17, 21, 26, 32]);
const aRaw = new Int32Array(65), aFil = new Int32Array(65), aMain = new Int32Array(64), mpmL = new Uint8Array(3);
let aN = 4;
// Reference of the n x n block at (px,py); bl / tr: the n samples below-left / top-right are decoded.
function angRef(n, px, py, bl, tr) {
  const o = LOFF + py * LS + px, t = o - LS, n2 = 2 * n, hasT = py > 0, hasL = px > 0;
  aN = n;
  if (hasL) {
    for (let y = 0; y < n2; y++) aRaw[n2 - 1 - y] = y < n || bl ? curY[o + y * LS - 1] : aRaw[n];
    aRaw[n2] = hasT ? curY[t - 1] : aRaw[n2 - 1];
  }
  if (hasT) {
    for (let x = 0; x < n2; x++) aRaw[n2 + 1 + x] = x < n || tr ? curY[t + x] : aRaw[n2 + n];
    if (!hasL) aRaw.fill(aRaw[n2 + 1], 0, n2 + 1);
  } else aRaw.fill(hasL ? aRaw[n2] : 128, hasL ? n2 + 1 : 0, 2 * n2 + 1);
  if (n > 4) {
    aFil[0] = aRaw[0]; aFil[2 * n2] = aRaw[2 * n2];
    for (let k = 1; k < 2 * n2; k++) aFil[k] = (aRaw[k - 1] + 2 * aRaw[k] + aRaw[k + 1] + 2) >> 2;
  }
}
// Prediction of mode m from the reference angRef built, into dst (stride 16).
function angPred(m, dst, dOff) {
  const n = aN, n2 = 2 * n, sh = n === 4 ? 3 : n === 8 ? 4 : 5, dv = min(abs(m - 26), abs(m - 10));
  const e = n > 4 && m !== 1 && dv > (n === 8 ? 7 : 1) ? aFil : aRaw;
  if (m === 0) {
    const tr = e[n2 + 1 + n], bl = e[n2 - 1 - n];
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      dst[dOff + y * 16 + x] = ((n - 1 - x) * e[n2 - 1 - y] + (x + 1) * tr + (n - 1 - y) * e[n2 + 1 + x] + (y + 1) * bl + n) >> sh;
    }
    return;
  }
  if (m === 1) {
    let s = n;
    for (let k = 0; k < n; k++) s += e[n2 + 1 + k] + e[n2 - 1 - k];
    const dc = s >> sh;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) dst[dOff + y * 16 + x] = dc;
    dst[dOff] = (e[n2 - 1] + 2 * dc + e[n2 + 1] + 2) >> 2;
    for (let k = 1; k < n; k++) { dst[dOff + k] = (e[n2 + 1 + k] + 3 * dc + 2) >> 2; dst[dOff + k * 16] = (e[n2 - 1 - k] + 3 * dc + 2) >> 2; }
    return;
  }
  // Vertical modes project onto the top row, horizontal ones (transposed) onto the left column; negative
  // angles extend that row backwards with samples of the other side (HEVC's inverse angle).
  const a = ANG[m], ver = m >= 18, s = ver ? 1 : -1, rs = ver ? 16 : 1, cs = ver ? 1 : 16;
  for (let k = 0; k <= n2; k++) aMain[n + k] = e[n2 + s * k];
  if ((n * a) >> 5 < -1) { const inv = round(8192 / a); for (let k = (n * a) >> 5; k < 0; k++) aMain[n + k] = e[n2 - s * ((k * inv + 128) >> 8)]; }
  for (let i = 0; i < n; i++) {
    const p = (i + 1) * a, f = p & 31, r0 = n + 1 + (p >> 5), o = dOff + i * rs;
    if (f) for (let j = 0, r = r0; j < n; j++, r++) { const a0 = aMain[r]; dst[o + j * cs] = a0 + ((f * (aMain[r + 1] - a0) + 16) >> 5); }
    else for (let j = 0; j < n; j++) dst[o + j * cs] = aMain[r0 + j];
  }
  if (a === 0) for (let j = 0; j < n; j++) { const v = aMain[n + 1] + ((e[n2 - s * (j + 1)] - e[n2]) >> 1); dst[dOff + j * rs] = v < 0 ? 0 : v > 255 ? 255 : v; }
}
// Most probable modes of the block whose top-left 4x4 is (x4,y4) (HEVC): left and above neighbour's
// modes (DC where not intra) and a third one, into mpmL.
function angMpm(x4, y4) {
  const a = x4 > 0 ? i4Mode[y4 * W4 + x4 - 1] : 1, b = y4 > 0 ? i4Mode[(y4 - 1) * W4 + x4] : 1;
  if (a !== b) { mpmL[0] = a; mpmL[1] = b; mpmL[2] = a && b ? 0 : a !== 1 && b !== 1 ? 1 : 26; }
  else if (a < 2) { mpmL[0] = 0; mpmL[1] = 1; mpmL[2] = 26; }
  else { mpmL[0] = a; mpmL[1] = 2 + ((a + 29) % 32); mpmL[2] = 2 + ((a - 1) % 32); }
}
// Mode syntax (c: 0 4x4, 1 8x8, 2 16x16): MPM flag, then the MPM's index (0, 10, 11) or the 5-bit rest.
function angRem(m) { return m - (mpmL[0] < m) - (mpmL[1] < m) - (mpmL[2] < m); }
function angBits(m, c) {
  if (m === mpmL[0]) return bitCost(CTX_AMPM + c, 1) + bitCost(CTX_AIDX, 0);
  if (m === mpmL[1] || m === mpmL[2]) return bitCost(CTX_AMPM + c, 1) + bitCost(CTX_AIDX, 1) + bitCost(CTX_AIDX + 1, m === mpmL[2] ? 1 : 0);
  const r = angRem(m);
  let bits = bitCost(CTX_AMPM + c, 0);
  for (let k = 0; k < 5; k++) bits += bitCost(CTX_AREM + k, (r >> k) & 1);
  return bits;
}
function angWrite(m, c) {
  const k = m === mpmL[0] ? 0 : m === mpmL[1] ? 1 : m === mpmL[2] ? 2 : 3;
  encBit(CTX_AMPM + c, k < 3 ? 1 : 0);
  if (k < 3) { encBit(CTX_AIDX, k ? 1 : 0); if (k) encBit(CTX_AIDX + 1, k - 1); }
  else { const r = angRem(m); for (let b = 4; b >= 0; b--) encBit(CTX_AREM + b, (r >> b) & 1); }
}
function angRead(c) {
  if (decBit(CTX_AMPM + c)) return decBit(CTX_AIDX) ? mpmL[1 + decBit(CTX_AIDX + 1)] : mpmL[0];
  let m = 0;
  for (let b = 4; b >= 0; b--) m |= decBit(CTX_AREM + b) << b;
  let a = mpmL[0], b = mpmL[1], d = mpmL[2], t;
  if (a > b) { t = a; a = b; b = t; }
  if (b > d) { t = b; b = d; d = t; }
  if (a > b) { t = a; a = b; b = t; }
  if (m >= a) m++;
  if (m >= b) m++;
  if (m >= d) m++;
  return m;
}
// Luma prediction of one block as the stream codes it (H.264 modes, or the 35 with INTRA_ANGULAR).
// Blocks are decoded in raster order inside the macroblock: below-left exists only beside the left one.
function angRef4(px, py) {
  const bx = (px >> 2) & 3, by = (py >> 2) & 3;
  angRef(4, px, py, px > 0 && bx === 0 && by < 3, py > 0 && (by === 0 ? bx < 3 || px + 4 < WP : bx < 3));
}
function angRef8(px, py) {
  const bx = (px >> 3) & 1, by = (py >> 3) & 1;
  angRef(8, px, py, px > 0 && bx === 0 && by === 0, py > 0 && (by === 0 ? bx === 0 || px + 8 < WP : bx === 0));
}
function lumaPred4(m, px, py, dst, dOff) { if (!intraAng) intra4Pred(m, px, py, dst, dOff); else { angRef4(px, py); angPred(m, dst, dOff); } }
function lumaPred8(m, px, py, dst, dOff) { if (!intraAng) intra8Pred(m, px, py, dst, dOff); else { angRef8(px, py); angPred(m, dst, dOff); } }
function lumaPred16(m, mbx, mby, dst) {
  if (!intraAng) return intraBlockPred(m, curY, LS, LOFF + mby * 16 * LS + mbx * 16, 16, mby > 0, mbx > 0, dst);
  angRef(16, mbx * 16, mby * 16, false, mby > 0 && mbx + 1 < MBW);
  angPred(m, dst, 0);
}
// Chroma DM (chroma mode 5, HEVC's derived mode): both 8x8 chroma blocks predicted with the luma mode
// cDm (the 16x16 mode or the first block's), one flag instead of the mode bits. Needs INTRA_ANGULAR.
const CHROMA_DM = false;         // @evolve bool
let cDm = 1;
const dmTmp = new Uint8Array(128);
function dmPred(mbx, mby, buf, dst) {
  const o = COFF + mby * 8 * CS + mbx * 8, t = o - CS, hasT = mby > 0, hasL = mbx > 0, tr = hasT && mbx + 1 < MBW;
  aN = 8;
  if (hasL) { for (let y = 0; y < 16; y++) aRaw[15 - y] = y < 8 ? buf[o + y * CS - 1] : aRaw[8]; aRaw[16] = hasT ? buf[t - 1] : aRaw[15]; }
  if (hasT) {
    for (let x = 0; x < 16; x++) aRaw[17 + x] = x < 8 || tr ? buf[t + x] : aRaw[24];
    if (!hasL) aRaw.fill(aRaw[17], 0, 17);
  } else aRaw.fill(hasL ? aRaw[16] : 128, hasL ? 17 : 0, 33);
  aFil[0] = aRaw[0]; aFil[32] = aRaw[32];
  for (let k = 1; k < 32; k++) aFil[k] = (aRaw[k - 1] + 2 * aRaw[k] + aRaw[k + 1] + 2) >> 2;
  angPred(cDm, dmTmp, 0);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) dst[y * 8 + x] = dmTmp[y * 16 + x];
}
// Chroma from luma (chroma mode 4, VVC's CCLM idea): each chroma plane predicted as a*L + b from the
// macroblock's reconstructed luma averaged 2x2, with a and b fitted by least squares to the neighbouring
// reconstructed chroma and luma (nothing sent but the mode). Integer arithmetic throughout.
const CHROMA_CFL = true;         // @evolve bool
let chromaCfl = true;
const cflL = new Int32Array(64);
function cflPred(mbx, mby, buf, dst) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, co = COFF + mby * 8 * CS + mbx * 8;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    const i = lo + 2 * y * LS + 2 * x;
    cflL[y * 8 + x] = (curY[i] + curY[i + 1] + curY[i + LS] + curY[i + LS + 1] + 2) >> 2;
  }
  let n = 0, sl = 0, sc = 0, sll = 0, slc = 0;
  if (mby > 0) for (let x = 0; x < 8; x++) {
    const i = lo - 2 * LS + 2 * x, l = (curY[i] + curY[i + 1] + curY[i + LS] + curY[i + LS + 1] + 2) >> 2, c = buf[co - CS + x];
    n++; sl += l; sc += c; sll += l * l; slc += l * c;
  }
  if (mbx > 0) for (let y = 0; y < 8; y++) {
    const i = lo + 2 * y * LS - 2, l = (curY[i] + curY[i + 1] + curY[i + LS] + curY[i + LS + 1] + 2) >> 2, c = buf[co + y * CS - 1];
    n++; sl += l; sc += c; sll += l * l; slc += l * c;
  }
  let a = 0, b = 128 * 64;
  if (n) {
    const den = n * sll - sl * sl;
    if (den > 0) a = max(-256, min(256, floor(64 * (n * slc - sl * sc) / den)));
    b = floor((2 * (64 * sc - a * sl) + n) / (2 * n));
  }
  for (let i = 0; i < 64; i++) {
    const v = (a * cflL[i] + b + 32) >> 6;
    dst[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START motion-vector-prediction
// Motion vector prediction (only the difference is coded, so smooth motion fields cost ~2 bits per
// vector): median of left, top and top-right (top-left when top-right is not yet
// decoded) 8x8 neighbours; left alone when it is the only one available.
let pmx = 0, pmy = 0;
function avail8(x8, y8, curMb, sub) {
  if (x8 < 0 || y8 < 0 || x8 >= W8) return false;
  const mb = (y8 >> 1) * MBW + (x8 >> 1);
  if (mb < curMb) return true;
  return mb === curMb && ((y8 & 1) * 2 + (x8 & 1)) < sub;
}
function predMv(x8, y8, w8, curMb, sub) { predMvA(mvX, mvY, x8, y8, w8, curMb, sub); }
// List 1 vectors (B-frames): predicted from the neighbours' list-1 vectors.
function predMv1(x8, y8, w8, curMb, sub) { predMvA(mvX1, mvY1, x8, y8, w8, curMb, sub); }
function predMvA(mvX, mvY, x8, y8, w8, curMb, sub) {
  const aA = avail8(x8 - 1, y8, curMb, sub), aB = avail8(x8, y8 - 1, curMb, sub);
  let cx = x8 + w8, cy = y8 - 1, aC = avail8(cx, cy, curMb, sub);
  if (!aC) { cx = x8 - 1; aC = avail8(cx, cy, curMb, sub); }
  const iA = y8 * W8 + x8 - 1, iB = (y8 - 1) * W8 + x8, iC = cy * W8 + cx;
  if (aA && !aB && !aC) { pmx = mvX[iA]; pmy = mvY[iA]; return; }
  const ax = aA ? mvX[iA] : 0, ay = aA ? mvY[iA] : 0, bx = aB ? mvX[iB] : 0, by = aB ? mvY[iB] : 0;
  const cxv = aC ? mvX[iC] : 0, cyv = aC ? mvY[iC] : 0;
  pmx = max(min(ax, bx), min(max(ax, bx), cxv));
  pmy = max(min(ay, by), min(max(ay, by), cyv));
}
// Spatial direct (B-frames): each list the left/top/top-right neighbours used is predicted with its
// median vector (reference 0); neither used (intra or picture edge) gives both lists with zero vectors.
let dDir = 3, dMv0x = 0, dMv0y = 0, dMv1x = 0, dMv1y = 0;
function directMvs(mbx, mby) {
  const mb = mby * MBW + mbx;
  let u = 0;
  if (mbx > 0) u |= mbDirMap[mb - 1];
  if (mby > 0) {
    u |= mbDirMap[mb - MBW];
    if (mbx + 1 < MBW) u |= mbDirMap[mb - MBW + 1]; else if (mbx > 0) u |= mbDirMap[mb - MBW - 1];
  }
  dMv0x = 0; dMv0y = 0; dMv1x = 0; dMv1y = 0;
  if (u === 0) { dDir = 3; return; }
  dDir = u;
  if (u & 1) { predMvA(mvX, mvY, mbx * 2, mby * 2, 2, mb, 0); dMv0x = pmx; dMv0y = pmy; }
  if (u & 2) { predMvA(mvX1, mvY1, mbx * 2, mby * 2, 2, mb, 0); dMv1x = pmx; dMv1y = pmy; }
}
// Both lists' vectors of 8x8 block s of a B macroblock with direction d (an unused list reads 0).
function setMvB8(x8, y8, d, s) {
  const i = y8 * W8 + x8;
  mvX[i] = d & 1 ? mbMvX[s] : 0; mvY[i] = d & 1 ? mbMvY[s] : 0;
  mvX1[i] = d & 2 ? mbMv1X[s] : 0; mvY1[i] = d & 2 ? mbMv1Y[s] : 0;
}
function setMv8(x8, y8, w8, mx, my) {
  for (let y = 0; y < w8; y++) for (let x = 0; x < w8; x++) { const i = (y8 + y) * W8 + x8 + x; mvX[i] = mx; mvY[i] = my; }
}
// P 16x8 (mbPart 1) and 8x16 (2) partitions, H.264's directional prediction: the upper half takes the
// top vector, the lower and the left half the left one, the right half the top-right one (top-left
// when not decoded), each when that neighbour used the same reference; otherwise the median.
let mbPart = 0;
function predMvPart(mbx, mby, part, s, ref, l1) {
  const mb = mby * MBW + mbx, x8 = mbx * 2 + (part === 2 ? s : 0), y8 = mby * 2 + (part === 1 ? s : 0), sub = s ? part : 0;
  const vx = l1 ? mvX1 : mvX, vy = l1 ? mvY1 : mvY;
  let nx = x8 - 1, ny = y8;
  if (part === 1 && s === 0) { nx = x8; ny = y8 - 1; }
  else if (part === 2 && s === 1) { nx = x8 + 1; ny = y8 - 1; if (!avail8(nx, ny, mb, sub)) nx = x8 - 1; }
  if (avail8(nx, ny, mb, sub)) {
    const nmb = (ny >> 1) * MBW + (nx >> 1);
    const ok = nmb === mb ? !frameIsB || (mbSubDir[0] & (l1 ? 2 : 1)) !== 0 : l1 ? (mbDirMap[nmb] & 2) !== 0 : (mbDirMap[nmb] & 1) !== 0 && mbRefMap[nmb] === ref;
    if (ok) { pmx = vx[ny * W8 + nx]; pmy = vy[ny * W8 + nx]; return; }
  }
  predMvA(vx, vy, x8, y8, part === 1 ? 2 : 1, mb, sub);
}
// Merge candidates (HEVC's idea) for P-skip and B-skip/direct: the usual skip/direct prediction, then the
// motion (directions, list-0 reference, vectors) of the left, top and top-right (else top-left)
// neighbours; out-of-range and repeated ones are dropped, an index picks one (mergeN 1: none coded).
let mergeN = 1, mgCount = 0, mbMerge = 0;
const mgDir = new Uint8Array(4), mgRef = new Uint8Array(4), mg0x = new Int16Array(4), mg0y = new Int16Array(4), mg1x = new Int16Array(4), mg1y = new Int16Array(4);
function mgAdd(d, r, ax, ay, bx, by, px, py) {
  if (mgCount >= mergeN || ((d & 1) && !mvOk(px, py, 16, ax, ay)) || ((d & 2) && !mvOk(px, py, 16, bx, by))) return;
  if (!(d & 1)) { ax = 0; ay = 0; r = 0; }
  if (!(d & 2)) { bx = 0; by = 0; }
  for (let k = 0; k < mgCount; k++) if (mgDir[k] === d && mgRef[k] === r && mg0x[k] === ax && mg0y[k] === ay && mg1x[k] === bx && mg1y[k] === by) return;
  mgDir[mgCount] = d; mgRef[mgCount] = r; mg0x[mgCount] = ax; mg0y[mgCount] = ay; mg1x[mgCount] = bx; mg1y[mgCount] = by; mgCount++;
}
function mgNb(nx, ny, mb, px, py) {
  if (!avail8(nx, ny, mb, 0)) return false;
  const nmb = (ny >> 1) * MBW + (nx >> 1), d = mbDirMap[nmb], i = ny * W8 + nx;
  if (d) mgAdd(d, mbRefMap[nmb], mvX[i], mvY[i], mvX1[i], mvY1[i], px, py);
  return true;
}
// Temporal candidate (mergeTemporal): the co-located motion of the nearest future (B) or past (P)
// reference at the block covering the macroblock's centre, scaled by picture distances (B: both lists,
// temporal direct; list 0 on the picture it referenced when still in the list, else on reference 0).
let mergeTemporal = false;
function mgTemporal(mb, x8, y8, px, py) {
  const col = frameIsB ? refs1[0] : refs[0], rp = col.rpoc[mb];
  if (rp < 0 || rp === col.poc) return;
  const i = (y8 + 1) * W8 + x8 + 1, cx = col.mvx[i], cy = col.mvy[i], td = col.poc - rp;
  let r = 0;
  for (let k = 0; k < refsAvail; k++) if (refs[k].poc === rp) { r = k; break; }
  const t0 = curPoc - refs[r].poc;
  if (!frameIsB) { mgAdd(1, r, round(cx * t0 / td), round(cy * t0 / td), 0, 0, px, py); return; }
  const t1 = curPoc - col.poc;
  mgAdd(3, r, round(cx * t0 / td), round(cy * t0 / td), round(cx * t1 / td), round(cy * t1 / td), px, py);
}
function mergeList(mbx, mby) {
  const mb = mby * MBW + mbx, x8 = mbx * 2, y8 = mby * 2, px = mbx * 16, py = mby * 16;
  mgCount = 0;
  if (frameIsB) { directMvs(mbx, mby); mgAdd(dDir, 0, dMv0x, dMv0y, dMv1x, dMv1y, px, py); }
  else { predMv(x8, y8, 2, mb, 0); mgAdd(1, 0, pmx, pmy, 0, 0, px, py); }
  mgNb(x8 - 1, y8, mb, px, py); mgNb(x8, y8 - 1, mb, px, py);
  if (mergeTemporal && refsAvail > 0) mgTemporal(mb, x8, y8, px, py);
  if (!mgNb(x8 + 2, y8 - 1, mb, px, py)) mgNb(x8 - 1, y8 - 1, mb, px, py);
}
function mgUse(k) {
  mbMerge = k; mbDir = mgDir[k]; mbRef = mgRef[k]; mbMvX[0] = mg0x[k]; mbMvY[0] = mg0y[k]; mbMv1X[0] = mg1x[k]; mbMv1Y[0] = mg1y[k];
}
function mergeCtx(k) { return CTX_MERGE + (frameIsB ? 3 : 0) + min(k, 2); }
function mergeBits(idx) {
  let b = 0;
  for (let k = 0; k < mgCount - 1; k++) { b += bitCost(mergeCtx(k), idx > k ? 1 : 0); if (idx <= k) break; }
  return b;
}
function writeMerge(idx) { for (let k = 0; k < mgCount - 1; k++) { encBit(mergeCtx(k), idx > k ? 1 : 0); if (idx <= k) break; } }
function readMerge(mbx, mby) {
  mergeList(mbx, mby);
  let k = 0;
  while (k < mgCount - 1 && decBit(mergeCtx(k))) k++;
  mgUse(k);
}
// B: partition s's direction and both lists' vectors into its two 8x8 blocks (and both maps).
function setPartMvB(mbx, mby, part, s, d, ax, ay, bx, by) {
  for (let k = 0; k < 2; k++) {
    const t = part === 1 ? 2 * s + k : s + 2 * k;
    mbSubDir[t] = d; mbMvX[t] = ax; mbMvY[t] = ay; mbMv1X[t] = bx; mbMv1Y[t] = by;
    setMvB8(mbx * 2 + (t & 1), mby * 2 + (t >> 1), d, t);
  }
}
// Partition s's vector into its two 8x8 blocks (mbMv* and the vector map).
function setPartMv(mbx, mby, part, s, mx, my) {
  const a = part === 1 ? 2 * s : s, b = part === 1 ? 2 * s + 1 : s + 2;
  mbMvX[a] = mx; mbMvY[a] = my; mbMvX[b] = mx; mbMvY[b] = my;
  setMv8(mbx * 2 + (a & 1), mby * 2 + (a >> 1), 1, mx, my); setMv8(mbx * 2 + (b & 1), mby * 2 + (b >> 1), 1, mx, my);
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START residual-syntax
// Residual syntax (most 4x4 blocks are empty or hold a few small levels; this codes exactly that
// cheaply): coded-block flag (context: coded neighbours), significance map with "last"
// flags per scan position, then levels in reverse scan with CABAC-style magnitude contexts.
function cbfCtx(cat, map, stride, x, y) {
  return CTX_CBF + cat * 3 + (x > 0 ? map[y * stride + x - 1] : 0) + (y > 0 ? map[(y - 1) * stride + x] : 0);
}
function writeBlock(lv, off, cat) {
  let last = 15;
  while (lv[off + last] === 0) last--;
  const sb = CTX_SIG + cat * 15, lb = CTX_LAST + cat * 15;
  for (let i = 0; i < 15; i++) {
    const s = lv[off + i] !== 0 ? 1 : 0;
    encBit(sb + i, s);
    if (s) { const l = i === last ? 1 : 0; encBit(lb + i, l); if (l) break; }
  }
  let gt1 = 0, eq1 = 0;
  const g = CTX_GT1 + cat * 5, m = CTX_LVL + cat * 5;
  for (let i = last; i >= 0; i--) {
    const v = lv[off + i];
    if (v === 0) continue;
    const a = v < 0 ? -v : v;
    const c1 = gt1 ? 0 : min(4, 1 + eq1);
    if (a === 1) { encBit(g + c1, 0); eq1++; }
    else {
      encBit(g + c1, 1);
      const c2 = m + min(4, gt1), n = a - 2;
      for (let k = 0; k < min(n, 13); k++) encBit(c2, 1);
      if (n < 13) encBit(c2, 0); else encEG(n - 13);
      gt1++;
    }
    encDirect(v < 0 ? 1 : 0);
  }
}
function readBlock(lv, off, cat) {
  for (let i = 0; i < 16; i++) lv[off + i] = 0;
  const sb = CTX_SIG + cat * 15, lb = CTX_LAST + cat * 15;
  let last = 15;
  for (let i = 0; i < 15; i++) {
    if (decBit(sb + i)) { lv[off + i] = 1; if (decBit(lb + i)) { last = i; break; } }
  }
  lv[off + last] = 1;
  let gt1 = 0, eq1 = 0;
  const g = CTX_GT1 + cat * 5, m = CTX_LVL + cat * 5;
  for (let i = last; i >= 0; i--) {
    if (lv[off + i] === 0) continue;
    let a = 1;
    const c1 = gt1 ? 0 : min(4, 1 + eq1);
    if (!decBit(g + c1)) eq1++;
    else {
      const c2 = m + min(4, gt1);
      let n = 0;
      while (n < 13 && decBit(c2)) n++;
      if (n === 13) n += decEG();
      a = n + 2;
      gt1++;
    }
    lv[off + i] = decDirect() ? -a : a;
  }
}
function blockCost(lv, off, cat) {
  let last = 15;
  while (lv[off + last] === 0) last--;
  const sb = CTX_SIG + cat * 15, lb = CTX_LAST + cat * 15;
  let bits = 0;
  for (let i = 0; i < 15; i++) {
    const s = lv[off + i] !== 0 ? 1 : 0;
    bits += bitCost(sb + i, s);
    if (s) { const l = i === last ? 1 : 0; bits += bitCost(lb + i, l); if (l) break; }
  }
  let gt1 = 0, eq1 = 0;
  const g = CTX_GT1 + cat * 5, m = CTX_LVL + cat * 5;
  for (let i = last; i >= 0; i--) {
    const v = lv[off + i];
    if (v === 0) continue;
    const a = v < 0 ? -v : v;
    const c1 = gt1 ? 0 : min(4, 1 + eq1);
    bits += 1;
    if (a === 1) { bits += bitCost(g + c1, 0); eq1++; }
    else {
      bits += bitCost(g + c1, 1);
      const c2 = m + min(4, gt1), n = a - 2;
      bits += min(n, 13) * bitCost(c2, 1);
      if (n < 13) bits += bitCost(c2, 0); else bits += egCost(n - 13);
      gt1++;
    }
  }
  return bits;
}
// 8x8 blocks: 64 scan positions share 15 significance and 9 "last" contexts (H.264's mapping); no
// coded-block flag (the coded-block-pattern bit says whether the 8x8 block has levels).
function writeBlock8(lv, off) {
  let last = 63;
  while (lv[off + last] === 0) last--;
  for (let i = 0; i < 63; i++) {
    const s = lv[off + i] !== 0 ? 1 : 0;
    encBit(CTX_SIG8 + SIG8CTX[i], s);
    if (s) { const l = i === last ? 1 : 0; encBit(CTX_LAST8 + LAST8CTX[i], l); if (l) break; }
  }
  let gt1 = 0, eq1 = 0;
  for (let i = last; i >= 0; i--) {
    const v = lv[off + i];
    if (v === 0) continue;
    const a = v < 0 ? -v : v;
    const c1 = gt1 ? 0 : min(4, 1 + eq1);
    if (a === 1) { encBit(CTX_GT18 + c1, 0); eq1++; }
    else {
      encBit(CTX_GT18 + c1, 1);
      const c2 = CTX_LVL8 + min(4, gt1), n = a - 2;
      for (let k = 0; k < min(n, 13); k++) encBit(c2, 1);
      if (n < 13) encBit(c2, 0); else encEG(n - 13);
      gt1++;
    }
    encDirect(v < 0 ? 1 : 0);
  }
}
function readBlock8(lv, off) {
  for (let i = 0; i < 64; i++) lv[off + i] = 0;
  let last = 63;
  for (let i = 0; i < 63; i++) {
    if (decBit(CTX_SIG8 + SIG8CTX[i])) { lv[off + i] = 1; if (decBit(CTX_LAST8 + LAST8CTX[i])) { last = i; break; } }
  }
  lv[off + last] = 1;
  let gt1 = 0, eq1 = 0;
  for (let i = last; i >= 0; i--) {
    if (lv[off + i] === 0) continue;
    let a = 1;
    const c1 = gt1 ? 0 : min(4, 1 + eq1);
    if (!decBit(CTX_GT18 + c1)) eq1++;
    else {
      const c2 = CTX_LVL8 + min(4, gt1);
      let n = 0;
      while (n < 13 && decBit(c2)) n++;
      if (n === 13) n += decEG();
      a = n + 2;
      gt1++;
    }
    lv[off + i] = decDirect() ? -a : a;
  }
}
function blockCost8(lv, off) {
  let last = 63;
  while (lv[off + last] === 0) last--;
  let bits = 0;
  for (let i = 0; i < 63; i++) {
    const s = lv[off + i] !== 0 ? 1 : 0;
    bits += bitCost(CTX_SIG8 + SIG8CTX[i], s);
    if (s) { const l = i === last ? 1 : 0; bits += bitCost(CTX_LAST8 + LAST8CTX[i], l); if (l) break; }
  }
  let gt1 = 0, eq1 = 0;
  for (let i = last; i >= 0; i--) {
    const v = lv[off + i];
    if (v === 0) continue;
    const a = v < 0 ? -v : v;
    const c1 = gt1 ? 0 : min(4, 1 + eq1);
    bits += 1;
    if (a === 1) { bits += bitCost(CTX_GT18 + c1, 0); eq1++; }
    else {
      bits += bitCost(CTX_GT18 + c1, 1);
      const c2 = CTX_LVL8 + min(4, gt1), n = a - 2;
      bits += min(n, 13) * bitCost(c2, 1);
      if (n < 13) bits += bitCost(c2, 0); else bits += egCost(n - 13);
      gt1++;
    }
  }
  return bits;
}
// 16x16 blocks (HEVC-like): the last scan position as its group and its position in the group (a 4-bin
// tree each), then per 4x4 group in reverse scan a coded flag (context: right/below groups coded; the
// first and the last group implied), significance by position and that neighbour pattern, levels as
// in 4x4 blocks with contexts per group. set: 0 inter, 1 intra. One function writes (wr16) or counts.
const SIGPAT = new Uint8Array(64), cg16 = new Uint8Array(16);
for (let p = 0; p < 4; p++) for (let i = 0; i < 16; i++) {
  const x = ZZ[i] & 3, y = ZZ[i] >> 2;
  SIGPAT[p * 16 + i] = p === 0 ? (x + y === 0 ? 2 : x + y < 3 ? 1 : 0) : p === 1 ? (y === 0 ? 2 : y === 1 ? 1 : 0) : p === 2 ? (x === 0 ? 2 : x === 1 ? 1 : 0) : 2;
}
let wr16 = false, bits16 = 0;
function put16(ci, b) { if (wr16) encBit(ci, b); else bits16 += bitCost(ci, b); }
function tree16(base, v) { for (let k = 3, n = 1; k >= 0; k--) { const b = (v >> k) & 1; put16(base + n - 1, b); n = 2 * n + b; } }
function rtree16(base) { let n = 1; for (let k = 0; k < 4; k++) n = 2 * n + decBit(base + n - 1); return n - 16; }
function cgNb(g) { const r = ZZ[g]; return ((r & 3) < 3 ? cg16[r + 1] : 0) + ((r >> 2) < 3 ? 2 * cg16[r + 4] : 0); }
function code16(lv, off, set) {
  bits16 = 0;
  let last = 255;
  while (last > 0 && lv[off + last] === 0) last--;
  const lc = last >> 4;
  tree16(CTX_LAST16 + set * 15, lc); tree16(CTX_LASTP16, last & 15);
  cg16.fill(0);
  for (let g = lc; g >= 0; g--) {
    const o = off + g * 16, pat = cgNb(g);
    let coded = 1;
    if (g < lc && g > 0) {
      coded = 0;
      for (let i = 0; i < 16; i++) if (lv[o + i]) { coded = 1; break; }
      put16(CTX_CG16 + set * 3 + (pat & 1) + (pat >> 1), coded);
    }
    cg16[ZZ[g]] = coded;
    if (!coded) continue;
    const sb = CTX_SIG16 + set * 7 + (g ? 3 : 0);
    let n = g === lc ? 1 : 0;
    for (let i = g === lc ? (last & 15) - 1 : 15; i >= 0; i--) {
      if (i === 0 && n === 0 && g > 0) break; // a coded group's only level, implied
      const s = lv[o + i] !== 0 ? 1 : 0;
      put16(g === 0 && i === 0 ? CTX_SIG16 + set * 7 + 6 : sb + SIGPAT[pat * 16 + i], s);
      n += s;
    }
    let gt1 = 0, eq1 = 0, rk = 0, f = -1, l = -1;
    for (let i = 0; i < 16; i++) if (lv[o + i]) { if (f < 0) f = i; l = i; }
    const hide = l - f >= 4;
    const gb = CTX_GT116 + (set * 2 + (g ? 1 : 0)) * 5, mb = CTX_LVL16 + set * 3;
    for (let i = 15; i >= 0; i--) {
      const v = lv[o + i];
      if (v === 0) continue;
      const a = v < 0 ? -v : v, c1 = gt1 ? 0 : min(4, 1 + eq1);
      if (a === 1) { put16(gb + c1, 0); eq1++; }
      else {
        // a - 2 as a Rice code: context-coded unary quotient, rk bypass bits; rk grows with the levels.
        put16(gb + c1, 1);
        const n2 = a - 2, pre = n2 >> rk;
        for (let k = 0; k < min(pre, 12); k++) put16(mb + min(2, k), 1);
        if (pre < 12) put16(mb + min(2, pre), 0); else if (wr16) encEG(pre - 12); else bits16 += egCost(pre - 12);
        if (wr16) encBits(n2, rk); else bits16 += rk;
        if (a > (3 << rk)) rk = min(rk + 1, 4);
        gt1++;
      }
      if (hide && i === f) continue;
      if (wr16) encDirect(v < 0 ? 1 : 0); else bits16++;
    }
  }
  return bits16;
}
function writeBlock16(lv, off, set) { wr16 = true; code16(lv, off, set); wr16 = false; }
function readBlock16(lv, off, set) {
  for (let i = 0; i < 256; i++) lv[off + i] = 0;
  const lc = rtree16(CTX_LAST16 + set * 15), lp = rtree16(CTX_LASTP16);
  cg16.fill(0);
  for (let g = lc; g >= 0; g--) {
    const o = off + g * 16, pat = cgNb(g);
    const coded = g < lc && g > 0 ? decBit(CTX_CG16 + set * 3 + (pat & 1) + (pat >> 1)) : 1;
    cg16[ZZ[g]] = coded;
    if (!coded) continue;
    const sb = CTX_SIG16 + set * 7 + (g ? 3 : 0);
    let n = 0;
    if (g === lc) { lv[o + lp] = 1; n = 1; }
    for (let i = g === lc ? lp - 1 : 15; i >= 0; i--) {
      if (i === 0 && n === 0 && g > 0) { lv[o] = 1; break; }
      if (decBit(g === 0 && i === 0 ? CTX_SIG16 + set * 7 + 6 : sb + SIGPAT[pat * 16 + i])) { lv[o + i] = 1; n++; }
    }
    let gt1 = 0, eq1 = 0, rk = 0, f = -1, l = -1, sum = 0;
    for (let i = 0; i < 16; i++) if (lv[o + i]) { if (f < 0) f = i; l = i; }
    const hide = l - f >= 4;
    const gb = CTX_GT116 + (set * 2 + (g ? 1 : 0)) * 5, mb = CTX_LVL16 + set * 3;
    for (let i = 15; i >= 0; i--) {
      if (lv[o + i] === 0) continue;
      let a = 1;
      const c1 = gt1 ? 0 : min(4, 1 + eq1);
      if (!decBit(gb + c1)) eq1++;
      else {
        let pre = 0;
        while (pre < 12 && decBit(mb + min(2, pre))) pre++;
        if (pre === 12) pre += decEG();
        a = (pre << rk) + decBits(rk) + 2;
        if (a > (3 << rk)) rk = min(rk + 1, 4);
        gt1++;
      }
      sum += a;
      lv[o + i] = hide && i === f ? a : decDirect() ? -a : a;
    }
    if (hide && (sum & 1)) lv[o + f] = -lv[o + f];
  }
}
// Transform-size flag of a 16x16-predicted macroblock (intra 16x16 or one inter partition): 16x16
// or the smaller sizes; context: neighbours that used 16x16. Luma coded-block flag of such a block.
function t16Ctx(mbx, mby, intra) {
  return CTX_T16 + intra * 3 + (mbx > 0 && mbT8Map[mby * MBW + mbx - 1] === 2 ? 1 : 0) + (mby > 0 && mbT8Map[(mby - 1) * MBW + mbx] === 2 ? 1 : 0);
}
function cbf16Ctx(mbx, mby) {
  return CTX_CBF16 + (mbx > 0 && (cbpMap[mby * MBW + mbx - 1] & 15) ? 1 : 0) + (mby > 0 && (cbpMap[(mby - 1) * MBW + mbx] & 15) ? 1 : 0);
}
// Transform-size flag of an inter macroblock with luma levels; context: neighbours that used 8x8.
function t8Ctx(mbx, mby) {
  return CTX_T8 + (mbx > 0 && mbT8Map[mby * MBW + mbx - 1] ? 1 : 0) + (mby > 0 && mbT8Map[(mby - 1) * MBW + mbx] ? 1 : 0);
}
// Reference index: unary, the first bin's context from whether the left and top macroblocks used a
// farther reference.
function refCtx(mbx, mby, k) {
  if (k > 0) return CTX_REF + 3 + min(k - 1, 1);
  return CTX_REF + (mbx > 0 && mbRefMap[mby * MBW + mbx - 1] > 0 ? 1 : 0) + (mby > 0 && mbRefMap[(mby - 1) * MBW + mbx] > 0 ? 1 : 0);
}
function writeRef(mbx, mby, r) {
  for (let k = 0; k < refsAvail - 1; k++) { encBit(refCtx(mbx, mby, k), r > k ? 1 : 0); if (r <= k) break; }
}
function readRef(mbx, mby) {
  let r = 0;
  while (r < refsAvail - 1 && decBit(refCtx(mbx, mby, r))) r++;
  return r;
}
function refCost(mbx, mby, r) {
  let bits = 0;
  for (let k = 0; k < refsAvail - 1; k++) { bits += bitCost(refCtx(mbx, mby, k), r > k ? 1 : 0); if (r <= k) break; }
  return bits;
}
function writeMvd(d, comp) {
  const c = CTX_MVD + comp * 8;
  encBit(c, d !== 0 ? 1 : 0);
  if (d === 0) return;
  const a = (d < 0 ? -d : d) - 1, pre = min(a, 8);
  for (let k = 0; k < pre; k++) encBit(c + 1 + min(k, 6), 1);
  if (a < 8) encBit(c + 1 + min(pre, 6), 0); else encEG(a - 8);
  encDirect(d < 0 ? 1 : 0);
}
function readMvd(comp) {
  const c = CTX_MVD + comp * 8;
  if (!decBit(c)) return 0;
  let a = 0;
  while (a < 8 && decBit(c + 1 + min(a, 6))) a++;
  if (a === 8) a += decEG();
  return decDirect() ? -(a + 1) : a + 1;
}
// Static vector-cost table for motion search (bits of a component difference in quarter pels).
const MVBITS = new Float64Array(4096);
for (let i = 0; i < 4096; i++) MVBITS[i] = i === 0 ? 1 : 2 + min(i - 1, 8) + (i - 1 >= 8 ? egCost(i - 9) : 0);
// MV_COST_ADAPT: the encoder's vector costs (per component) follow the vector-difference contexts instead,
// rebuilt before each macroblock row (mvCostTable), so the search sees what a difference costs now.
const MV_COST_ADAPT = true;      // @evolve bool
const MVB = new Float64Array(8192);
function mvCostTable() {
  for (let comp = 0, o = 0; comp < 2; comp++, o += 4096) {
    if (!MV_COST_ADAPT) { MVB.set(MVBITS, o); continue; }
    const c = CTX_MVD + comp * 8;
    let pre = bitCost(c, 1) + 1;
    MVB[o] = bitCost(c, 0);
    for (let a = 0; a < 8; a++) { MVB[o + a + 1] = pre + bitCost(c + 1 + min(a, 6), 0); pre += bitCost(c + 1 + min(a, 6), 1); }
    for (let i = 9; i < 4096; i++) MVB[o + i] = pre + MVBITS[i] - 10;
  }
}
function mvCost(dx, dy) { return MVB[min(4095, dx < 0 ? -dx : dx)] + MVB[4096 + min(4095, dy < 0 ? -dy : dy)]; }
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START loop-filter
// In-loop deblocking (H.264-style normal filter): boundary strength 3 at intra blocks, 2 where
// coefficients were coded, 1 where motion differs by a pixel or more; thresholds grow with QP.
// In-loop deblocking removes blocking at low rates and gives a cleaner reference for P-frames
// (off costs +6.3 % BD-rate on foreman).
const DEBLOCK = true;            // @evolve bool
// Deblocking strength offset on the QP-derived thresholds: positive filters more.
const DEBLOCK_OFFSET = 0;        // @evolve int -6 6
function bsAt(x4a, y4a, x4b, y4b) {
  const ma = (y4a >> 2) * MBW + (x4a >> 2), mb = (y4b >> 2) * MBW + (x4b >> 2);
  // Edges inside an 8x8 transform block are not block edges.
  if (ma === mb && mbT8Map[ma] && (mbT8Map[ma] === 2 || ((x4a >> 1) === (x4b >> 1) && (y4a >> 1) === (y4b >> 1)))) return 0;
  if (mbType[ma] >= 3 || mbType[mb] >= 3) return 3;
  if (nzL[y4a * W4 + x4a] || nzL[y4b * W4 + x4b]) return 2;
  if (mbRefMap[ma] !== mbRefMap[mb]) return 1;
  const ia = (y4a >> 1) * W8 + (x4a >> 1), ib = (y4b >> 1) * W8 + (x4b >> 1);
  const dx = mvX[ia] - mvX[ib], dy = mvY[ia] - mvY[ib];
  if (frameIsB) {
    // B-frames: a different prediction direction or list-1 vector is an edge too.
    if (mbDirMap[ma] !== mbDirMap[mb]) return 1;
    const ex = mvX1[ia] - mvX1[ib], ey = mvY1[ia] - mvY1[ib];
    if (ex >= 4 || ex <= -4 || ey >= 4 || ey <= -4) return 1;
  }
  return dx >= 4 || dx <= -4 || dy >= 4 || dy <= -4 ? 1 : 0;
}
function filterLuma(buf, i, step, alpha, beta, tc0) {
  const p0 = buf[i - step], q0 = buf[i], p1 = buf[i - 2 * step], q1 = buf[i + step];
  const d0 = p0 - q0, d1 = p1 - p0, d2 = q1 - q0;
  if ((d0 < 0 ? -d0 : d0) >= alpha || (d1 < 0 ? -d1 : d1) >= beta || (d2 < 0 ? -d2 : d2) >= beta) return;
  const p2 = buf[i - 3 * step], q2 = buf[i + 2 * step], d3 = p2 - p0, d4 = q2 - q0;
  const apS = (d3 < 0 ? -d3 : d3) < beta, aqS = (d4 < 0 ? -d4 : d4) < beta;
  const tc = tc0 + (apS ? 1 : 0) + (aqS ? 1 : 0);
  let delta = ((q0 - p0) * 4 + (p1 - q1) + 4) >> 3;
  delta = delta < -tc ? -tc : delta > tc ? tc : delta;
  let v = p0 + delta; buf[i - step] = v < 0 ? 0 : v > 255 ? 255 : v;
  v = q0 - delta; buf[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  if (apS && tc0) { let d = (p2 + ((p0 + q0 + 1) >> 1) - 2 * p1) >> 1; d = d < -tc0 ? -tc0 : d > tc0 ? tc0 : d; d += p1; buf[i - 2 * step] = d < 0 ? 0 : d > 255 ? 255 : d; }
  if (aqS && tc0) { let d = (q2 + ((p0 + q0 + 1) >> 1) - 2 * q1) >> 1; d = d < -tc0 ? -tc0 : d > tc0 ? tc0 : d; d += q1; buf[i + step] = d < 0 ? 0 : d > 255 ? 255 : d; }
}
function filterChroma(buf, i, step, alpha, beta, tc) {
  const p0 = buf[i - step], q0 = buf[i], p1 = buf[i - 2 * step], q1 = buf[i + step];
  const d0 = p0 - q0, d1 = p1 - p0, d2 = q1 - q0;
  if ((d0 < 0 ? -d0 : d0) >= alpha || (d1 < 0 ? -d1 : d1) >= beta || (d2 < 0 ? -d2 : d2) >= beta) return;
  let delta = ((q0 - p0) * 4 + (p1 - q1) + 4) >> 3;
  delta = delta < -tc ? -tc : delta > tc ? tc : delta;
  let v = p0 + delta; buf[i - step] = v < 0 ? 0 : v > 255 ? 255 : v;
  v = q0 - delta; buf[i] = v < 0 ? 0 : v > 255 ? 255 : v;
}
function deblockFrame() {
  const ia = max(0, min(51, qp + deblockOffset)), ic = max(0, min(51, qpC + deblockOffset));
  const alpha = ALPHA[ia], beta = BETA[ia], alphaC = ALPHA[ic], betaC = BETA[ic];
  if (alpha === 0 && alphaC === 0) return;
  const H4 = HP >> 2;
  for (let dir = 0; dir < 2; dir++) {
    // dir 0: vertical edges (filter across x), dir 1: horizontal edges (across y).
    for (let y4 = 0; y4 < H4; y4++) for (let x4 = 0; x4 < W4; x4++) {
      if (dir === 0 ? x4 === 0 : y4 === 0) continue;
      const bs = dir === 0 ? bsAt(x4 - 1, y4, x4, y4) : bsAt(x4, y4 - 1, x4, y4);
      if (bs === 0) continue;
      const tc0 = TC0[ia * 3 + bs - 1];
      const step = dir === 0 ? 1 : LS, along = dir === 0 ? LS : 1;
      let i = LOFF + y4 * 4 * LS + x4 * 4;
      if (alpha) for (let k = 0; k < 4; k++, i += along) filterLuma(curY, i, step, alpha, beta, tc0);
      // Chroma edges sit on every other luma 4x4 edge (8 luma = 4 chroma samples).
      if (alphaC && (dir === 0 ? (x4 & 1) === 0 : (y4 & 1) === 0)) {
        const tcc = TC0[ic * 3 + bs - 1] + 1, cstep = dir === 0 ? 1 : CS, calong = dir === 0 ? CS : 1;
        let j = COFF + y4 * 2 * CS + x4 * 2;
        for (let k = 0; k < 2; k++, j += calong) { filterChroma(curU, j, cstep, alphaC, betaC, tcc); filterChroma(curV, j, cstep, alphaC, betaC, tcc); }
      }
    }
  }
}
// Adaptive loop filter after deblocking: per picture and plane a symmetric diamond Wiener filter
// (luma 7x7 or 5x5, chroma 5x5) that the encoder solves by least squares (deblocked reconstruction
// -> source) and sends after the picture's macroblocks as integer taps in 1/128 (DC-preserving:
// out = r + sum q_k (r[+k] + r[-k] - 2r) / 128), switched per macroblock by a context-coded flag where
// it lowers D + lambda * R. The filtered picture is the output and the reference.
const ALF = true;                // @evolve bool
// Luma 7x7 diamond (12 tap pairs) instead of 5x5 (6).
const ALF_LUMA_7X7 = true;       // @evolve bool
// Tap pairs (dx, dy): the first 6 form the 5x5 diamond, all 12 the 7x7 one.
const ALF_TAPS = [1, 0, 2, 0, 0, 1, 0, 2, 1, 1, -1, 1, 3, 0, 0, 3, 2, 1, -2, 1, 1, 2, -1, 2];
let alfTmp = null, alfTmpC = null, alfSt = null, alfOn = null, alfEnc = false;
// Taps of the picture being filtered; the last ones sent per plane (taps are sent as differences).
const alfLast = new Int32Array(36), alfQ = new Int32Array(12), alfF = new Int32Array(12), alfOff = new Int32Array(12);
// Filters the bw x bh block at i0 of t (unfiltered copy, edges extended) into d; given the source s
// (from index s0, stride ss), returns the change of its SSE.
function alfBlock(t, d, stride, i0, bw, bh, n, s, s0, ss) {
  const q0 = alfQ[0], q1 = alfQ[1], q2 = alfQ[2], q3 = alfQ[3], q4 = alfQ[4], q5 = alfQ[5], q6 = alfQ[6], q7 = alfQ[7], q8 = alfQ[8], q9 = alfQ[9], q10 = alfQ[10], q11 = alfQ[11];
  const s1 = stride, s2 = 2 * stride, s3 = 3 * stride;
  let qs = 0, dd = 0;
  for (let k = 0; k < n; k++) qs += 2 * alfQ[k];
  for (let y = 0; y < bh; y++) for (let x = 0, i = i0 + y * stride; x < bw; x++, i++) {
    const c = t[i];
    let a = 64 - qs * c + q0 * (t[i + 1] + t[i - 1]) + q1 * (t[i + 2] + t[i - 2]) + q2 * (t[i + s1] + t[i - s1]) + q3 * (t[i + s2] + t[i - s2]) +
      q4 * (t[i + s1 + 1] + t[i - s1 - 1]) + q5 * (t[i + s1 - 1] + t[i - s1 + 1]);
    if (n > 6) a += q6 * (t[i + 3] + t[i - 3]) + q7 * (t[i + s3] + t[i - s3]) + q8 * (t[i + s1 + 2] + t[i - s1 - 2]) + q9 * (t[i + s1 - 2] + t[i - s1 + 2]) +
      q10 * (t[i + s2 + 1] + t[i - s2 - 1]) + q11 * (t[i + s2 - 1] + t[i - s2 + 1]);
    let v = c + (a >> 7); v = v < 0 ? 0 : v > 255 ? 255 : v;
    d[i] = v;
    if (s !== null) { const e = s[s0 + y * ss + x]; dd += (v - e) * (v - e) - (c - e) * (c - e); }
  }
  return dd;
}
// Least-squares statistics of one block (upper triangle of the autocorrelation and the
// cross-correlation with source - reconstruction per row k) on every other sample of every other
// row (a quarter of the work), added into st from m0.
function alfStats(t, stride, i0, bw, bh, n, s, s0, ss, st, m0) {
  for (let y = 0; y < bh; y += 2) for (let x = y & 2, i = i0 + y * stride + x; x < bw; x += 2, i += 2) {
    const c2 = 2 * t[i], e = s[s0 + y * ss + x] - t[i];
    for (let k = 0; k < n; k++) { const o = alfOff[k]; alfF[k] = t[i + o] + t[i - o] - c2; }
    for (let k = 0, m = m0; k < n; k++) {
      const f = alfF[k];
      for (let l = k; l < n; l++) st[m++] += f * alfF[l];
      st[m++] += f * e;
    }
  }
}
// Solves the normal equations summed over the macroblocks that are on; quantised taps into alfQ.
function alfSolve(n, sz) {
  const n1 = n + 1, A = new Float64Array(n * n1);
  for (let b = 0; b < MBW * MBH; b++) if (alfOn[b]) {
    for (let k = 0, m = b * sz; k < n; k++) { for (let l = k; l < n; l++) A[k * n1 + l] += alfSt[m++]; A[k * n1 + n] += alfSt[m++]; }
  }
  for (let k = 0; k < n; k++) { A[k * n1 + k] = A[k * n1 + k] * 1.0001 + 1; for (let l = 0; l < k; l++) A[k * n1 + l] = A[l * n1 + k]; }
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let r = k + 1; r < n; r++) if (abs(A[r * n1 + k]) > abs(A[p * n1 + k])) p = r;
    for (let l = 0; l <= n; l++) { const t = A[k * n1 + l]; A[k * n1 + l] = A[p * n1 + l]; A[p * n1 + l] = t; }
    for (let r = k + 1; r < n; r++) { const f = A[r * n1 + k] / A[k * n1 + k]; for (let l = k; l <= n; l++) A[r * n1 + l] -= f * A[k * n1 + l]; }
  }
  for (let k = n - 1; k >= 0; k--) {
    let v = A[k * n1 + n];
    for (let l = k + 1; l < n; l++) v -= A[k * n1 + l] * alfQ[l] / 128;
    alfQ[k] = max(-127, min(127, round(v / A[k * n1 + k] * 128)));
  }
}
function alfSeCost(v) { return egCost(v > 0 ? 2 * v - 1 : -2 * v); }
// After deblocking, per plane: the encoder decides and codes the filter, the decoder reads it; both
// apply it to the macroblocks whose flag is set.
function alfFrame() {
  const nmb = MBW * MBH;
  if (!alfTmp || alfTmp.length !== curY.length || alfOn.length !== nmb) {
    alfTmp = new Uint8Array(curY.length); alfTmpC = new Uint8Array(curU.length);
    alfOn = new Uint8Array(nmb); alfSt = alfEnc ? new Float64Array(nmb * 90) : null;
  }
  if (curPoc === 0) alfLast.fill(0);
  for (let p = 0; p < 3; p++) {
    const luma = p === 0, buf = luma ? curY : p === 1 ? curU : curV, t = luma ? alfTmp : alfTmpC;
    const stride = luma ? LS : CS, off = luma ? LOFF : COFF, bs = luma ? 16 : 8, ss = luma ? WP : CWP, src = luma ? srcY : p === 1 ? srcU : srcV;
    const ctx = CTX_ALF + 3 * p;
    let n = luma && ALF_LUMA_7X7 ? 12 : 6;
    if (alfEnc) {
      if (!ALF) { encBit(CTX_ALF + 9 + p, 0); continue; }
    } else {
      if (!decBit(CTX_ALF + 9 + p)) continue;
      n = luma && decDirect() ? 12 : 6;
      for (let k = 0; k < n; k++) { const u = decEG(); alfQ[k] = alfLast[12 * p + k] + (u & 1 ? (u + 1) >> 1 : -(u >> 1)); alfLast[12 * p + k] = alfQ[k]; }
    }
    for (let k = 0; k < n; k++) alfOff[k] = ALF_TAPS[2 * k] + ALF_TAPS[2 * k + 1] * stride;
    t.set(buf);
    extendEdges(t, stride, off, bs * MBW, bs * MBH, 3);
    if (alfEnc) {
      const sz = n * (n + 3) / 2;
      alfSt.fill(0, 0, nmb * sz);
      for (let b = 0; b < nmb; b++) {
        const x = (b % MBW) * bs, y = ((b / MBW) | 0) * bs;
        alfStats(t, stride, off + y * stride + x, bs, bs, n, src, y * ss + x, ss, alfSt, b * sz);
      }
      alfOn.fill(1);
      let j = 0;
      for (let it = 0; it < 2; it++) {
        alfSolve(n, sz);
        j = bitCost(CTX_ALF + 9 + p, 1) + (luma ? 1 : 0);
        for (let k = 0; k < n; k++) j += alfSeCost(alfQ[k] - alfLast[12 * p + k]);
        j *= lambda;
        for (let b = 0; b < nmb; b++) {
          const bx = b % MBW, x = bx * bs, y = ((b / MBW) | 0) * bs;
          const dd = alfBlock(t, buf, stride, off + y * stride + x, bs, bs, n, src, y * ss + x, ss);
          const ci = ctx + (bx > 0 ? alfOn[b - 1] : 0) + (b >= MBW ? alfOn[b - MBW] : 0);
          const c1 = dd + lambda * bitCost(ci, 1), c0 = lambda * bitCost(ci, 0);
          alfOn[b] = c1 < c0 ? 1 : 0;
          j += min(c1, c0);
        }
      }
      // The last pass left every block filtered: unfiltered ones are restored.
      const on = j < lambda * bitCost(CTX_ALF + 9 + p, 0);
      encBit(CTX_ALF + 9 + p, on ? 1 : 0);
      if (!on) { buf.set(t); continue; }
      if (luma) encDirect(n === 12 ? 1 : 0);
      for (let k = 0; k < n; k++) { const v = alfQ[k] - alfLast[12 * p + k]; encEG(v > 0 ? 2 * v - 1 : -2 * v); alfLast[12 * p + k] = alfQ[k]; }
    }
    for (let b = 0; b < nmb; b++) {
      const bx = b % MBW, ci = ctx + (bx > 0 ? alfOn[b - 1] : 0) + (b >= MBW ? alfOn[b - MBW] : 0);
      if (alfEnc) encBit(ci, alfOn[b]); else alfOn[b] = decBit(ci);
      const i = off + ((b / MBW) | 0) * bs * stride + bx * bs;
      if (!alfEnc && alfOn[b]) alfBlock(t, buf, stride, i, bs, bs, n, null, 0, 0);
      else if (alfEnc && !alfOn[b]) for (let y = 0, r = i; y < bs; y++, r += stride) for (let x = 0; x < bs; x++) buf[r + x] = t[r + x];
    }
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START macroblock-reconstruction
// Macroblock reconstruction shared by encoder and decoder. Levels: 16 luma blocks (raster order in
// the MB) then 4 U and 4 V blocks, 16 scan-ordered coefficients each.
const mbLv = new Int16Array(24 * 16);
const mbNz = new Uint8Array(24);
const predL = new Uint8Array(256), predU = new Uint8Array(64), predV = new Uint8Array(64);
const mbMode4 = new Uint8Array(16);
let mbI16Mode = 0, mbCMode = 0;
const mbMvX = new Int16Array(4), mbMvY = new Int16Array(4), mbMv1X = new Int16Array(4), mbMv1Y = new Int16Array(4);
// mbDir: 1 list 0, 2 list 1, 3 both averaged (B-frames; always 1 in P-frames); mbDirect: direct prediction.
let mbRef = 0, mbT8 = 0, mbDir = 1, mbDirect = 0;
// B-frame 8x8 partitions: each 8x8 block's own direction (mbDir then holds their union).
const mbSubDir = new Uint8Array(4);
const predL1 = new Uint8Array(256), predU1 = new Uint8Array(64), predV1 = new Uint8Array(64);

function mcInto(mbx, mby, part8, vx, vy, dL, dU, dV) {
  const px = mbx * 16, py = mby * 16, cx = mbx * 8, cy = mby * 8;
  if (!part8) {
    mcLuma(px, py, vx[0], vy[0], 16, 16, dL, 0);
    mcChroma(refU, cx, cy, vx[0], vy[0], 8, 8, dU, 0);
    mcChroma(refV, cx, cy, vx[0], vy[0], 8, 8, dV, 0);
  } else {
    for (let s = 0; s < 4; s++) {
      const ox = (s & 1) * 8, oy = (s >> 1) * 8;
      mcLuma(px + ox, py + oy, vx[s], vy[s], 8, 8, dL, oy * 16 + ox);
      mcChroma(refU, cx + (ox >> 1), cy + (oy >> 1), vx[s], vy[s], 4, 4, dU, (oy >> 1) * 8 + (ox >> 1));
      mcChroma(refV, cx + (ox >> 1), cy + (oy >> 1), vx[s], vy[s], 4, 4, dV, (oy >> 1) * 8 + (ox >> 1));
    }
  }
}
// Bi-prediction: the rounded average of the two lists' predictions (H.264's default weighting).
function avgInto(a, b, n) { for (let i = 0; i < n; i++) a[i] = (a[i] + b[i] + 1) >> 1; }
function interPredict(mbx, mby, part8) {
  if (part8 && frameIsB) {
    const px = mbx * 16, py = mby * 16, cx = mbx * 8, cy = mby * 8;
    for (let s = 0; s < 4; s++) {
      const ox = (s & 1) * 8, oy = (s >> 1) * 8, d = mbSubDir[s], lo = oy * 16 + ox, co = (oy >> 1) * 8 + (ox >> 1);
      if (d & 1) {
        useRef(mbRef);
        mcLuma(px + ox, py + oy, mbMvX[s], mbMvY[s], 8, 8, predL, lo);
        mcChroma(refU, cx + (ox >> 1), cy + (oy >> 1), mbMvX[s], mbMvY[s], 4, 4, predU, co);
        mcChroma(refV, cx + (ox >> 1), cy + (oy >> 1), mbMvX[s], mbMvY[s], 4, 4, predV, co);
      }
      if (d & 2) {
        const bi = d === 3, dl = bi ? predL1 : predL, du = bi ? predU1 : predU, dv = bi ? predV1 : predV;
        useRef1(0);
        mcLuma(px + ox, py + oy, mbMv1X[s], mbMv1Y[s], 8, 8, dl, lo);
        mcChroma(refU, cx + (ox >> 1), cy + (oy >> 1), mbMv1X[s], mbMv1Y[s], 4, 4, du, co);
        mcChroma(refV, cx + (ox >> 1), cy + (oy >> 1), mbMv1X[s], mbMv1Y[s], 4, 4, dv, co);
        if (bi) {
          for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) { const i = lo + y * 16 + x; predL[i] = (predL[i] + predL1[i] + 1) >> 1; }
          for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
            const i = co + y * 8 + x;
            predU[i] = (predU[i] + predU1[i] + 1) >> 1; predV[i] = (predV[i] + predV1[i] + 1) >> 1;
          }
        }
      }
    }
    return;
  }
  if (mbDir & 1) { useRef(mbRef); mcInto(mbx, mby, part8, mbMvX, mbMvY, predL, predU, predV); }
  if (mbDir & 2) {
    useRef1(0);
    if (mbDir & 1) {
      mcInto(mbx, mby, part8, mbMv1X, mbMv1Y, predL1, predU1, predV1);
      avgInto(predL, predL1, 256); avgInto(predU, predU1, 64); avgInto(predV, predV1, 64);
    } else mcInto(mbx, mby, part8, mbMv1X, mbMv1Y, predL, predU, predV);
  }
}
function reconChroma(mbx, mby) {
  const co = COFF + mby * 8 * CS + mbx * 8;
  if (chromaDc) {
    for (let p = 0; p < 2; p++) {
      chromaDcDequant(p, qpC);
      const pred = p ? predV : predU, dst = p ? curV : curU;
      for (let b = 0; b < 4; b++) {
        const ox = (b & 1) * 4, oy = (b >> 1) * 4, i = 16 + p * 4 + b, dc = dcC[p * 4 + b];
        if (mbNz[i]) reconBlockDc(mbLv, i * 16, qpC, dc, pred, oy * 8 + ox, 8, dst, co + oy * CS + ox, CS);
        else if (dc) reconBlockDc(zero16, 0, qpC, dc, pred, oy * 8 + ox, 8, dst, co + oy * CS + ox, CS);
        else copyBlock(pred, oy * 8 + ox, 8, dst, co + oy * CS + ox, CS, 4);
      }
    }
    return;
  }
  for (let b = 0; b < 4; b++) {
    const ox = (b & 1) * 4, oy = (b >> 1) * 4;
    if (mbNz[16 + b]) reconBlock(mbLv, (16 + b) * 16, qpC, predU, oy * 8 + ox, 8, curU, co + oy * CS + ox, CS);
    else copyBlock(predU, oy * 8 + ox, 8, curU, co + oy * CS + ox, CS, 4);
    if (mbNz[20 + b]) reconBlock(mbLv, (20 + b) * 16, qpC, predV, oy * 8 + ox, 8, curV, co + oy * CS + ox, CS);
    else copyBlock(predV, oy * 8 + ox, 8, curV, co + oy * CS + ox, CS, 4);
  }
}
function reconLumaFromPred(mbx, mby) {
  const lo = LOFF + mby * 16 * LS + mbx * 16;
  if (mbT8 === 2) { if (mbNz[0]) recon16(mbLv, 0, qp, predL, 0, 16, curY, lo, LS); else copyBlock(predL, 0, 16, curY, lo, LS, 16); return; }
  if (mbT8) {
    for (let k = 0; k < 4; k++) {
      const ox = (k & 1) * 8, oy = (k >> 1) * 8;
      if (mbNz[(oy >> 2) * 4 + (ox >> 2)]) recon8(mbLv, k * 64, qp, predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS);
      else copyBlock(predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS, 8);
    }
    return;
  }
  for (let b = 0; b < 16; b++) {
    const ox = (b & 3) * 4, oy = (b >> 2) * 4;
    if (mbNz[b]) reconBlock(mbLv, b * 16, qp, predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS);
    else copyBlock(predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS, 4);
  }
}
function chromaIntraPred(mbx, mby, mode) {
  const co = COFF + mby * 8 * CS + mbx * 8;
  if (mode === 4) { cflPred(mbx, mby, curU, predU); cflPred(mbx, mby, curV, predV); return; }
  if (mode === 5) { dmPred(mbx, mby, curU, predU); dmPred(mbx, mby, curV, predV); return; }
  intraBlockPred(mode, curU, CS, co, 8, mby > 0, mbx > 0, predU);
  intraBlockPred(mode, curV, CS, co, 8, mby > 0, mbx > 0, predV);
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START residual-coding
// Encoder: residual quantisation with per-block RD decisions, SATD as the cheap cost proxy.
// Deadzone rounding offsets as a fraction of the step: smaller = more zeros = fewer bits.
const DEADZONE_INTRA = 0.33;     // @evolve float 0.05 0.5
const DEADZONE_INTER = 0.17;     // @evolve float 0.05 0.5
// Per-block zeroing: drop a 4x4 block's coefficients when that lowers J (cheap trellis substitute;
// measured: off costs +2.8 % BD-rate on foreman).
const BLOCK_RDO = true;          // @evolve bool
// Rate-distortion optimised quantisation (each level lowered by one where that lowers J); off falls
// back to the deadzone quantiser above.
const RDOQ = true;               // @evolve bool
// Chroma DC stage (2x2 Hadamard over each chroma plane's four block DCs; sent in the header).
const CHROMA_DC = true;          // @evolve bool
// 8x8 transform for inter macroblocks, chosen per macroblock by RD against the 4x4 one (sent in the header).
const TRANSFORM_8X8 = true;      // @evolve bool
const res = new Int32Array(16), coef = new Int32Array(16);
// Sum of absolute Hadamard-transformed differences of a 4x4 block: a cheap proxy of coded cost.
function satd4(src, sOff, sStride, pred, pOff, pStride) {
  // Rows transformed into locals (no scratch array), then the columns: same sums as a 4x4 Hadamard.
  let s = sOff, p = pOff;
  let d0 = src[s] - pred[p], d1 = src[s + 1] - pred[p + 1], d2 = src[s + 2] - pred[p + 2], d3 = src[s + 3] - pred[p + 3];
  let a0 = d0 + d1, a1 = d0 - d1, a2 = d2 + d3, a3 = d2 - d3;
  const t00 = a0 + a2, t01 = a1 + a3, t02 = a0 - a2, t03 = a1 - a3;
  s += sStride; p += pStride;
  d0 = src[s] - pred[p]; d1 = src[s + 1] - pred[p + 1]; d2 = src[s + 2] - pred[p + 2]; d3 = src[s + 3] - pred[p + 3];
  a0 = d0 + d1; a1 = d0 - d1; a2 = d2 + d3; a3 = d2 - d3;
  const t10 = a0 + a2, t11 = a1 + a3, t12 = a0 - a2, t13 = a1 - a3;
  s += sStride; p += pStride;
  d0 = src[s] - pred[p]; d1 = src[s + 1] - pred[p + 1]; d2 = src[s + 2] - pred[p + 2]; d3 = src[s + 3] - pred[p + 3];
  a0 = d0 + d1; a1 = d0 - d1; a2 = d2 + d3; a3 = d2 - d3;
  const t20 = a0 + a2, t21 = a1 + a3, t22 = a0 - a2, t23 = a1 - a3;
  s += sStride; p += pStride;
  d0 = src[s] - pred[p]; d1 = src[s + 1] - pred[p + 1]; d2 = src[s + 2] - pred[p + 2]; d3 = src[s + 3] - pred[p + 3];
  a0 = d0 + d1; a1 = d0 - d1; a2 = d2 + d3; a3 = d2 - d3;
  const t30 = a0 + a2, t31 = a1 + a3, t32 = a0 - a2, t33 = a1 - a3;
  return (satdCol(t00, t10, t20, t30) + satdCol(t01, t11, t21, t31) + satdCol(t02, t12, t22, t32) + satdCol(t03, t13, t23, t33)) >> 1;
}
// satd4 against the rounded average of two planes at pOff and qOff (quarter-pel samples, no copy).
function satd4a(src, sOff, sStride, A, pOff, B, qOff, pStride) {
  let s = sOff, p = pOff, q = qOff;
  let d0 = src[s] - ((A[p] + B[q] + 1) >> 1), d1 = src[s + 1] - ((A[p + 1] + B[q + 1] + 1) >> 1), d2 = src[s + 2] - ((A[p + 2] + B[q + 2] + 1) >> 1), d3 = src[s + 3] - ((A[p + 3] + B[q + 3] + 1) >> 1);
  let a0 = d0 + d1, a1 = d0 - d1, a2 = d2 + d3, a3 = d2 - d3;
  const t00 = a0 + a2, t01 = a1 + a3, t02 = a0 - a2, t03 = a1 - a3;
  s += sStride; p += pStride; q += pStride;
  d0 = src[s] - ((A[p] + B[q] + 1) >> 1); d1 = src[s + 1] - ((A[p + 1] + B[q + 1] + 1) >> 1); d2 = src[s + 2] - ((A[p + 2] + B[q + 2] + 1) >> 1); d3 = src[s + 3] - ((A[p + 3] + B[q + 3] + 1) >> 1);
  a0 = d0 + d1; a1 = d0 - d1; a2 = d2 + d3; a3 = d2 - d3;
  const t10 = a0 + a2, t11 = a1 + a3, t12 = a0 - a2, t13 = a1 - a3;
  s += sStride; p += pStride; q += pStride;
  d0 = src[s] - ((A[p] + B[q] + 1) >> 1); d1 = src[s + 1] - ((A[p + 1] + B[q + 1] + 1) >> 1); d2 = src[s + 2] - ((A[p + 2] + B[q + 2] + 1) >> 1); d3 = src[s + 3] - ((A[p + 3] + B[q + 3] + 1) >> 1);
  a0 = d0 + d1; a1 = d0 - d1; a2 = d2 + d3; a3 = d2 - d3;
  const t20 = a0 + a2, t21 = a1 + a3, t22 = a0 - a2, t23 = a1 - a3;
  s += sStride; p += pStride; q += pStride;
  d0 = src[s] - ((A[p] + B[q] + 1) >> 1); d1 = src[s + 1] - ((A[p + 1] + B[q + 1] + 1) >> 1); d2 = src[s + 2] - ((A[p + 2] + B[q + 2] + 1) >> 1); d3 = src[s + 3] - ((A[p + 3] + B[q + 3] + 1) >> 1);
  a0 = d0 + d1; a1 = d0 - d1; a2 = d2 + d3; a3 = d2 - d3;
  const t30 = a0 + a2, t31 = a1 + a3, t32 = a0 - a2, t33 = a1 - a3;
  return (satdCol(t00, t10, t20, t30) + satdCol(t01, t11, t21, t31) + satdCol(t02, t12, t22, t32) + satdCol(t03, t13, t23, t33)) >> 1;
}
function satdCol(x0, x1, x2, x3) {
  const a0 = x0 + x1, a1 = x0 - x1, a2 = x2 + x3, a3 = x2 - x3;
  const b0 = a0 + a2, b1 = a1 + a3, b2 = a0 - a2, b3 = a1 - a3;
  return (b0 < 0 ? -b0 : b0) + (b1 < 0 ? -b1 : b1) + (b2 < 0 ? -b2 : b2) + (b3 < 0 ? -b3 : b3);
}
function satdBlock(sOff, pred, pOff, w, h) {
  let s = 0;
  for (let y = 0; y < h; y += 4) for (let x = 0; x < w; x += 4) s += satd4(srcY, sOff + y * WP + x, WP, pred, pOff + y * 16 + x, 16);
  return s;
}

// Rate-distortion optimised quantisation: levels start rounded to nearest, then from the last
// coefficient back each one is lowered by one (to zero at 1) when D + lambda * R drops, with R the
// context-coded cost of the whole block (so a trailing zero shortens the significance map). D is
// measured in the coefficient domain: the 4x4 transform's basis rows have norms 2 and sqrt(10),
// so an error e at a position of class 0/1/2 costs e^2/16, e^2/100, e^2/40 in pixel SSD.
const RDOQ_W = [1 / 16, 1 / 100, 1 / 40];
const rqAbs = new Float64Array(16), rqStep = new Float64Array(16), rqW = new Float64Array(16);
function rdoQuant(c, q, lv, off, cat) {
  const qb = q * 16, qbits = 15 + ((q / 6) | 0), scale = 1 << qbits;
  let nz = 0;
  for (let i = 0; i < 16; i++) {
    const p = ZZ[i], v = c[p], a = v < 0 ? -v : v, m = QMUL[qb + p];
    const l = (a * m + (scale >> 1)) >> qbits;
    lv[off + i] = v < 0 ? -l : l;
    rqAbs[i] = a; rqStep[i] = scale / m; rqW[i] = RDOQ_W[POSCLASS[p]];
    if (l) nz = 1;
  }
  if (!nz) return 0;
  let bits = blockCost(lv, off, cat);
  nz = 0;
  for (let i = 15; i >= 0; i--) {
    const v = lv[off + i];
    if (v === 0) continue;
    const l = v < 0 ? -v : v, e1 = rqAbs[i] - l * rqStep[i], e0 = rqAbs[i] - (l - 1) * rqStep[i];
    const dD = (e0 * e0 - e1 * e1) * rqW[i];
    if (dD >= lambda * bits) { nz = 1; continue; }
    lv[off + i] = v < 0 ? -(l - 1) : l - 1;
    let nb = 0;
    for (let k = 0; k < 16; k++) if (lv[off + k]) { nb = blockCost(lv, off, cat); break; }
    if (dD + lambda * (nb - bits) < 0) { bits = nb; if (l > 1) nz = 1; }
    else { lv[off + i] = v; nz = 1; }
  }
  return nz;
}

// Quantises the residual of one 4x4 block into lv[off..], reconstructs it and returns its cost.
// Returns J contribution; sets blkNz. With BLOCK_RDO the block is dropped when that lowers J.
let blkNz = 0;
function codeBlock(src, sOff, sStride, pred, pOff, pStride, dst, dOff, dStride, q, intra, cat, cbfCi, lv, off) {
  let ssdZero = 0;
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    const d = src[sOff + y * sStride + x] - pred[pOff + y * pStride + x];
    res[y * 4 + x] = d; ssdZero += d * d;
  }
  fdct4(res, coef);
  // |coef| <= 9180 and the multiplier <= 13107, so the product stays within int32.
  const qb = q * 16, qbits = 15 + ((q / 6) | 0), f = floor((intra ? DEADZONE_INTRA : DEADZONE_INTER) * (1 << qbits));
  let nz = 0;
  if (RDOQ) nz = rdoQuant(coef, q, lv, off, cat);
  else for (let i = 0; i < 16; i++) {
    const p = ZZ[i], c = coef[p];
    const a = ((c < 0 ? -c : c) * QMUL[qb + p] + f) >> qbits;
    lv[off + i] = c < 0 ? -a : a;
    if (a) nz = 1;
  }
  if (nz) {
    reconBlock(lv, off, q, pred, pOff, pStride, dst, dOff, dStride);
    let ssd = 0;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
      const d = src[sOff + y * sStride + x] - dst[dOff + y * dStride + x]; ssd += d * d;
    }
    const jCoded = ssd + lambda * (bitCost(cbfCi, 1) + blockCost(lv, off, cat));
    const jZero = ssdZero + lambda * bitCost(cbfCi, 0);
    if (!BLOCK_RDO || jCoded < jZero) { blkNz = 1; return jCoded; }
    for (let i = 0; i < 16; i++) lv[off + i] = 0;
  }
  copyBlock(pred, pOff, pStride, dst, dOff, dStride, 4);
  blkNz = 0;
  return ssdZero + lambda * bitCost(cbfCi, 0);
}

function codeLumaInter(mbx, mby) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, so = mby * 16 * WP + mbx * 16;
  let j = 0;
  for (let b = 0; b < 16; b++) {
    const ox = (b & 3) * 4, oy = (b >> 2) * 4, x4 = mbx * 4 + (b & 3), y4 = mby * 4 + (b >> 2);
    j += codeBlock(srcY, so + oy * WP + ox, WP, predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS, qp, false, 0,
      cbfCtx(0, nzL, W4, x4, y4), mbLv, b * 16);
    mbNz[b] = blkNz; nzL[y4 * W4 + x4] = blkNz;
  }
  return j;
}
// Inter luma with four 8x8 transforms; each block dropped when that lowers J. Returns SSD + lambda * bits.
const res8 = new Int32Array(64), coef8 = new Int32Array(64);

// Luma 8x8 residual at srcY[sOff] - predL[pOff] → 8x8 transform → levels in mbLv[off..] (RDOQ or the
// deadzone quantiser). Returns whether any level is nonzero; ssd8Zero = SSD with no residual coded.
let ssd8Zero = 0;
function quant8Block(sOff, pOff, off, deadzone) {
  const q = qp, qb = q * 64, qbits = 16 + ((q / 6) | 0), f = floor(deadzone * (1 << qbits));
  let ssdZero = 0;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    const d = srcY[sOff + y * WP + x] - predL[pOff + y * 16 + x];
    res8[y * 8 + x] = d; ssdZero += d * d;
  }
  ssd8Zero = ssdZero;
  fdct8(res8, coef8);
  let nz = 0;
  if (RDOQ) nz = rdoQuant8(coef8, q, mbLv, off);
  else for (let i = 0; i < 64; i++) {
    const p = ZZ8[i], c = coef8[p], a = ((c < 0 ? -c : c) * QMUL8[qb + p] + f) >> qbits;
    mbLv[off + i] = c < 0 ? -a : a;
    if (a) nz = 1;
  }
  return nz;
}
function codeLumaInter8(mbx, mby) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, so = mby * 16 * WP + mbx * 16;
  const q = qp;
  let j = 0;
  for (let k = 0; k < 4; k++) {
    const ox = (k & 1) * 8, oy = (k >> 1) * 8, off = k * 64, pOff = oy * 16 + ox, dOff = lo + oy * LS + ox, sOff = so + oy * WP + ox;
    const nz = quant8Block(sOff, pOff, off, DEADZONE_INTER), ssdZero = ssd8Zero;
    let jk = ssdZero, coded = 0;
    if (nz) {
      recon8(mbLv, off, q, predL, pOff, 16, curY, dOff, LS);
      let ssd = 0;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) { const d = srcY[sOff + y * WP + x] - curY[dOff + y * LS + x]; ssd += d * d; }
      const jc = ssd + lambda * blockCost8(mbLv, off);
      if (!BLOCK_RDO || jc < ssdZero) { jk = jc; coded = 1; }
    }
    if (!coded) {
      for (let i = 0; i < 64; i++) mbLv[off + i] = 0;
      copyBlock(predL, pOff, 16, curY, dOff, LS, 8);
    }
    for (let s = 0; s < 4; s++) {
      const bx = (ox >> 2) + (s & 1), by = (oy >> 2) + (s >> 1);
      mbNz[by * 4 + bx] = coded; nzL[(mby * 4 + by) * W4 + mbx * 4 + bx] = coded;
    }
    j += jk;
  }
  return j;
}
// RDOQ for 8x8 blocks: as rdoQuant, with the 8x8 basis norms (squared: 8, 9.03, 5, 9.03, ...).
const RDOQ8_N = [8, 578 / 64, 5, 578 / 64, 8, 578 / 64, 5, 578 / 64];
const rq8Abs = new Float64Array(64), rq8Step = new Float64Array(64), rq8W = new Float64Array(64);
function rdoQuant8(c, q, lv, off) {
  const qb = q * 64, qbits = 16 + ((q / 6) | 0), scale = 1 << qbits;
  let nz = 0;
  for (let i = 0; i < 64; i++) {
    const p = ZZ8[i], v = c[p], a = v < 0 ? -v : v, m = QMUL8[qb + p];
    const l = (a * m + (scale >> 1)) >> qbits;
    lv[off + i] = v < 0 ? -l : l;
    rq8Abs[i] = a; rq8Step[i] = scale / m; rq8W[i] = 1 / (RDOQ8_N[p >> 3] * RDOQ8_N[p & 7]);
    if (l) nz = 1;
  }
  if (!nz) return 0;
  let bits = blockCost8(lv, off);
  nz = 0;
  for (let i = 63; i >= 0; i--) {
    const v = lv[off + i];
    if (v === 0) continue;
    const l = v < 0 ? -v : v, e1 = rq8Abs[i] - l * rq8Step[i], e0 = rq8Abs[i] - (l - 1) * rq8Step[i];
    const dD = (e0 * e0 - e1 * e1) * rq8W[i];
    if (dD >= lambda * bits) { nz = 1; continue; }
    lv[off + i] = v < 0 ? -(l - 1) : l - 1;
    let nb = 0;
    for (let k = 0; k < 64; k++) if (lv[off + k]) { nb = blockCost8(lv, off); break; }
    if (dD + lambda * (nb - bits) < 0) { bits = nb; if (l > 1) nz = 1; }
    else { lv[off + i] = v; nz = 1; }
  }
  return nz;
}
// 16x16 luma transform (HEVC-style) for intra 16x16 and one-partition inter macroblocks, chosen per
// macroblock by RD against the smaller sizes (sent in the header): smooth areas in few levels.
const TRANSFORM_16X16 = true; // @evolve bool
// 16x16 quantisation. RDOQ: per coefficient the rounded level, one less or zero by D + lambda * R with
// R from the contexts of the initial pattern; then whole groups zeroed where that lowers J, then the
// trailing +-1 dropped while the exact block cost says it pays. D = (error in coefficient units)^2 / 64.
// Returns the bits of the levels (0: all zero).
let l16Any = 0;
const rq16A = new Float64Array(256), res16 = new Int32Array(256), coef16 = new Int32Array(256);
function quant16(c, q, lv, off, intra) {
  const sh = 17 + ((q / 6) | 0), m = QS16[q % 6], step = pow(2, sh) / m, set = intra ? 1 : 0;
  let nz = 0;
  if (!RDOQ) {
    const f = floor((intra ? DEADZONE_INTRA : DEADZONE_INTER) * pow(2, sh));
    for (let i = 0; i < 256; i++) { const v = c[SCAN16[i]], a = ((v < 0 ? -v : v) * m + f) >> sh; lv[off + i] = v < 0 ? -a : a; if (a) nz = 1; }
    l16Any = nz;
    if (nz) hideSigns(c, lv, off, step);
    return nz ? code16(lv, off, set) : 0;
  }
  const inv = m / pow(2, sh);
  for (let i = 0; i < 256; i++) {
    const v = c[SCAN16[i]], a = v < 0 ? -v : v, l = floor(a * inv + 0.5);
    lv[off + i] = v < 0 ? -l : l; rq16A[i] = a;
    if (l) nz = 1;
  }
  l16Any = nz;
  if (!nz) return 0;
  cg16.fill(0);
  for (let i = 0; i < 256; i++) if (lv[off + i]) cg16[ZZ[i >> 4]] = 1;
  const gb = CTX_GT116 + set * 10 + 1, mc = CTX_LVL16 + set * 3, w = 1 / 64;
  const g0 = bitCost(gb, 0), g1 = bitCost(gb, 1), m1 = bitCost(mc, 1), m0 = bitCost(mc, 0);
  for (let g = 0; g < 16; g++) {
    if (!cg16[ZZ[g]]) continue;
    const pat = cgNb(g), sb = CTX_SIG16 + set * 7 + (g ? 3 : 0);
    let dC = 0, dZ = 0, rC = 0, any = 0;
    for (let i = 0; i < 16; i++) {
      const k = g * 16 + i, sc = g === 0 && i === 0 ? CTX_SIG16 + set * 7 + 6 : sb + SIGPAT[pat * 16 + i], a = rq16A[k];
      let l = lv[off + k];
      l = l < 0 ? -l : l;
      const r0 = bitCost(sc, 0);
      let bj = a * a * w + lambda * r0, bl = 0, br = r0;
      for (let t = l; t >= 1 && t >= l - 1; t--) {
        const r = bitCost(sc, 1) + 1 + (t === 1 ? g0 : g1 + (t - 2 < 13 ? (t - 2) * m1 + m0 : 13 * m1 + egCost(t - 15))), e = a - t * step;
        const j = e * e * w + lambda * r;
        if (j < bj) { bj = j; bl = t; br = r; }
      }
      lv[off + k] = c[SCAN16[k]] < 0 ? -bl : bl;
      dZ += a * a * w; dC += bj - lambda * br; rC += br; if (bl) any = 1;
    }
    // A group whose levels cost more than the distortion they remove goes (not the first one).
    if (g > 0 && any) {
      const cc = CTX_CG16 + set * 3 + (pat & 1) + (pat >> 1);
      if (dZ + lambda * bitCost(cc, 0) <= dC + lambda * (rC + bitCost(cc, 1))) { for (let i = 0; i < 16; i++) lv[off + g * 16 + i] = 0; any = 0; }
    }
    cg16[ZZ[g]] = any;
  }
  let last = 255;
  while (last >= 0 && lv[off + last] === 0) last--;
  if (last < 0) return 0;
  let bits = code16(lv, off, set);
  for (let it = 0; it < 8; it++) {
    const v = lv[off + last];
    if (v !== 1 && v !== -1) break;
    const a = rq16A[last], e = a - step, dD = a * a * w - e * e * w;
    lv[off + last] = 0;
    let nl = last - 1;
    while (nl >= 0 && lv[off + nl] === 0) nl--;
    const nb = nl < 0 ? 0 : code16(lv, off, set);
    if (dD + lambda * (nb - bits) < 0) { bits = nb; last = nl; if (nl < 0) return 0; }
    else { lv[off + last] = v; break; }
  }
  return hideSigns(c, lv, off, step) ? code16(lv, off, set) : bits;
}
// Sign hiding (HEVC's): in a group whose first and last levels lie 4 or more scan positions apart the
// first level's sign is not sent but read from the parity of the group's level sum; where the parity
// disagrees the encoder moves by one the level whose change costs least (distortion + lambda * rough
// bits, keeping the group's first and last level).
function hideSigns(c, lv, off, step) {
  let moved = 0;
  for (let g = 0; g < 16; g++) {
    const o = off + g * 16;
    let f = -1, l = -1, sum = 0;
    for (let i = 0; i < 16; i++) if (lv[o + i]) { if (f < 0) f = i; l = i; sum += abs(lv[o + i]); }
    if (l - f < 4 || (sum & 1) === (lv[o + f] < 0 ? 1 : 0)) continue;
    let bi = f, bd = INF, bs = 1;
    for (let i = f; i <= l; i++) {
      const v = c[SCAN16[g * 16 + i]], a = v < 0 ? -v : v, q = abs(lv[o + i]), e = a - q * step;
      for (let s = -1; s <= 1; s += 2) {
        if (s < 0 && (q === 0 || (q === 1 && (i === f || i === l)))) continue;
        const e2 = a - (q + s) * step, d = (e2 * e2 - e * e) / 64 + lambda * (q === 0 ? 4 : q === 1 && s < 0 ? -4 : s);
        if (d < bd) { bd = d; bi = i; bs = s; }
      }
    }
    const q = abs(lv[o + bi]) + bs;
    lv[o + bi] = (lv[o + bi] ? lv[o + bi] < 0 : c[SCAN16[g * 16 + bi]] < 0) ? -q : q;
    moved = 1;
  }
  return moved;
}
// Codes the luma of the macroblock as one 16x16 block (prediction in predL); returns SSD + lambda *
// bits of the levels (coded-block flag and transform flag left to the caller).
function codeLuma16(mbx, mby, intra) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, so = mby * 16 * WP + mbx * 16;
  let ssdZero = 0, j = 0, coded = 0;
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) { const d = srcY[so + y * WP + x] - predL[y * 16 + x]; res16[y * 16 + x] = d; ssdZero += d * d; }
  fdct16(res16, coef16);
  const bits = quant16(coef16, qp, mbLv, 0, intra);
  if (bits) {
    recon16(mbLv, 0, qp, predL, 0, 16, curY, lo, LS);
    let ssd = 0;
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) { const d = srcY[so + y * WP + x] - curY[lo + y * LS + x]; ssd += d * d; }
    const ci = cbf16Ctx(mbx, mby);
    j = ssd + lambda * bits;
    coded = !BLOCK_RDO || j + lambda * bitCost(ci, 1) < ssdZero + lambda * bitCost(ci, 0) ? 1 : 0;
  }
  if (!coded) { for (let i = 0; i < 256; i++) mbLv[i] = 0; copyBlock(predL, 0, 16, curY, lo, LS, 16); j = ssdZero; }
  for (let b = 0; b < 16; b++) { mbNz[b] = coded; nzL[(mby * 4 + (b >> 2)) * W4 + mbx * 4 + (b & 3)] = coded; }
  return j;
}
// The macroblock's luma with one 16x16 transform against small(mbx, mby) (the smaller transforms; it
// sets mbT8), the cheaper kept, both with their pattern bits. Inter luma that the 16x16 transform
// rounds to nothing is taken at once (the smaller ones would not find levels worth their bits).
// Returns the luma J with the transform flag's bits.
const t16SaveRec = new Uint8Array(256), t16SaveLv = new Int16Array(256), t16SaveNz = new Uint8Array(16);
function tryLuma16(mbx, mby, intra, small) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, ctx = t16Ctx(mbx, mby, intra);
  mbT8 = 2;
  const j16 = codeLuma16(mbx, mby, intra) + lambda * bitCost(ctx, 1);
  if (!l16Any && !intra) return j16;
  const c16 = j16 + lambda * cbpCost(mbx, mby, cbpOf());
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) t16SaveRec[y * 16 + x] = curY[lo + y * LS + x];
  t16SaveLv.set(mbLv.subarray(0, 256)); t16SaveNz.set(mbNz.subarray(0, 16));
  mbT8 = 0;
  const js = small(mbx, mby) + lambda * bitCost(ctx, 0);
  if (js + lambda * cbpCost(mbx, mby, cbpOf()) <= c16) return js;
  mbT8 = 2;
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) curY[lo + y * LS + x] = t16SaveRec[y * 16 + x];
  mbLv.set(t16SaveLv); mbNz.set(t16SaveNz);
  for (let b = 0; b < 16; b++) nzL[(mby * 4 + (b >> 2)) * W4 + mbx * 4 + (b & 3)] = mbNz[b];
  return j16;
}
function codeChroma(mbx, mby, intra) {
  const co = COFF + mby * 8 * CS + mbx * 8, so = mby * 8 * CWP + mbx * 8;
  let j = 0;
  if (chromaDc) {
    for (let p = 0; p < 2; p++) j += codeChromaPlaneDc(mbx, mby, p, intra, co, so);
    return j;
  }
  for (let b = 0; b < 4; b++) {
    const ox = (b & 1) * 4, oy = (b >> 1) * 4, x4 = mbx * 2 + (b & 1), y4 = mby * 2 + (b >> 1);
    j += codeBlock(srcU, so + oy * CWP + ox, CWP, predU, oy * 8 + ox, 8, curU, co + oy * CS + ox, CS, qpC, intra, 1,
      cbfCtx(1, nzU, W8, x4, y4), mbLv, (16 + b) * 16);
    mbNz[16 + b] = blkNz; nzU[y4 * W8 + x4] = blkNz;
    j += codeBlock(srcV, so + oy * CWP + ox, CWP, predV, oy * 8 + ox, 8, curV, co + oy * CS + ox, CS, qpC, intra, 1,
      cbfCtx(1, nzV, W8, x4, y4), mbLv, (20 + b) * 16);
    mbNz[20 + b] = blkNz; nzV[y4 * W8 + x4] = blkNz;
  }
  return j;
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START motion-search
// ---- motion estimation (encoder side) ----
// Integer search window around the predicted vector, in pixels.
const SEARCH_RANGE = 16;         // @evolve int 4 64
// Reference pictures kept for prediction (1 = only the previous one): farther references catch
// uncovered background and periodic motion; each costs one more search per macroblock.
const NUM_REFS = 3;              // @evolve int 1 4
// Search pattern: 'hex' (large hexagon then diamond) finds long motions in fewer steps than 'diamond'
// (same rate on foreman: +0.1 % with 'diamond'; the difference is speed on fast motion).
const ME_METHOD = 'hex';         // @evolve choice 'diamond' 'hex'
// 0 = integer, 1 = half, 2 = quarter pel: finer vectors predict better, cost more search
// (measured on foreman: integer-only +27 %, half-pel +6 % BD-rate against quarter-pel).
const SUBPEL_LEVEL = 2;          // @evolve int 0 2
// Chroma in the last sub-pel refinement step (x264's chroma_me): SATD of both chroma predictions joins
// the cost, since a quarter-pel luma vector is an eighth-pel chroma one that luma alone cannot judge.
const CHROMA_ME = true;          // @evolve bool

// Vector limits keep every reference read (6-tap filter included) inside the padded planes.
function mvOk(px, py, bw, mx, my) {
  const x = px + (mx >> 2), y = py + (my >> 2);
  return x >= -PAD + 4 && y >= -PAD + 4 && x + bw <= WP + PAD - 5 && y + bw <= HP + PAD - 5;
}
// Stops once the partial sum plus `add` reaches limit (the caller then rejects it either way).
function sadInt(px, py, bw, bh, ix, iy, limit, add) {
  // Rows unrolled by 8 (bw is 8 or 16), planes in locals: same integer sums, about twice as fast.
  const S = srcY, R = refY, ws = WP, ls = LS;
  let s = 0;
  for (let y = 0, a = py * WP + px, b = LOFF + (py + iy) * LS + px + ix; y < bh; y++, a += ws, b += ls) {
    for (let x = 0; x < bw; x += 8) {
      const i = a + x, j = b + x;
      let d = S[i] - R[j], t = d < 0 ? -d : d; d = S[i + 1] - R[j + 1]; t += d < 0 ? -d : d; d = S[i + 2] - R[j + 2]; t += d < 0 ? -d : d;
      d = S[i + 3] - R[j + 3]; t += d < 0 ? -d : d; d = S[i + 4] - R[j + 4]; t += d < 0 ? -d : d; d = S[i + 5] - R[j + 5]; t += d < 0 ? -d : d;
      d = S[i + 6] - R[j + 6]; t += d < 0 ? -d : d; d = S[i + 7] - R[j + 7]; s += t + (d < 0 ? -d : d);
    }
    if (s + add >= limit) return s;
  }
  return s;
}
const mePred = new Uint8Array(256), meCU = new Uint8Array(64), meCV = new Uint8Array(64);
function chromaSatd(px, py, bw, bh, mx, my) {
  const cx = px >> 1, cy = py >> 1, cb = bw >> 1, ch = bh >> 1;
  mcChroma(refU, cx, cy, mx, my, cb, ch, meCU, 0);
  mcChroma(refV, cx, cy, mx, my, cb, ch, meCV, 0);
  let s = 0;
  for (let y = 0; y < ch; y += 4) for (let x = 0; x < cb; x += 4) {
    const so = (cy + y) * CWP + cx + x;
    s += satd4(srcU, so, CWP, meCU, y * 8 + x, 8) + satd4(srcV, so, CWP, meCV, y * 8 + x, 8);
  }
  return s;
}
// chromaSatd's sum (both planes), stopping after U when (luma + U) + bits already reaches limit (the
// same float sum the caller compares, so the decision cannot change).
function chromaSatdLim(px, py, bw, bh, mx, my, luma, bits, limit) {
  const cx = px >> 1, cy = py >> 1, cb = bw >> 1, ch = bh >> 1;
  mcChroma(refU, cx, cy, mx, my, cb, ch, meCU, 0);
  let s = 0;
  for (let y = 0; y < ch; y += 4) for (let x = 0; x < cb; x += 4) s += satd4(srcU, (cy + y) * CWP + cx + x, CWP, meCU, y * 8 + x, 8);
  if ((luma + s) + bits >= limit) return s;
  mcChroma(refV, cx, cy, mx, my, cb, ch, meCV, 0);
  for (let y = 0; y < ch; y += 4) for (let x = 0; x < cb; x += 4) s += satd4(srcV, (cy + y) * CWP + cx + x, CWP, meCV, y * 8 + x, 8);
  return s;
}
let meX = 0, meY = 0, meCost = 0;
const HEX = [-2, 0, -1, -2, 1, -2, 2, 0, 1, 2, -1, 2], DIA = [-1, 0, 0, -1, 1, 0, 0, 1];
const SUB8 = [-1, -1, 0, -1, 1, -1, -1, 0, 1, 0, -1, 1, 0, 1, 1, 1];
// Integer search (hexagon or diamond) from the best of several predictor candidates, then
// half- and quarter-pel refinement by SATD; cost = distortion + lambda * vector bits.
let sPx = 0, sPy = 0, sBw = 0, sBh = 0, sBm = 0, sPmX = 0, sPmY = 0, sPix = 0, sPiy = 0, sBx = 0, sBy = 0, sBc = 0;
// Positions already tried in this search are skipped: their cost is fixed and cannot beat the best
// (which is at most that cost), so the result is the same; likewise a vector whose bits alone reach it.
const ME_SPAN = 2 * SEARCH_RANGE + 1, meSeen = new Int32Array(ME_SPAN * ME_SPAN);
let meGen = 0;
function tryInt(ix, iy) {
  const dx = ix - sPix + SEARCH_RANGE, dy = iy - sPiy + SEARCH_RANGE;
  if (dx < 0 || dx >= ME_SPAN || dy < 0 || dy >= ME_SPAN) return;
  const si = dy * ME_SPAN + dx;
  if (meSeen[si] === meGen) return;
  meSeen[si] = meGen;
  if (!mvOk(sPx, sPy, sBm, ix * 4, iy * 4)) return;
  const m = lambdaMe * mvCost(ix * 4 - sPmX, iy * 4 - sPmY);
  if (m >= sBc) return;
  const c = sadInt(sPx, sPy, sBw, sBh, ix, iy, sBc, m) + m;
  if (c < sBc) { sBc = c; sBx = ix; sBy = iy; }
}
// SATD of the w x h luma block at (px,py) against its prediction by vector (mx,my) (mcLuma's samples),
// stopping once the partial sum plus `add` reaches limit; the prediction is read in place (no copy).
function satdBlockLim(px, py, mx, my, w, h, add, limit) {
  const k = ((my & 3) * 4 + (mx & 3)) * 6, base = LOFF + (py + (my >> 2)) * LS + px + (mx >> 2), ls = LS, ws = WP, S = srcY;
  if (lazyHalf && k !== 0) fillHalfWindow(base, k, w, h);
  const A = planes[QPEL[k]], a0 = base + QPEL[k + 2] * ls + QPEL[k + 1], two = QPEL[k + 3] >= 0;
  const B = two ? planes[QPEL[k + 3]] : A, b0 = base + QPEL[k + 5] * ls + QPEL[k + 4];
  let s = 0;
  for (let y = 0, so = py * ws + px; y < h; y += 4, so += 4 * ws) {
    if (two) for (let x = 0; x < w; x += 4) s += satd4a(S, so + x, ws, A, a0 + y * ls + x, B, b0 + y * ls + x, ls);
    else for (let x = 0; x < w; x += 4) s += satd4(S, so + x, ws, A, a0 + y * ls + x, ls);
    if (s + add >= limit) return s;
  }
  return s;
}
// A bw x bh block (bh omitted: square); vectors are checked as for a max(bw, bh) square.
function motionSearch(px, py, bw, pmX, pmY, cands, nc, iters, bh) {
  if (bh === undefined) bh = bw;
  const bm = bw > bh ? bw : bh;
  sPx = px; sPy = py; sBw = bw; sBh = bh; sBm = bm; sPmX = pmX; sPmY = pmY; sPix = pmX >> 2; sPiy = pmY >> 2;
  sBx = 0; sBy = 0; sBc = INF;
  if (++meGen > 0x3fffffff) { meGen = 1; meSeen.fill(0); }
  tryInt(sPix, sPiy);
  for (let k = 0; k < nc; k++) tryInt((cands[2 * k] + 2) >> 2, (cands[2 * k + 1] + 2) >> 2);
  if (sBc === INF) { sBx = 0; sBy = 0; sBc = sadInt(px, py, bw, bh, 0, 0, INF, 0) + lambdaMe * mvCost(-pmX, -pmY); }
  if (ME_METHOD === 'hex') {
    for (let it = 0; it < iters; it++) {
      const cx = sBx, cy = sBy;
      for (let k = 0; k < 12; k += 2) tryInt(cx + HEX[k], cy + HEX[k + 1]);
      if (sBx === cx && sBy === cy) break;
    }
  }
  for (let it = 0; it < iters; it++) {
    const cx = sBx, cy = sBy;
    for (let k = 0; k < 8; k += 2) tryInt(cx + DIA[k], cy + DIA[k + 1]);
    if (sBx === cx && sBy === cy) break;
  }
  const bx = sBx, by = sBy;
  let mx = bx * 4, my = by * 4;
  mcLuma(px, py, mx, my, bw, bh, mePred, 0);
  let best = satdBlock(py * WP + px, mePred, 0, bw, bh) + lambdaMe * mvCost(mx - pmX, my - pmY);
  for (let lvl = 1; lvl <= SUBPEL_LEVEL; lvl++) {
    const st = lvl === 1 ? 2 : 1, cx = mx, cy = my, useC = CHROMA_ME && lvl === SUBPEL_LEVEL;
    if (useC) best += chromaSatd(px, py, bw, bh, mx, my);
    for (let k = 0; k < 16; k += 2) {
      const tx = cx + SUB8[k] * st, ty = cy + SUB8[k + 1] * st;
      if (!mvOk(px, py, bm, tx, ty)) continue;
      // Same sum as satd + chroma + bits, cut short once it cannot beat best (all terms are >= 0).
      const m = lambdaMe * mvCost(tx - pmX, ty - pmY);
      if (m >= best) continue;
      let sl = satdBlockLim(px, py, tx, ty, bw, bh, m, best);
      if (sl + m >= best) continue;
      if (useC) sl += chromaSatdLim(px, py, bw, bh, tx, ty, sl, m, best);
      const c = sl + m;
      if (c < best) { best = c; mx = tx; my = ty; }
    }
  }
  meX = mx; meY = my; meCost = best;
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START mode-decision
// Four 8x8 vectors per macroblock where motion is not uniform (better prediction, more vector bits;
// off costs +4.7 % on foreman).
const USE_8X8_PARTITIONS = true; // @evolve bool
// 16x8 and 8x16 partitions in P-pictures (sent in the header): two vectors where the four 8x8 ones split
// one way; the split with the larger vector difference across it is searched, kept by RD.
const RECT_PARTITIONS = true;    // @evolve bool
let pRect = true;
// Halves are tried only when the four 8x8 vectors differ; the split with the larger difference across it.
// RECT_SEARCH: a half's vector by a full search from the candidates (16x16 and its two 8x8 vectors);
// off: the best of those three candidates as they are (luma + chroma SATD + vector bits), much cheaper.
const RECT_SEARCH = false;       // @evolve bool
function rectSearch(px, py, bw, pmX, pmY, cands, bh) {
  if (RECT_SEARCH) { motionSearch(px, py, bw, pmX, pmY, cands, 3, 4, bh); return; }
  meCost = INF; meX = 0; meY = 0;
  for (let k = 0; k < 3; k++) {
    const mx = cands[2 * k], my = cands[2 * k + 1];
    if ((k === 1 && mx === cands[0] && my === cands[1]) || (k === 2 && mx === cands[2] && my === cands[3]) || !mvOk(px, py, 16, mx, my)) continue;
    mcLuma(px, py, mx, my, bw, bh, mePred, 0);
    let c = satdBlock(py * WP + px, mePred, 0, bw, bh) + lambdaMe * mvCost(mx - pmX, my - pmY);
    if (CHROMA_ME) c += chromaSatd(px, py, bw, bh, mx, my);
    if (c < meCost) { meCost = c; meX = mx; meY = my; }
  }
  if (meCost === INF) motionSearch(px, py, bw, pmX, pmY, cands, 3, 4, bh);
}
function rectSplit(sx, sy) {
  const dv = abs(sx[0] - sx[2]) + abs(sy[0] - sy[2]) + abs(sx[1] - sx[3]) + abs(sy[1] - sy[3]);
  const dh = abs(sx[0] - sx[1]) + abs(sy[0] - sy[1]) + abs(sx[2] - sx[3]) + abs(sy[2] - sy[3]);
  return dv + dh === 0 ? 0 : dv >= dh ? 1 : 2;
}
// ---- intra decisions (encoder side) ----
// How many of the 9 intra 4x4 modes to try (in order V, H, DC, DDL, DDR, VR, HD, VL, HU; DC and the
// most probable mode are always tried). Directional modes matter: 1 instead of 9 costs +15 %.
const INTRA4_MODES = 9;          // @evolve int 1 9
// Try intra 8x8 (needs TRANSFORM_8X8; encoder-only choice, the stream can always carry it).
const INTRA_8X8 = true;          // @evolve bool
// Try intra in P-frames when intra's SATD is below this multiple of the best inter SATD (0 = never;
// intra in P-frames is what rescues scene cuts and uncovered areas; 0 costs +1.4 % on foreman).
const INTRA_IN_P_RATIO = 1.0;    // @evolve float 0 3
// Intra chroma mode (DC/V/H/planar) chosen by the RD cost of coding it (off: by prediction SAD).
// Off by default: -0.2 to -0.7 % PSNR-YUV before B-frames, within noise (+-0.35) with them.
const CHROMA_MODE_RD = false;    // @evolve bool
// One chroma plane of a macroblock with the DC stage: transform the four blocks, code their DCs through
// the 2x2 Hadamard, then each block's AC (dropped per block when that lowers J). Returns SSD + lambda * bits.
const coefC = new Int32Array(64);
function codeChromaPlaneDc(mbx, mby, p, intra, co, so) {
  const src = p ? srcV : srcU, pred = p ? predV : predU, dst = p ? curV : curU, map = p ? nzV : nzU;
  const q = qpC, qb = q * 16, qbits = 15 + ((q / 6) | 0), f = floor((intra ? DEADZONE_INTRA : DEADZONE_INTER) * (1 << qbits));
  for (let b = 0; b < 4; b++) {
    const ox = (b & 1) * 4, oy = (b >> 1) * 4;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) res[y * 4 + x] = src[so + (oy + y) * CWP + ox + x] - pred[(oy + y) * 8 + ox + x];
    fdct4(res, coef);
    for (let i = 0; i < 16; i++) coefC[b * 16 + i] = coef[i];
  }
  const d0 = coefC[0], d1 = coefC[16], d2 = coefC[32], d3 = coefC[48];
  const hd = [d0 + d1 + d2 + d3, d0 - d1 + d2 - d3, d0 + d1 - d2 - d3, d0 - d1 - d2 + d3];
  const o = p * 16;
  let dcNz = 0;
  for (let i = 0; i < 4; i++) {
    const c = hd[i], a = ((c < 0 ? -c : c) * QMUL[qb] + 2 * f) >> (qbits + 1);
    mbCDc[o + i] = c < 0 ? -a : a;
    if (a) dcNz = 1;
  }
  let bits = bitCost(CTX_CBF + CAT_CDC * 3 + p, dcNz);
  if (dcNz) bits += blockCost(mbCDc, o, CAT_CDC);
  chromaDcDequant(p, q);
  let ssd = 0;
  for (let b = 0; b < 4; b++) {
    const ox = (b & 1) * 4, oy = (b >> 1) * 4, x4 = mbx * 2 + (b & 1), y4 = mby * 2 + (b >> 1), i = 16 + p * 4 + b;
    const off = i * 16, pOff = oy * 8 + ox, dOff = co + oy * CS + ox, sOff = so + oy * CWP + ox, dc = dcC[p * 4 + b];
    for (let k = 0; k < 16; k++) coef[k] = coefC[b * 16 + k];
    coef[0] = 0;
    let nz = 0;
    if (RDOQ) nz = rdoQuant(coef, q, mbLv, off, CAT_CHROMA);
    else for (let k = 0; k < 16; k++) {
      const pz = ZZ[k], c = coef[pz], a = ((c < 0 ? -c : c) * QMUL[qb + pz] + f) >> qbits;
      mbLv[off + k] = c < 0 ? -a : a;
      if (a) nz = 1;
    }
    const ci = cbfCtx(CAT_CHROMA, map, W8, x4, y4);
    let dZero = -1;
    if (nz && BLOCK_RDO) {
      reconBlockDc(zero16, 0, q, dc, pred, pOff, 8, dst, dOff, CS);
      dZero = ssdC(src, sOff, dst, dOff);
    }
    reconBlockDc(mbLv, off, q, dc, pred, pOff, 8, dst, dOff, CS);
    let d = ssdC(src, sOff, dst, dOff);
    if (nz) {
      const bCoded = bitCost(ci, 1) + blockCost(mbLv, off, CAT_CHROMA);
      if (dZero >= 0 && dZero + lambda * bitCost(ci, 0) <= d + lambda * bCoded) {
        for (let k = 0; k < 16; k++) mbLv[off + k] = 0;
        reconBlockDc(zero16, 0, q, dc, pred, pOff, 8, dst, dOff, CS);
        d = dZero; nz = 0; bits += bitCost(ci, 0);
      } else bits += bCoded;
    } else bits += bitCost(ci, 0);
    ssd += d;
    mbNz[i] = nz; map[y4 * W8 + x4] = nz;
  }
  mbCDcNz[p] = dcNz;
  return ssd + lambda * bits;
}
function ssdC(src, sOff, dst, dOff) {
  let s = 0;
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) { const d = src[sOff + y * CWP + x] - dst[dOff + y * CS + x]; s += d * d; }
  return s;
}
const mbCDcNz = new Uint8Array(2);
// Coded-block-pattern bits of the current candidate (one flag per luma 8x8 plus one for chroma).
function cbpOf() {
  let cbp = 0;
  for (let b = 0; b < 16; b++) if (mbNz[b]) cbp |= 1 << (((b >> 3) << 1) | ((b & 3) >> 1));
  for (let b = 16; b < 24; b++) if (mbNz[b]) cbp |= 16;
  if (chromaDc && (mbCDcNz[0] || mbCDcNz[1])) cbp |= 16;
  return cbp;
}
function cbpCtxLuma(mbx, mby, cbp, k) {
  const kx = k & 1, ky = k >> 1;
  const a = kx ? (cbp >> (k - 1)) & 1 : mbx > 0 ? (cbpMap[mby * MBW + mbx - 1] >> (k + 1)) & 1 : 0;
  const b = ky ? (cbp >> (k - 2)) & 1 : mby > 0 ? (cbpMap[(mby - 1) * MBW + mbx] >> (k + 2)) & 1 : 0;
  return CTX_CBP + a + 2 * b;
}
function cbpCtxChroma(mbx, mby) {
  return CTX_CBPC + (mbx > 0 ? (cbpMap[mby * MBW + mbx - 1] >> 4) & 1 : 0) + (mby > 0 ? (cbpMap[(mby - 1) * MBW + mbx] >> 4) & 1 : 0);
}
function cbpCost(mbx, mby, cbp) {
  let bits = 0;
  if (mbT8 === 2) bits = bitCost(cbf16Ctx(mbx, mby), cbp & 1); // one luma flag for a 16x16 transform
  else for (let k = 0; k < 4; k++) bits += bitCost(cbpCtxLuma(mbx, mby, cbp, k), (cbp >> k) & 1);
  return bits + bitCost(cbpCtxChroma(mbx, mby), cbp >> 4);
}
function mbCtx(mbx, mby, ctx, test) {
  let n = 0;
  if (mbx > 0 && test(mbType[mby * MBW + mbx - 1])) n++;
  if (mby > 0 && test(mbType[(mby - 1) * MBW + mbx])) n++;
  return ctx + n;
}
const isSkip = (t) => t === 0, isIntra = (t) => t >= 3;
function ssdMb(mbx, mby) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, so = mby * 16 * WP + mbx * 16;
  let s = 0;
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) { const d = srcY[so + y * WP + x] - curY[lo + y * LS + x]; s += d * d; }
  const co = COFF + mby * 8 * CS + mbx * 8, sc = mby * 8 * CWP + mbx * 8;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    const du = srcU[sc + y * CWP + x] - curU[co + y * CS + x], dv = srcV[sc + y * CWP + x] - curV[co + y * CS + x];
    s += du * du + dv * dv;
  }
  return s;
}

// Best candidate storage.
const bestRecY = new Uint8Array(256), bestRecU = new Uint8Array(64), bestRecV = new Uint8Array(64);
const bestLv = new Int16Array(24 * 16), bestDcLv = new Int16Array(16), bestNz = new Uint8Array(24), bestMode4 = new Uint8Array(16);
const bestMvX = new Int16Array(4), bestMvY = new Int16Array(4), bestCDc = new Int16Array(32), bestCDcNz = new Uint8Array(2);
const bestMv1X = new Int16Array(4), bestMv1Y = new Int16Array(4), bestSubDir = new Uint8Array(4);
let bestMerge = 0, bestPart = 0, bestJ = 0, bestType = 0, bestI16 = 0, bestCMode = 0, bestRef = 0, bestT8 = 0, bestDir = 1, bestDirect = 0;
function saveBest(mbx, mby, type, j) {
  bestJ = j; bestType = type; bestI16 = mbI16Mode; bestPart = type === 2 ? mbPart : 0; bestMerge = mbMerge; bestCMode = mbCMode; bestRef = mbRef;
  bestDir = mbDir; bestDirect = mbDirect; bestMv1X.set(mbMv1X); bestMv1Y.set(mbMv1Y); bestSubDir.set(mbSubDir);
  bestT8 = type !== 0 ? mbT8 : 0;
  const lo = LOFF + mby * 16 * LS + mbx * 16, co = COFF + mby * 8 * CS + mbx * 8;
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) bestRecY[y * 16 + x] = curY[lo + y * LS + x];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) { bestRecU[y * 8 + x] = curU[co + y * CS + x]; bestRecV[y * 8 + x] = curV[co + y * CS + x]; }
  bestCDc.set(mbCDc); bestCDcNz.set(mbCDcNz);
  bestLv.set(mbLv); bestDcLv.set(mbDcLv); bestNz.set(mbNz); bestMode4.set(mbMode4); bestMvX.set(mbMvX); bestMvY.set(mbMvY);
}
function restoreBest(mbx, mby) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, co = COFF + mby * 8 * CS + mbx * 8;
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) curY[lo + y * LS + x] = bestRecY[y * 16 + x];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) { curU[co + y * CS + x] = bestRecU[y * 8 + x]; curV[co + y * CS + x] = bestRecV[y * 8 + x]; }
  mbCDc.set(bestCDc); mbCDcNz.set(bestCDcNz);
  mbLv.set(bestLv); mbDcLv.set(bestDcLv); mbNz.set(bestNz); mbMode4.set(bestMode4); mbMvX.set(bestMvX); mbMvY.set(bestMvY);
  mbI16Mode = bestI16; mbCMode = bestCMode; mbRef = bestRef; mbT8 = bestT8; mbPart = bestPart; mbMerge = bestMerge;
  mbDir = bestDir; mbDirect = bestDirect; mbMv1X.set(bestMv1X); mbMv1Y.set(bestMv1Y); mbSubDir.set(bestSubDir);
}
// Writes the MB's maps (type, nz, modes, vectors, cbp) from the mb* state; shared with the decoder.
function commitMaps(mbx, mby, type) {
  const mb = mby * MBW + mbx;
  mbType[mb] = type;
  for (let b = 0; b < 16; b++) {
    const i = (mby * 4 + (b >> 2)) * W4 + mbx * 4 + (b & 3);
    nzL[i] = mbNz[b]; i4Mode[i] = type === 4 ? mbMode4[b] : !intraAng ? 2 : type === 3 ? mbI16Mode : 1;
  }
  for (let b = 0; b < 4; b++) {
    const i = (mby * 2 + (b >> 1)) * W8 + mbx * 2 + (b & 1);
    nzU[i] = mbNz[16 + b]; nzV[i] = mbNz[20 + b];
    const s = type === 2 ? b : 0, d = type >= 3 ? 0 : type === 2 && frameIsB ? mbSubDir[b] : mbDir;
    mvX[i] = d & 1 ? mbMvX[s] : 0; mvY[i] = d & 1 ? mbMvY[s] : 0;
    mvX1[i] = d & 2 ? mbMv1X[s] : 0; mvY1[i] = d & 2 ? mbMv1Y[s] : 0;
  }
  mbDirMap[mb] = type >= 3 ? 0 : mbDir;
  mbDirectMap[mb] = type === 0 || (type === 1 && mbDirect) ? 1 : 0;
  cbpMap[mb] = cbpOf();
  mbRefMap[mb] = type <= 2 && (mbDir & 1) ? mbRef : 0;
  mbT8Map[mb] = type !== 0 ? mbT8 : 0;
}

const cand = new Int16Array(16), subX = new Int16Array(4), subY = new Int16Array(4), sub1X = new Int16Array(4), sub1Y = new Int16Array(4);
const predI16 = new Uint8Array(256);
function tryInter16(mbx, mby, mx, my, type) {
  mbMvX[0] = mx; mbMvY[0] = my;
  interPredict(mbx, mby, false);
  return interResidualJ(mbx, mby, type);
}
// Inter luma with the 4x4 and 8x8 transforms; returns its J (flag bits included, pattern bits not).
function lumaInter48(mbx, mby) {
  let jl = codeLumaInter(mbx, mby);
  mbT8 = 0;
  if (transform8) {
    // Both transform sizes, the cheaper kept (the flag is coded only when luma has levels).
    const lo = LOFF + mby * 16 * LS + mbx * 16;
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) t8SaveRec[y * 16 + x] = curY[lo + y * LS + x];
    t8SaveLv.set(mbLv.subarray(0, 256)); t8SaveNz.set(mbNz.subarray(0, 16));
    const c4 = cbpOf() & 15, ctx = t8Ctx(mbx, mby);
    const j4 = jl + (c4 ? lambda * bitCost(ctx, 0) : 0);
    let j8 = codeLumaInter8(mbx, mby);
    const c8 = cbpOf() & 15;
    j8 += c8 ? lambda * bitCost(ctx, 1) : 0;
    if (j8 < j4) { jl = j8; mbT8 = c8 ? 1 : 0; }
    else {
      jl = j4;
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) curY[lo + y * LS + x] = t8SaveRec[y * 16 + x];
      mbLv.set(t8SaveLv); mbNz.set(t8SaveNz);
      for (let b = 0; b < 16; b++) nzL[(mby * 4 + (b >> 2)) * W4 + mbx * 4 + (b & 3)] = mbNz[b];
    }
  }
  return jl;
}
function interResidualJ(mbx, mby, type) {
  const jl = transform16 && type === 1 ? tryLuma16(mbx, mby, 0, lumaInter48) : lumaInter48(mbx, mby);
  const j = jl + codeChroma(mbx, mby, false);
  const cbp = cbpOf();
  if (frameIsB) return j + lambda * (bInterBits(mbx, mby, type) + cbpCost(mbx, mby, cbp));
  let bits = bitCost(mbCtx(mbx, mby, CTX_SKIP, isSkip), 0) + bitCost(mbCtx(mbx, mby, CTX_INTRA, isIntra), 0) + bitCost(CTX_PART, type === 2 ? 1 : 0);
  bits += cbpCost(mbx, mby, cbp);
  if (refsAvail > 1) bits += refCost(mbx, mby, mbRef);
  const mb = mby * MBW + mbx;
  if (type === 2 && pRect) bits += bitCost(CTX_PRECT, mbPart ? 1 : 0) + (mbPart ? bitCost(CTX_PRECT + 1, mbPart - 1) : 0);
  if (type === 1) { predMv(mbx * 2, mby * 2, 2, mb, 0); bits += mvCost(mbMvX[0] - pmx, mbMvY[0] - pmy); }
  else if (mbPart) for (let s = 0; s < 2; s++) {
    const i = mbPart === 1 ? 2 * s : s;
    predMvPart(mbx, mby, mbPart, s, mbRef); bits += mvCost(mbMvX[i] - pmx, mbMvY[i] - pmy);
    setPartMv(mbx, mby, mbPart, s, mbMvX[i], mbMvY[i]);
  }
  else for (let s = 0; s < 4; s++) {
    const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1);
    predMv(x8, y8, 1, mb, s); bits += mvCost(mbMvX[s] - pmx, mbMvY[s] - pmy);
    setMv8(x8, y8, 1, mbMvX[s], mbMvY[s]);
  }
  return j + lambda * bits;
}

// Intra chroma with the macroblock's luma already reconstructed: the chosen mode against chroma from
// luma (mode 4) and the luma mode dm (mode 5, CHROMA_DM; tried where its SAD is within 25 % of the chosen
// mode's), the cheapest kept. Returns SSD + lambda * bits (the 2 mode bits are counted by the caller).
function chromaSad(mbx, mby) {
  const sc = mby * 8 * CWP + mbx * 8;
  let s = 0;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) s += abs(srcU[sc + y * CWP + x] - predU[y * 8 + x]) + abs(srcV[sc + y * CWP + x] - predV[y * 8 + x]);
  return s;
}
function codeChromaIntra(mbx, mby, cmode, dm) {
  const dmOn = CHROMA_DM && intraAng, cfl = chromaCfl && (mbx > 0 || mby > 0);
  let bj = INF, bm = cmode, last = -1, sc = 0;
  cDm = dm;
  for (let c = 0; c < 3; c++) {
    const m = c === 0 ? cmode : c === 1 ? 4 : 5;
    if ((m === 4 && !cfl) || (m === 5 && !dmOn)) continue;
    chromaIntraPred(mbx, mby, m);
    if (m === 5 && chromaSad(mbx, mby) * 4 > sc * 5) continue; // DM by RD only where its SAD is close
    if (c === 0 && dmOn) sc = chromaSad(mbx, mby);
    const bits = m === 5 ? bitCost(CTX_CDM, 1) - 2 : (dmOn ? bitCost(CTX_CDM, 0) : 0) + (cfl ? bitCost(CTX_CFL, m === 4 ? 1 : 0) - (m === 4 ? 2 : 0) : 0);
    const jm = codeChroma(mbx, mby, true) + lambda * bits;
    last = m;
    if (jm < bj) { bj = jm; bm = m; }
  }
  mbCMode = bm;
  if (last !== bm) { chromaIntraPred(mbx, mby, bm); codeChroma(mbx, mby, true); }
  return bj;
}
const t8SaveRec = new Uint8Array(256), t8SaveLv = new Int16Array(256), t8SaveNz = new Uint8Array(16);
function tryIntra16(mbx, mby, mode, cmode) {
  lumaPred16(mode, mbx, mby, predL);
  mbI16Mode = mode; mbCMode = cmode; mbT8 = 0;
  let j = transform16 ? tryLuma16(mbx, mby, 1, codeI16Luma) : codeI16Luma(mbx, mby);
  j += codeChromaIntra(mbx, mby, cmode, mode);
  if (intraAng) angMpm(mbx * 4, mby * 4);
  const bits = intraTypeBits(mbx, mby, 0) + (intraAng ? angBits(mode, 2) : 2) + 2 + cbpCost(mbx, mby, cbpOf());
  return j + lambda * bits;
}
// Intra 16x16 residual: transform all 16 blocks, code their DCs through the Hadamard stage, then
// each block's 15 AC levels (dropped per block when that lowers J). Returns SSD + lambda * bits.
const coefAll = new Int32Array(256);
function codeI16Luma(mbx, mby) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, so = mby * 16 * WP + mbx * 16;
  const qb = qp * 16, qbits = 15 + ((qp / 6) | 0), f = floor(DEADZONE_INTRA * (1 << qbits));
  for (let b = 0; b < 16; b++) {
    const ox = (b & 3) * 4, oy = (b >> 2) * 4;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) res[y * 4 + x] = srcY[so + (oy + y) * WP + ox + x] - predL[(oy + y) * 16 + ox + x];
    fdct4(res, coef);
    for (let i = 0; i < 16; i++) coefAll[b * 16 + i] = coef[i];
    dcY[b] = coef[0];
  }
  hadamard4(dcY);
  let dcNz = 0;
  for (let i = 0; i < 16; i++) {
    const c = dcY[ZZ[i]] >> 1, a = ((c < 0 ? -c : c) * QMUL[qb] + 2 * f) >> (qbits + 1);
    mbDcLv[i] = c < 0 ? -a : a;
    if (a) dcNz = 1;
  }
  let bits = bitCost(CTX_CBF + CAT_I16DC * 3, dcNz);
  if (dcNz) bits += blockCost(mbDcLv, 0, CAT_I16DC);
  dcDequant(qp);
  let ssd = 0;
  for (let b = 0; b < 16; b++) {
    const ox = (b & 3) * 4, oy = (b >> 2) * 4, x4 = mbx * 4 + (b & 3), y4 = mby * 4 + (b >> 2);
    const off = b * 16, pOff = oy * 16 + ox, dOff = lo + oy * LS + ox, sOff = so + oy * WP + ox;
    let nz = 0;
    mbLv[off] = 0;
    for (let i = 1; i < 16; i++) {
      const p = ZZ[i], c = coefAll[b * 16 + p];
      const a = ((c < 0 ? -c : c) * QMUL[qb + p] + f) >> qbits;
      mbLv[off + i] = c < 0 ? -a : a;
      if (a) nz = 1;
    }
    const ci = cbfCtx(CAT_I16AC, nzL, W4, x4, y4);
    let dZero = -1;
    if (nz && BLOCK_RDO) {
      // Distortion with the AC dropped (DC only), to compare against coding them.
      reconBlockDc(zero16, 0, qp, dcY[b], predL, pOff, 16, curY, dOff, LS);
      dZero = ssd4(sOff, dOff);
    }
    reconBlockDc(mbLv, off, qp, dcY[b], predL, pOff, 16, curY, dOff, LS);
    let d = ssd4(sOff, dOff);
    if (nz) {
      const bCoded = bitCost(ci, 1) + blockCost(mbLv, off, CAT_I16AC);
      if (dZero >= 0 && dZero + lambda * bitCost(ci, 0) <= d + lambda * bCoded) {
        for (let i = 1; i < 16; i++) mbLv[off + i] = 0;
        reconBlockDc(mbLv, off, qp, dcY[b], predL, pOff, 16, curY, dOff, LS);
        d = dZero; nz = 0; bits += bitCost(ci, 0);
      } else bits += bCoded;
    } else bits += bitCost(ci, 0);
    ssd += d;
    mbNz[b] = nz; nzL[y4 * W4 + x4] = nz;
  }
  return ssd + lambda * bits;
}
const zero16 = new Int16Array(16);
function ssd4(sOff, dOff) {
  let s = 0;
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) { const d = srcY[sOff + y * WP + x] - curY[dOff + y * LS + x]; s += d * d; }
  return s;
}
function intraTypeBits(mbx, mby, i4) {
  let bits = bitCost(CTX_I4FLAG + (frameIsP ? 1 : 0), i4);
  if (frameIsB) bits += bitCost(mbCtx(mbx, mby, CTX_BSKIP, isSkip), 0) + bitCost(mbCtx(mbx, mby, CTX_BINTRA, isIntra), 1);
  else if (frameIsP) bits += bitCost(mbCtx(mbx, mby, CTX_SKIP, isSkip), 0) + bitCost(mbCtx(mbx, mby, CTX_INTRA, isIntra), 1);
  return bits;
}
function mpmOf(x4, y4) {
  const a = x4 > 0 ? i4Mode[y4 * W4 + x4 - 1] : 2, b = y4 > 0 ? i4Mode[(y4 - 1) * W4 + x4] : 2;
  return a < b ? a : b;
}
// Angular mode choice (INTRA_ANGULAR) on the reference angRef built: SATD + lambda * mode bits over
// planar, DC, H, V and the MPMs (angSearch), then (angRefine) every ANG_STEP-th angle and around the best
// angle with halving steps (16x16 stops after angSearch: it rarely wins). In intra pictures the ANG_RD
// best 4x4/8x8 modes by SATD (angCm) are then coded in full and chosen by RD cost.
const ANG_STEP = 4;              // @evolve int 1 8
const ANG_RD = 4;                // @evolve int 1 8
const angDone = new Uint8Array(35), angCm = new Uint8Array(8), angCc = new Float64Array(8);
let angBm = 1, angBc = INF, angNc = 0;
function angTry(m, n, c, sOff, tmp, pOff) {
  if (angDone[m]) return;
  angDone[m] = 1;
  angPred(m, tmp, pOff);
  const v = (n === 4 ? satd4(srcY, sOff, WP, tmp, pOff, 16) : satdBlock(sOff, tmp, pOff, n, n)) + lambdaMe * angBits(m, c);
  const nk = n === 16 || frameIsP ? 1 : max(1, min(8, ANG_RD));
  if (angNc === nk && v >= angCc[nk - 1]) return;
  let k = angNc < nk ? angNc++ : nk - 1;
  for (; k > 0 && angCc[k - 1] > v; k--) { angCc[k] = angCc[k - 1]; angCm[k] = angCm[k - 1]; }
  angCc[k] = v; angCm[k] = m; angBc = angCc[0]; angBm = angCm[0];
}
function angSearch(n, c, sOff, tmp, pOff) {
  angDone.fill(0); angBc = INF; angBm = 1; angNc = 0;
  angTry(0, n, c, sOff, tmp, pOff); angTry(1, n, c, sOff, tmp, pOff); angTry(10, n, c, sOff, tmp, pOff); angTry(26, n, c, sOff, tmp, pOff);
  for (let k = 0; k < 3; k++) angTry(mpmL[k], n, c, sOff, tmp, pOff);
  return angBm;
}
// RD candidates far behind the best by SATD are dropped.
function angPrune() { while (angNc > 1 && angCc[angNc - 1] > angCc[0] * 1.25 + 4 * lambdaMe) angNc--; }
function angRefine(n, c, sOff, tmp, pOff) {
  const st = max(1, ANG_STEP);
  for (let m = 2; m < 35; m += st) angTry(m, n, c, sOff, tmp, pOff);
  for (let d = st >> 1; d > 0; d >>= 1) {
    const b = angBm;
    if (b < 2) break;
    if (b - d >= 2) angTry(b - d, n, c, sOff, tmp, pOff);
    if (b + d <= 34) angTry(b + d, n, c, sOff, tmp, pOff);
  }
  return angBm;
}
// The RD winner's reconstruction and levels, kept so that it needs no second coding.
const angSvL = new Int16Array(64), angSvY = new Uint8Array(64);
let angSvNz = 0;
function angKeep(dOff, off, n, back) {
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
    if (back) curY[dOff + y * LS + x] = angSvY[y * n + x]; else angSvY[y * n + x] = curY[dOff + y * LS + x];
  }
  if (back) for (let i = 0; i < n * n; i++) mbLv[off + i] = angSvL[i]; else for (let i = 0; i < n * n; i++) angSvL[i] = mbLv[off + i];
}
const predI4 = new Uint8Array(256);
function tryIntra4(mbx, mby, cmode) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, so = mby * 16 * WP + mbx * 16;
  mbCMode = cmode;
  let j = 0, bits = 0;
  for (let b = 0; b < 16; b++) {
    const ox = (b & 3) * 4, oy = (b >> 2) * 4, x4 = mbx * 4 + (b & 3), y4 = mby * 4 + (b >> 2);
    let bm = 2, bc = INF, jb = -1;
    if (intraAng) {
      angMpm(x4, y4); angRef4(mbx * 16 + ox, mby * 16 + oy);
      bm = angSearch(4, 0, so + oy * WP + ox, predI4, oy * 16 + ox);
      if (INTRA4_MODES >= 9) bm = angRefine(4, 0, so + oy * WP + ox, predI4, oy * 16 + ox);
      angPrune();
      for (let k = 0; k < angNc && angNc > 1; k++) {
        angPred(angCm[k], predL, oy * 16 + ox);
        const jk = codeBlock(srcY, so + oy * WP + ox, WP, predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS, qp, true, 0,
          cbfCtx(0, nzL, W4, x4, y4), mbLv, b * 16), mb = angBits(angCm[k], 0);
        if (jb < 0 || jk + lambda * mb < jb + lambda * bc) { jb = jk; bc = mb; bm = angCm[k]; angSvNz = blkNz; if (k < angNc - 1) angKeep(lo + oy * LS + ox, b * 16, 4, false); }
        else if (k === angNc - 1) { angKeep(lo + oy * LS + ox, b * 16, 4, true); blkNz = angSvNz; }
      }
      if (jb < 0) angPred(bm, predL, oy * 16 + ox);
      bits += angBits(bm, 0);
    } else {
      const mpm = mpmOf(x4, y4);
      for (let m = 0; m < 9; m++) {
        if (m >= INTRA4_MODES && m !== mpm && m !== 2) continue;
        intra4Pred(m, mbx * 16 + ox, mby * 16 + oy, predI4, oy * 16 + ox);
        const c = satd4(srcY, so + oy * WP + ox, WP, predI4, oy * 16 + ox, 16) + lambdaMe * (m === mpm ? 1 : 4);
        if (c < bc) { bc = c; bm = m; }
      }
      intra4Pred(bm, mbx * 16 + ox, mby * 16 + oy, predL, oy * 16 + ox);
      bits += bm === mpm ? bitCost(CTX_I4MPM, 1) : bitCost(CTX_I4MPM, 0) + 3;
    }
    mbMode4[b] = bm; i4Mode[y4 * W4 + x4] = bm;
    j += jb >= 0 ? jb : codeBlock(srcY, so + oy * WP + ox, WP, predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS, qp, true, 0,
      cbfCtx(0, nzL, W4, x4, y4), mbLv, b * 16);
    mbNz[b] = blkNz; nzL[y4 * W4 + x4] = blkNz;
    if (j + lambda * bits > bestJ) return INF; // J only grows: this candidate has lost already
  }
  j += codeChromaIntra(mbx, mby, cmode, mbMode4[0]);
  bits += intraTypeBits(mbx, mby, 1) + 2 + cbpCost(mbx, mby, cbpOf());
  return j + lambda * bits;
}

// One intra 8x8 block's residual (prediction in predL): 8x8 transform, quantisation, kept when that
// lowers J. Returns SSD + lambda * level bits; i8Coded tells whether levels were kept.
let i8Coded = 0;
function codeIntra8(sOff, pOff, dOff, off) {
  const q = qp, nz = quant8Block(sOff, pOff, off, DEADZONE_INTRA), ssdZero = ssd8Zero;
  let jk = ssdZero;
  i8Coded = 0;
  if (nz) {
    recon8(mbLv, off, q, predL, pOff, 16, curY, dOff, LS);
    let ssd = 0;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) { const d = srcY[sOff + y * WP + x] - curY[dOff + y * LS + x]; ssd += d * d; }
    const jc = ssd + lambda * blockCost8(mbLv, off);
    if (!BLOCK_RDO || jc < ssdZero) { jk = jc; i8Coded = 1; }
  }
  if (!i8Coded) { for (let i = 0; i < 64; i++) mbLv[off + i] = 0; copyBlock(predL, pOff, 16, curY, dOff, LS, 8); }
  return jk;
}
// Intra 8x8: per 8x8 block the mode by SATD (most probable mode cheaper), then the 8x8 transform.
const predI8 = new Uint8Array(256);
function tryIntra8(mbx, mby, cmode) {
  const lo = LOFF + mby * 16 * LS + mbx * 16, so = mby * 16 * WP + mbx * 16;
  mbCMode = cmode; mbT8 = 1;
  let j = 0, bits = 0;
  for (let k = 0; k < 4; k++) {
    const ox = (k & 1) * 8, oy = (k >> 1) * 8, x4 = mbx * 4 + (ox >> 2), y4 = mby * 4 + (oy >> 2);
    const pOff = oy * 16 + ox, dOff = lo + oy * LS + ox, sOff = so + oy * WP + ox, off = k * 64;
    let bm = 2, bc = INF, jb = -1;
    if (intraAng) {
      angMpm(x4, y4); angRef8(mbx * 16 + ox, mby * 16 + oy);
      angSearch(8, 1, sOff, predI8, pOff);
      bm = INTRA4_MODES >= 9 ? angRefine(8, 1, sOff, predI8, pOff) : angBm;
      angPrune();
      for (let c = 0; c < angNc && angNc > 1; c++) {
        angPred(angCm[c], predL, pOff);
        const jc = codeIntra8(sOff, pOff, dOff, off), mb = angBits(angCm[c], 1);
        if (jb < 0 || jc + lambda * mb < jb + lambda * bc) { jb = jc; bc = mb; bm = angCm[c]; angSvNz = i8Coded; if (c < angNc - 1) angKeep(dOff, off, 8, false); }
        else if (c === angNc - 1) { angKeep(dOff, off, 8, true); i8Coded = angSvNz; }
      }
      if (jb < 0) angPred(bm, predL, pOff);
      bits += angBits(bm, 1);
    } else {
      const mpm = mpmOf(x4, y4);
      for (let m = 0; m < 9; m++) {
        if (m >= INTRA4_MODES && m !== mpm && m !== 2) continue;
        intra8Pred(m, mbx * 16 + ox, mby * 16 + oy, predI8, pOff);
        const c = satdBlock(sOff, predI8, pOff, 8, 8) + lambdaMe * (m === mpm ? 1 : 4);
        if (c < bc) { bc = c; bm = m; }
      }
      intra8Pred(bm, mbx * 16 + ox, mby * 16 + oy, predL, pOff);
      bits += bm === mpm ? bitCost(CTX_I4MPM, 1) : bitCost(CTX_I4MPM, 0) + 3;
    }
    for (let s = 0; s < 4; s++) {
      const b = ((oy >> 2) + (s >> 1)) * 4 + (ox >> 2) + (s & 1);
      mbMode4[b] = bm; i4Mode[(y4 + (s >> 1)) * W4 + x4 + (s & 1)] = bm;
    }
    const jk = jb >= 0 ? jb : codeIntra8(sOff, pOff, dOff, off), coded = i8Coded;
    for (let s = 0; s < 4; s++) {
      const bx = (ox >> 2) + (s & 1), by = (oy >> 2) + (s >> 1);
      mbNz[by * 4 + bx] = coded; nzL[(mby * 4 + by) * W4 + mbx * 4 + bx] = coded;
    }
    j += jk;
    if (j + lambda * bits > bestJ) return INF;
  }
  j += codeChromaIntra(mbx, mby, cmode, mbMode4[0]);
  bits += intraTypeBits(mbx, mby, 1) + bitCost(CTX_I8FLAG + (frameIsP ? 1 : 0), 1) + 2 + cbpCost(mbx, mby, cbpOf());
  return j + lambda * bits;
}

// ---- B-frame macroblocks (encoder side) ----
// Candidates: B-skip (direct prediction, no residual) and direct with residual by full RD; list 0
// (every reference), list 1 and their average compared by SATD + lambda * bits, the best of the three
// by full RD. Bi-prediction reuses the two single-list vectors (no joint search: cheap).
const predB0 = new Uint8Array(256), predB1 = new Uint8Array(256), predBi = new Uint8Array(256);
function bInterBits(mbx, mby, type) {
  const mb = mby * MBW + mbx;
  let bits = bitCost(mbCtx(mbx, mby, CTX_BSKIP, isSkip), 0) + bitCost(mbCtx(mbx, mby, CTX_BINTRA, isIntra), 0) + bitCost(bDirectCtx(mbx, mby), mbDirect);
  if (mbDirect) return bits + (mergeN > 1 ? mergeBits(mbMerge) : 0);
  bits += bitCost(CTX_PART, type === 2 ? 1 : 0);
  if (type === 2 && pRect) bits += bitCost(CTX_BRECT, mbPart ? 1 : 0) + (mbPart ? bitCost(CTX_BRECT + 1, mbPart - 1) : 0);
  if (type === 2 && mbPart) {
    // B 16x8/8x16: per half its direction, the list-0 reference, per half its vectors.
    for (let s = 0; s < 2; s++) bits += bDirBits(mbSubDir[mbPart === 1 ? 2 * s : s]);
    if ((mbDir & 1) && refsAvail > 1) bits += refCost(mbx, mby, mbRef);
    for (let s = 0; s < 2; s++) {
      const t = mbPart === 1 ? 2 * s : s, d = mbSubDir[t];
      if (d & 1) { predMvPart(mbx, mby, mbPart, s, mbRef, false); bits += mvCost(mbMvX[t] - pmx, mbMvY[t] - pmy); }
      if (d & 2) { predMvPart(mbx, mby, mbPart, s, 0, true); bits += mvCost(mbMv1X[t] - pmx, mbMv1Y[t] - pmy); }
      setPartMvB(mbx, mby, mbPart, s, d, mbMvX[t], mbMvY[t], mbMv1X[t], mbMv1Y[t]);
    }
    return bits;
  }
  if (type === 2) {
    for (let s = 0; s < 4; s++) bits += bDirBits(mbSubDir[s]);
    if ((mbDir & 1) && refsAvail > 1) bits += refCost(mbx, mby, mbRef);
    for (let s = 0; s < 4; s++) {
      const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1), d = mbSubDir[s];
      if (d & 1) { predMv(x8, y8, 1, mb, s); bits += mvCost(mbMvX[s] - pmx, mbMvY[s] - pmy); }
      if (d & 2) { predMv1(x8, y8, 1, mb, s); bits += mvCost(mbMv1X[s] - pmx, mbMv1Y[s] - pmy); }
      setMvB8(x8, y8, d, s);
    }
    return bits;
  }
  bits += bDirBits(mbDir);
  if (mbDir & 1) {
    if (refsAvail > 1) bits += refCost(mbx, mby, mbRef);
    predMv(mbx * 2, mby * 2, 2, mb, 0); bits += mvCost(mbMvX[0] - pmx, mbMvY[0] - pmy);
  }
  if (mbDir & 2) { predMv1(mbx * 2, mby * 2, 2, mb, 0); bits += mvCost(mbMv1X[0] - pmx, mbMv1Y[0] - pmy); }
  return bits;
}
// Merge: the best candidate by luma SATD + index bits, made current (-1: none usable).
const MERGE_CANDS = 4;           // @evolve int 1 4
// Merge's temporal candidate (co-located motion scaled by distance; sent in the header).
const MERGE_TEMPORAL = true;     // @evolve bool
function mergeChoose(mbx, mby) {
  mergeList(mbx, mby);
  if (mgCount === 0) return -1;
  let bk = 0, bc = INF;
  const so = mby * 16 * WP + mbx * 16;
  if (mgCount > 1) for (let k = 0; k < mgCount; k++) {
    const d = mgDir[k], px = mbx * 16, py = mby * 16, m = lambdaMe * mergeBits(k);
    if (m >= bc) continue;
    if (d & 1) { useRef(mgRef[k]); mcLuma(px, py, mg0x[k], mg0y[k], 16, 16, predL, 0); }
    if (d & 2) { useRef1(0); mcLuma(px, py, mg1x[k], mg1y[k], 16, 16, d & 1 ? predL1 : predL, 0); if (d & 1) avgInto(predL, predL1, 256); }
    let sa = 0;
    for (let y = 0; y < 16 && sa + m < bc; y += 4) for (let x = 0; x < 16; x += 4) sa += satd4(srcY, so + y * WP + x, WP, predL, y * 16 + x, 16);
    const c = sa + m;
    if (c < bc) { bc = c; bk = k; }
  }
  mgUse(bk);
  return bk;
}
// List-0 references searched in B-pictures (nearest first; the reference index is still coded):
// fewer is faster, and with list 1 and bi-prediction available the farther ones rarely win.
const B_SEARCH_REFS = 1;         // @evolve int 1 4
function searchB(mbx, mby) {
  const mb = mby * MBW + mbx, px = mbx * 16, py = mby * 16, so = py * WP + px;
  mbRef = 0; mbDirect = 1; mbT8 = 0;
  directMvs(mbx, mby);
  let interSatd = INF, mk = -2;
  if (mergeN > 1) mk = mergeChoose(mbx, mby);
  if (mk >= 0 || (mk === -2 && (!(dDir & 1) || mvOk(px, py, 16, dMv0x, dMv0y)) && (!(dDir & 2) || mvOk(px, py, 16, dMv1x, dMv1y)))) {
    if (mk === -2) { mbDir = dDir; mbMvX[0] = dMv0x; mbMvY[0] = dMv0y; mbMv1X[0] = dMv1x; mbMv1Y[0] = dMv1y; mbMerge = 0; }
    interPredict(mbx, mby, false);
    interSatd = satdBlock(so, predL, 0, 16, 16);
    const lo = LOFF + py * LS + px;
    copyBlock(predL, 0, 16, curY, lo, LS, 16);
    copyBlock(predU, 0, 8, curU, COFF + mby * 8 * CS + mbx * 8, CS, 8);
    copyBlock(predV, 0, 8, curV, COFF + mby * 8 * CS + mbx * 8, CS, 8);
    mbNz.fill(0); mbCDc.fill(0); mbCDcNz.fill(0);
    saveBest(mbx, mby, 0, ssdMb(mbx, mby) + lambda * (bitCost(mbCtx(mbx, mby, CTX_BSKIP, isSkip), 1) + (mergeN > 1 ? mergeBits(mbMerge) : 0)));
    if (FAST_BSKIP && skipResidualZero(mbx, mby)) { mbEarlySkip = true; return interSatd; }
    const j = interResidualJ(mbx, mby, 1);
    if (j < bestJ) saveBest(mbx, mby, 1, j);
  }
  mbDirect = 0;
  let nc = 0;
  const i8 = mby * 2 * W8 + mbx * 2;
  const addCand = (ax, ay, i) => { cand[2 * nc] = ax[i]; cand[2 * nc + 1] = ay[i]; nc++; };
  // List 0: every past reference.
  predMv(mbx * 2, mby * 2, 2, mb, 0);
  const p0x = pmx, p0y = pmy;
  cand[0] = 0; cand[1] = 0; nc = 1;
  if (mbx > 0) addCand(mvX, mvY, i8 - 1);
  if (mby > 0) addCand(mvX, mvY, i8 - W8);
  if (mby > 0 && mbx + 1 < MBW) addCand(mvX, mvY, i8 - W8 + 2);
  cand[2 * nc] = dMv0x; cand[2 * nc + 1] = dMv0y; nc++;
  let m0x = 0, m0y = 0, c0 = INF, r0 = 0;
  for (let r = 0; r < refsAvail && r < B_SEARCH_REFS; r++) {
    useRef(r);
    motionSearch(px, py, 16, p0x, p0y, cand, nc, SEARCH_RANGE);
    const c = meCost + (refsAvail > 1 ? lambdaMe * refCost(mbx, mby, r) : 0);
    if (c < c0) { c0 = c; m0x = meX; m0y = meY; r0 = r; }
  }
  useRef(r0); mcLuma(px, py, m0x, m0y, 16, 16, predB0, 0);
  // List 1: the future reference; the list-0 vector mirrored by the distances is a candidate.
  predMv1(mbx * 2, mby * 2, 2, mb, 0);
  const p1x = pmx, p1y = pmy, d0 = curPoc - refs[r0].poc, d1 = refs1[0].poc - curPoc;
  cand[0] = 0; cand[1] = 0; nc = 1;
  if (mbx > 0) addCand(mvX1, mvY1, i8 - 1);
  if (mby > 0) addCand(mvX1, mvY1, i8 - W8);
  if (mby > 0 && mbx + 1 < MBW) addCand(mvX1, mvY1, i8 - W8 + 2);
  cand[2 * nc] = dMv1x; cand[2 * nc + 1] = dMv1y; nc++;
  cand[2 * nc] = round(-m0x * d1 / d0); cand[2 * nc + 1] = round(-m0y * d1 / d0); nc++;
  useRef1(0);
  motionSearch(px, py, 16, p1x, p1y, cand, nc, SEARCH_RANGE);
  const m1x = meX, m1y = meY, c1 = meCost + lambdaMe * bDirBits(2);
  mcLuma(px, py, m1x, m1y, 16, 16, predB1, 0);
  c0 += lambdaMe * bDirBits(1);
  for (let i = 0; i < 256; i++) predBi[i] = (predB0[i] + predB1[i] + 1) >> 1;
  let cb = satdBlock(so, predBi, 0, 16, 16) + lambdaMe * (mvCost(m0x - p0x, m0y - p0y) + mvCost(m1x - p1x, m1y - p1y) + bDirBits(3)
    + (refsAvail > 1 ? refCost(mbx, mby, r0) : 0));
  if (CHROMA_ME) {
    // The single-list costs include chroma SATD (CHROMA_ME): so does the average's.
    const cx = mbx * 8, cy = mby * 8, sc = cy * CWP + cx;
    useRef(r0); mcChroma(refU, cx, cy, m0x, m0y, 8, 8, predU, 0); mcChroma(refV, cx, cy, m0x, m0y, 8, 8, predV, 0);
    useRef1(0); mcChroma(refU, cx, cy, m1x, m1y, 8, 8, predU1, 0); mcChroma(refV, cx, cy, m1x, m1y, 8, 8, predV1, 0);
    avgInto(predU, predU1, 64); avgInto(predV, predV1, 64);
    for (let y = 0; y < 8; y += 4) for (let x = 0; x < 8; x += 4) {
      cb += satd4(srcU, sc + y * CWP + x, CWP, predU, y * 8 + x, 8) + satd4(srcV, sc + y * CWP + x, CWP, predV, y * 8 + x, 8);
    }
  }
  mbDir = cb <= c0 && cb <= c1 ? 3 : c0 <= c1 ? 1 : 2;
  mbRef = mbDir & 1 ? r0 : 0;
  mbMvX[0] = m0x; mbMvY[0] = m0y; mbMv1X[0] = m1x; mbMv1Y[0] = m1y;
  interPredict(mbx, mby, false);
  const j = interResidualJ(mbx, mby, 1);
  if (j < bestJ) saveBest(mbx, mby, 1, j);
  const c16 = min(c0, c1, cb);
  // Four 8x8 blocks, each with its own direction (list 0 on the 16x16 reference, list 1 or both),
  // searched around the 16x16 vectors; tried when the best so far is coded with luma residual.
  if (USE_8X8_PARTITIONS && B_PARTITIONS && bestType !== 0 && (cbpOf() & 15) !== 0) {
    let c8 = 0, du = 0;
    for (let s = 0; s < 4; s++) {
      const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1), ox = (s & 1) * 8, oy = (s >> 1) * 8, sx = px + ox, sy = py + oy;
      useRef(r0); predMv(x8, y8, 1, mb, s);
      const q0x = pmx, q0y = pmy;
      cand[0] = m0x; cand[1] = m0y;
      motionSearch(sx, sy, 8, q0x, q0y, cand, 1, 4);
      const a0x = meX, a0y = meY, e0 = meCost + lambdaMe * bDirBits(1);
      mcLuma(sx, sy, a0x, a0y, 8, 8, predB0, 0);
      useRef1(0); predMv1(x8, y8, 1, mb, s);
      const q1x = pmx, q1y = pmy;
      cand[0] = m1x; cand[1] = m1y;
      motionSearch(sx, sy, 8, q1x, q1y, cand, 1, 4);
      const a1x = meX, a1y = meY, e1 = meCost + lambdaMe * bDirBits(2);
      mcLuma(sx, sy, a1x, a1y, 8, 8, predB1, 0);
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) predBi[y * 16 + x] = (predB0[y * 16 + x] + predB1[y * 16 + x] + 1) >> 1;
      let eb = satdBlock(sy * WP + sx, predBi, 0, 8, 8) + lambdaMe * (mvCost(a0x - q0x, a0y - q0y) + mvCost(a1x - q1x, a1y - q1y) + bDirBits(3));
      if (CHROMA_ME) {
        const cx = sx >> 1, cy = sy >> 1, sc = cy * CWP + cx;
        useRef(r0); mcChroma(refU, cx, cy, a0x, a0y, 4, 4, predU, 0); mcChroma(refV, cx, cy, a0x, a0y, 4, 4, predV, 0);
        useRef1(0); mcChroma(refU, cx, cy, a1x, a1y, 4, 4, predU1, 0); mcChroma(refV, cx, cy, a1x, a1y, 4, 4, predV1, 0);
        avgInto(predU, predU1, 32); avgInto(predV, predV1, 32);
        eb += satd4(srcU, sc, CWP, predU, 0, 8) + satd4(srcV, sc, CWP, predV, 0, 8);
      }
      const d = eb <= e0 && eb <= e1 ? 3 : e0 <= e1 ? 1 : 2;
      mbSubDir[s] = d; du |= d; c8 += d === 3 ? eb : d === 1 ? e0 : e1;
      mbMvX[s] = a0x; mbMvY[s] = a0y; mbMv1X[s] = a1x; mbMv1Y[s] = a1y;
      setMvB8(x8, y8, d, s);
    }
    if (c8 < c16) {
      mbDir = du; mbRef = du & 1 ? r0 : 0;
      interPredict(mbx, mby, true);
      const j8 = interResidualJ(mbx, mby, 2);
      if (j8 < bestJ) saveBest(mbx, mby, 2, j8);
    }
    // 16x8 / 8x16 (as in P-pictures: the split from the 8x8 list-0 vectors), each half list 0, 1 or both.
    const sx = subX, sy = subY, tx = sub1X, ty = sub1Y;
    sx.set(mbMvX); sy.set(mbMvY); tx.set(mbMv1X); ty.set(mbMv1Y);
    const part = pRect ? rectSplit(sx, sy) : 0;
    if (part) {
      const bw = part === 1 ? 16 : 8, bh = part === 1 ? 8 : 16;
      let cr = 0, du = 0;
      for (let s = 0; s < 2; s++) {
        const t = part === 1 ? 2 * s : s, u = part === 1 ? 2 * s + 1 : s + 2, sxp = px + (part === 2 ? s * 8 : 0), syp = py + (part === 1 ? s * 8 : 0);
        useRef(r0); predMvPart(mbx, mby, part, s, r0, false);
        const q0x = pmx, q0y = pmy;
        cand[0] = m0x; cand[1] = m0y; cand[2] = sx[t]; cand[3] = sy[t]; cand[4] = sx[u]; cand[5] = sy[u];
        rectSearch(sxp, syp, bw, q0x, q0y, cand, bh);
        const a0x = meX, a0y = meY, e0 = meCost + lambdaMe * bDirBits(1);
        mcLuma(sxp, syp, a0x, a0y, bw, bh, predB0, 0);
        useRef1(0); predMvPart(mbx, mby, part, s, 0, true);
        const q1x = pmx, q1y = pmy;
        cand[0] = m1x; cand[1] = m1y; cand[2] = tx[t]; cand[3] = ty[t]; cand[4] = tx[u]; cand[5] = ty[u];
        rectSearch(sxp, syp, bw, q1x, q1y, cand, bh);
        const a1x = meX, a1y = meY, e1 = meCost + lambdaMe * bDirBits(2);
        mcLuma(sxp, syp, a1x, a1y, bw, bh, predB1, 0);
        for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) predBi[y * 16 + x] = (predB0[y * 16 + x] + predB1[y * 16 + x] + 1) >> 1;
        let eb = satdBlock(syp * WP + sxp, predBi, 0, bw, bh) + lambdaMe * (mvCost(a0x - q0x, a0y - q0y) + mvCost(a1x - q1x, a1y - q1y) + bDirBits(3));
        if (CHROMA_ME) {
          const cx = sxp >> 1, cy = syp >> 1, sc = cy * CWP + cx, cw = bw >> 1, chh = bh >> 1;
          useRef(r0); mcChroma(refU, cx, cy, a0x, a0y, cw, chh, predU, 0); mcChroma(refV, cx, cy, a0x, a0y, cw, chh, predV, 0);
          useRef1(0); mcChroma(refU, cx, cy, a1x, a1y, cw, chh, predU1, 0); mcChroma(refV, cx, cy, a1x, a1y, cw, chh, predV1, 0);
          avgInto(predU, predU1, 64); avgInto(predV, predV1, 64);
          for (let y = 0; y < chh; y += 4) for (let x = 0; x < cw; x += 4) eb += satd4(srcU, sc + y * CWP + x, CWP, predU, y * 8 + x, 8) + satd4(srcV, sc + y * CWP + x, CWP, predV, y * 8 + x, 8);
        }
        const d = eb <= e0 && eb <= e1 ? 3 : e0 <= e1 ? 1 : 2;
        du |= d; cr += d === 3 ? eb : d === 1 ? e0 : e1;
        setPartMvB(mbx, mby, part, s, d, a0x, a0y, a1x, a1y);
      }
      if (cr < c16) {
        mbPart = part; mbDir = du; mbRef = du & 1 ? r0 : 0;
        interPredict(mbx, mby, true);
        const jr = interResidualJ(mbx, mby, 2);
        if (jr < bestJ) saveBest(mbx, mby, 2, jr);
        mbPart = 0;
      }
    }
  }
  return min(interSatd, c16);
}

// Early skip (x264's fast P-skip / B-skip probe): when the skip prediction leaves a residual whose
// every 4x4 luma and chroma coefficient quantises to zero (inter deadzone), skip is taken at once,
// without motion search, partitions or intra. Trades a little rate for speed (off: exact RD choice).
const FAST_PSKIP = true;         // @evolve bool
const FAST_BSKIP = true;         // @evolve bool
// Rounding offset of the probe's quantiser, in steps (0.5: a coefficient counts as zero only where
// rounding to nearest gives zero; lower probes more loosely and skips more).
const FAST_SKIP_ROUND = 0.5;     // @evolve float 0.1 0.5
const fsRes = new Int32Array(16), fsCoef = new Int32Array(16);
function skipResidualZero(mbx, mby) {
  const qb = qp * 16, qbits = 15 + ((qp / 6) | 0), f = floor(FAST_SKIP_ROUND * (1 << qbits)), lim = 1 << qbits;
  for (let b = 0; b < 16; b++) {
    const ox = (b & 3) * 4, oy = (b >> 2) * 4, so = (mby * 16 + oy) * WP + mbx * 16 + ox, po = oy * 16 + ox;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) fsRes[y * 4 + x] = srcY[so + y * WP + x] - predL[po + y * 16 + x];
    fdct4(fsRes, fsCoef);
    for (let k = 0; k < 16; k++) { const c = fsCoef[k]; if ((c < 0 ? -c : c) * QMUL[qb + k] + f >= lim) return false; }
  }
  const qc = qpC * 16, cbits = 15 + ((qpC / 6) | 0), fc = floor(FAST_SKIP_ROUND * (1 << cbits)), limc = 1 << cbits;
  for (let p = 0; p < 2; p++) {
    const src = p ? srcV : srcU, pred = p ? predV : predU;
    let dc0 = 0, dc1 = 0, dc2 = 0, dc3 = 0;
    for (let b = 0; b < 4; b++) {
      const ox = (b & 1) * 4, oy = (b >> 1) * 4, so = (mby * 8 + oy) * CWP + mbx * 8 + ox, po = oy * 8 + ox;
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) fsRes[y * 4 + x] = src[so + y * CWP + x] - pred[po + y * 8 + x];
      fdct4(fsRes, fsCoef);
      for (let k = 1; k < 16; k++) { const c = fsCoef[k]; if ((c < 0 ? -c : c) * QMUL[qc + k] + fc >= limc) return false; }
      if (b === 0) dc0 = fsCoef[0]; else if (b === 1) dc1 = fsCoef[0]; else if (b === 2) dc2 = fsCoef[0]; else dc3 = fsCoef[0];
    }
    const hd0 = dc0 + dc1 + dc2 + dc3, hd1 = dc0 - dc1 + dc2 - dc3, hd2 = dc0 + dc1 - dc2 - dc3, hd3 = dc0 - dc1 - dc2 + dc3;
    for (const c of [hd0, hd1, hd2, hd3]) if (((c < 0 ? -c : c) * QMUL[qc] + 2 * fc) >> (cbits + 1)) return false;
  }
  return true;
}
let mbEarlySkip = false;
function encodeMb(mbx, mby) {
  const mb = mby * MBW + mbx, px = mbx * 16, py = mby * 16;
  bestJ = INF; mbEarlySkip = false; mbPart = 0;
  let interSatd = INF;
  if (frameIsB) interSatd = searchB(mbx, mby);
  else if (frameIsP) {
    mbDir = 1; mbDirect = 0;
    predMv(mbx * 2, mby * 2, 2, mb, 0);
    const p16x = pmx, p16y = pmy;
    // Skip: predicted vector, no residual — the cheapest way to code static or smoothly moving areas.
    let sk = 0;
    if (mergeN > 1) sk = mergeChoose(mbx, mby);
    else if (mvOk(px, py, 16, p16x, p16y)) { mbMvX[0] = p16x; mbMvY[0] = p16y; mbRef = 0; mbMerge = 0; } else sk = -1;
    if (sk >= 0) {
      interPredict(mbx, mby, false);
      const lo = LOFF + py * LS + px;
      copyBlock(predL, 0, 16, curY, lo, LS, 16);
      copyBlock(predU, 0, 8, curU, COFF + mby * 8 * CS + mbx * 8, CS, 8);
      copyBlock(predV, 0, 8, curV, COFF + mby * 8 * CS + mbx * 8, CS, 8);
      mbNz.fill(0); mbCDc.fill(0); mbCDcNz.fill(0); mbT8 = 0;
      const j = ssdMb(mbx, mby) + lambda * (bitCost(mbCtx(mbx, mby, CTX_SKIP, isSkip), 1) + (mergeN > 1 ? mergeBits(sk) : 0));
      saveBest(mbx, mby, 0, j);
      if (FAST_PSKIP && skipResidualZero(mbx, mby)) mbEarlySkip = true;
    }
    if (!mbEarlySkip) {
      let nc = 0;
      const addCand = (i) => { cand[2 * nc] = mvX[i]; cand[2 * nc + 1] = mvY[i]; nc++; };
      cand[0] = 0; cand[1] = 0; nc = 1;
      const i8 = mby * 2 * W8 + mbx * 2;
      if (mbx > 0) addCand(i8 - 1);
      if (mby > 0) addCand(i8 - W8);
      if (mby > 0 && mbx + 1 < MBW) addCand(i8 - W8 + 2);
      cand[2 * nc] = prevMvX[i8]; cand[2 * nc + 1] = prevMvY[i8]; nc++;
      // Each available reference is searched; the reference index's bits join the cost.
      let m16x = 0, m16y = 0, c16 = INF, r16 = 0;
      for (let r = 0; r < refsAvail; r++) {
        useRef(r);
        motionSearch(px, py, 16, p16x, p16y, cand, nc, SEARCH_RANGE);
        const c = meCost + (refsAvail > 1 ? lambdaMe * refCost(mbx, mby, r) : 0);
        if (c < c16) { c16 = c; m16x = meX; m16y = meY; r16 = r; }
      }
      mbRef = r16; useRef(r16);
      interSatd = c16;
      let j = tryInter16(mbx, mby, m16x, m16y, 1);
      if (j < bestJ) saveBest(mbx, mby, 1, j);
      // When one vector already leaves no luma residual, four vectors cannot pay for themselves.
      if (USE_8X8_PARTITIONS && (bestType !== 1 || (cbpOf() & 15) !== 0)) {
        let c8 = 0;
        const sx = subX, sy = subY;
        for (let s = 0; s < 4; s++) {
          const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1);
          predMv(x8, y8, 1, mb, s);
          cand[0] = m16x; cand[1] = m16y;
          motionSearch(px + (s & 1) * 8, py + (s >> 1) * 8, 8, pmx, pmy, cand, 1, 4);
          sx[s] = meX; sy[s] = meY; c8 += meCost;
          setMv8(x8, y8, 1, meX, meY);
        }
        if (c8 < c16) {
          for (let s = 0; s < 4; s++) { mbMvX[s] = sx[s]; mbMvY[s] = sy[s]; }
          interPredict(mbx, mby, true);
          j = interResidualJ(mbx, mby, 2);
          if (j < bestJ) saveBest(mbx, mby, 2, j);
        }
        const part = pRect ? rectSplit(sx, sy) : 0;
        if (part) {
          let cr = 0;
          for (let s = 0; s < 2; s++) {
            const a = part === 1 ? 2 * s : s, b = part === 1 ? 2 * s + 1 : s + 2;
            predMvPart(mbx, mby, part, s, r16);
            cand[0] = m16x; cand[1] = m16y; cand[2] = sx[a]; cand[3] = sy[a]; cand[4] = sx[b]; cand[5] = sy[b];
            rectSearch(px + (part === 2 ? s * 8 : 0), py + (part === 1 ? s * 8 : 0), part === 1 ? 16 : 8, pmx, pmy, cand, part === 1 ? 8 : 16);
            cr += meCost;
            setPartMv(mbx, mby, part, s, meX, meY);
          }
          if (cr < c16) {
            mbPart = part;
            interPredict(mbx, mby, true);
            j = interResidualJ(mbx, mby, 2);
            if (j < bestJ) saveBest(mbx, mby, 2, j);
            mbPart = 0;
          }
        }
      }
    }
  }
  // Intra: mode choice by SATD, then full RD against the inter candidates.
  if (!mbEarlySkip && (!frameIsP || INTRA_IN_P_RATIO > 0)) {
    const lo = LOFF + py * LS + px, so = py * WP + px;
    let bm = 0, bc = INF;
    if (intraAng) {
      angMpm(mbx * 4, mby * 4); angRef(16, px, py, false, mby > 0 && mbx + 1 < MBW);
      bm = angSearch(16, 2, so, predI16, 0); bc = angBc;
    } else for (let m = 0; m < 4; m++) {
      if ((m === 1 && mby === 0) || (m === 2 && mbx === 0) || (m === 3 && (mbx === 0 || mby === 0))) continue;
      intraBlockPred(m, curY, LS, lo, 16, mby > 0, mbx > 0, predI16);
      const c = satdBlock(so, predI16, 0, 16, 16);
      if (c < bc) { bc = c; bm = m; }
    }
    if (!frameIsP || bc < interSatd * INTRA_IN_P_RATIO) {
      // Chroma mode (shared by the intra luma types) by full RD, coding the residual of each of the
      // four modes (off: by SAD of the prediction).
      let cm = 0, cc = INF;
      const sc = mby * 8 * CWP + mbx * 8;
      for (let m = 0; m < 4; m++) {
        if ((m === 1 && mby === 0) || (m === 2 && mbx === 0) || (m === 3 && (mbx === 0 || mby === 0))) continue;
        chromaIntraPred(mbx, mby, m);
        let s = 0;
        if (CHROMA_MODE_RD) s = codeChroma(mbx, mby, true) + lambda * (bitCost(CTX_CMODE, m >> 1) + bitCost(CTX_CMODE + 1 + (m >> 1), m & 1));
        else for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
          s += abs(srcU[sc + y * CWP + x] - predU[y * 8 + x]) + abs(srcV[sc + y * CWP + x] - predV[y * 8 + x]);
        }
        if (s < cc) { cc = s; cm = m; }
      }
      let j = tryIntra16(mbx, mby, bm, cm);
      if (j < bestJ) saveBest(mbx, mby, 3, j);
      // 8x8 before 4x4: it wins more often, and a candidate stops once its partial J exceeds the best.
      if (transform8 && INTRA_8X8) {
        j = tryIntra8(mbx, mby, cm);
        if (j < bestJ) saveBest(mbx, mby, 4, j);
      }
      mbT8 = 0;
      j = tryIntra4(mbx, mby, cm) + (transform8 ? lambda * bitCost(CTX_I8FLAG + (frameIsP ? 1 : 0), 0) : 0);
      mbT8 = 0;
      if (j < bestJ) saveBest(mbx, mby, 4, j);
    }
  }
  restoreBest(mbx, mby);
  commitMaps(mbx, mby, bestType);
  writeMb(mbx, mby, bestType);
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START macroblock-syntax
// The macroblock syntax, written in the order readMb parses it.
// B-frames: skip flag, intra flag, direct flag, then direction (bi, or list 0 / list 1), list-0
// reference, the used lists' vector differences and the residual.
function bDirectCtx(mbx, mby) {
  const mb = mby * MBW + mbx;
  return CTX_BDIRECT + (mbx > 0 ? mbDirectMap[mb - 1] : 0) + (mby > 0 ? mbDirectMap[mb - MBW] : 0);
}
function bDirBits(d) { return d === 3 ? bitCost(CTX_BDIR, 1) : bitCost(CTX_BDIR, 0) + bitCost(CTX_BDIR + 1, d === 2 ? 1 : 0); }
function writeMbB(mbx, mby, type) {
  const mb = mby * MBW + mbx;
  encBit(mbCtx(mbx, mby, CTX_BSKIP, isSkip), type === 0 ? 1 : 0);
  if (type === 0) { if (mergeN > 1) { mergeList(mbx, mby); writeMerge(mbMerge); } return true; }
  encBit(mbCtx(mbx, mby, CTX_BINTRA, isIntra), type >= 3 ? 1 : 0);
  if (type >= 3) return false;
  encBit(bDirectCtx(mbx, mby), mbDirect);
  if (mbDirect && mergeN > 1) { mergeList(mbx, mby); writeMerge(mbMerge); }
  if (!mbDirect) encBit(CTX_PART, type === 2 ? 1 : 0);
  if (!mbDirect && type === 2 && pRect) { encBit(CTX_BRECT, mbPart ? 1 : 0); if (mbPart) encBit(CTX_BRECT + 1, mbPart - 1); }
  if (!mbDirect && type === 2 && mbPart) {
    for (let s = 0; s < 2; s++) { const d = mbSubDir[mbPart === 1 ? 2 * s : s]; encBit(CTX_BDIR, d === 3 ? 1 : 0); if (d !== 3) encBit(CTX_BDIR + 1, d === 2 ? 1 : 0); }
    if ((mbDir & 1) && refsAvail > 1) writeRef(mbx, mby, mbRef);
    for (let s = 0; s < 2; s++) {
      const t = mbPart === 1 ? 2 * s : s, d = mbSubDir[t];
      if (d & 1) { predMvPart(mbx, mby, mbPart, s, mbRef, false); writeMvd(mbMvX[t] - pmx, 0); writeMvd(mbMvY[t] - pmy, 1); }
      if (d & 2) { predMvPart(mbx, mby, mbPart, s, 0, true); writeMvd(mbMv1X[t] - pmx, 0); writeMvd(mbMv1Y[t] - pmy, 1); }
    }
  } else if (!mbDirect && type === 2) {
    for (let s = 0; s < 4; s++) {
      const d = mbSubDir[s];
      encBit(CTX_BDIR, d === 3 ? 1 : 0);
      if (d !== 3) encBit(CTX_BDIR + 1, d === 2 ? 1 : 0);
    }
    if ((mbDir & 1) && refsAvail > 1) writeRef(mbx, mby, mbRef);
    for (let s = 0; s < 4; s++) {
      const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1), d = mbSubDir[s];
      if (d & 1) { predMv(x8, y8, 1, mb, s); writeMvd(mbMvX[s] - pmx, 0); writeMvd(mbMvY[s] - pmy, 1); }
      if (d & 2) { predMv1(x8, y8, 1, mb, s); writeMvd(mbMv1X[s] - pmx, 0); writeMvd(mbMv1Y[s] - pmy, 1); }
    }
  } else if (!mbDirect) {
    encBit(CTX_BDIR, mbDir === 3 ? 1 : 0);
    if (mbDir !== 3) encBit(CTX_BDIR + 1, mbDir === 2 ? 1 : 0);
    if (mbDir & 1) {
      if (refsAvail > 1) writeRef(mbx, mby, mbRef);
      predMv(mbx * 2, mby * 2, 2, mb, 0);
      writeMvd(mbMvX[0] - pmx, 0); writeMvd(mbMvY[0] - pmy, 1);
    }
    if (mbDir & 2) {
      predMv1(mbx * 2, mby * 2, 2, mb, 0);
      writeMvd(mbMv1X[0] - pmx, 0); writeMvd(mbMv1Y[0] - pmy, 1);
    }
  }
  writeResidual(mbx, mby, CAT_LUMA, true, type === 1);
  return true;
}
// Parses a B-frame macroblock's header; returns its type (0 skip, 1 inter, 3/4 intra: the caller goes on).
function readMbB(mbx, mby) {
  const mb = mby * MBW + mbx;
  mbRef = 0; mbDirect = 1;
  if (decBit(mbCtx(mbx, mby, CTX_BSKIP, isSkip))) {
    if (mergeN > 1) { readMerge(mbx, mby); return 0; }
    directMvs(mbx, mby);
    mbDir = dDir; mbMvX[0] = dMv0x; mbMvY[0] = dMv0y; mbMv1X[0] = dMv1x; mbMv1Y[0] = dMv1y;
    return 0;
  }
  if (decBit(mbCtx(mbx, mby, CTX_BINTRA, isIntra))) return decBit(CTX_I4FLAG + 1) ? 4 : 3;
  mbDirect = decBit(bDirectCtx(mbx, mby));
  if (mbDirect) {
    if (mergeN > 1) { readMerge(mbx, mby); return 1; }
    directMvs(mbx, mby);
    mbDir = dDir; mbMvX[0] = dMv0x; mbMvY[0] = dMv0y; mbMv1X[0] = dMv1x; mbMv1Y[0] = dMv1y;
    return 1;
  }
  if (decBit(CTX_PART)) {
    mbDir = 0;
    if (pRect && decBit(CTX_BRECT)) {
      const p = mbPart = 1 + decBit(CTX_BRECT + 1);
      for (let s = 0; s < 2; s++) {
        const d = decBit(CTX_BDIR) ? 3 : decBit(CTX_BDIR + 1) ? 2 : 1, t = p === 1 ? 2 * s : s;
        mbSubDir[t] = d; mbSubDir[p === 1 ? t + 1 : t + 2] = d; mbDir |= d;
      }
      if ((mbDir & 1) && refsAvail > 1) mbRef = readRef(mbx, mby);
      for (let s = 0; s < 2; s++) {
        const t = p === 1 ? 2 * s : s, d = mbSubDir[t];
        let ax = 0, ay = 0, bx = 0, by = 0;
        if (d & 1) { predMvPart(mbx, mby, p, s, mbRef, false); ax = pmx + readMvd(0); ay = pmy + readMvd(1); }
        if (d & 2) { predMvPart(mbx, mby, p, s, 0, true); bx = pmx + readMvd(0); by = pmy + readMvd(1); }
        setPartMvB(mbx, mby, p, s, d, ax, ay, bx, by);
      }
      return 2;
    }
    for (let s = 0; s < 4; s++) { mbSubDir[s] = decBit(CTX_BDIR) ? 3 : decBit(CTX_BDIR + 1) ? 2 : 1; mbDir |= mbSubDir[s]; }
    if ((mbDir & 1) && refsAvail > 1) mbRef = readRef(mbx, mby);
    for (let s = 0; s < 4; s++) {
      const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1), d = mbSubDir[s];
      if (d & 1) { predMv(x8, y8, 1, mb, s); mbMvX[s] = pmx + readMvd(0); mbMvY[s] = pmy + readMvd(1); }
      if (d & 2) { predMv1(x8, y8, 1, mb, s); mbMv1X[s] = pmx + readMvd(0); mbMv1Y[s] = pmy + readMvd(1); }
      setMvB8(x8, y8, d, s);
    }
    return 2;
  }
  mbDir = decBit(CTX_BDIR) ? 3 : decBit(CTX_BDIR + 1) ? 2 : 1;
  if (mbDir & 1) {
    if (refsAvail > 1) mbRef = readRef(mbx, mby);
    predMv(mbx * 2, mby * 2, 2, mb, 0);
    mbMvX[0] = pmx + readMvd(0); mbMvY[0] = pmy + readMvd(1);
  }
  if (mbDir & 2) {
    predMv1(mbx * 2, mby * 2, 2, mb, 0);
    mbMv1X[0] = pmx + readMvd(0); mbMv1Y[0] = pmy + readMvd(1);
  }
  return 1;
}
function writeMb(mbx, mby, type) {
  const mb = mby * MBW + mbx;
  if (frameIsB) { if (writeMbB(mbx, mby, type)) return; }
  else if (frameIsP) {
    encBit(mbCtx(mbx, mby, CTX_SKIP, isSkip), type === 0 ? 1 : 0);
    if (type === 0) { if (mergeN > 1) { mergeList(mbx, mby); writeMerge(mbMerge); } return; }
    encBit(mbCtx(mbx, mby, CTX_INTRA, isIntra), type >= 3 ? 1 : 0);
  }
  if (type >= 3) {
    encBit(CTX_I4FLAG + (frameIsP ? 1 : 0), type === 4 ? 1 : 0);
    if (type === 4) {
      if (transform8) encBit(CTX_I8FLAG + (frameIsP ? 1 : 0), mbT8);
      for (let b = 0; b < 16; b++) {
        if (mbT8 && (b & 5)) continue; // one mode per 8x8 block, at its top-left 4x4 block
        const x4 = mbx * 4 + (b & 3), y4 = mby * 4 + (b >> 2);
        const m = mbMode4[b];
        if (intraAng) { angMpm(x4, y4); angWrite(m, mbT8); continue; }
        const mpm = mpmOf(x4, y4);
        encBit(CTX_I4MPM, m === mpm ? 1 : 0);
        if (m !== mpm) { const r = m < mpm ? m : m - 1; for (let k = 2; k >= 0; k--) encBit(CTX_I4REM + k, (r >> k) & 1); }
      }
    } else {
      if (intraAng) { angMpm(mbx * 4, mby * 4); angWrite(mbI16Mode, 2); }
      else { encBit(CTX_I16MODE, mbI16Mode >> 1); encBit(CTX_I16MODE + 1 + (mbI16Mode >> 1), mbI16Mode & 1); }
      if (transform16) encBit(t16Ctx(mbx, mby, 1), mbT8 === 2 ? 1 : 0);
    }
    if (CHROMA_DM && intraAng) encBit(CTX_CDM, mbCMode === 5 ? 1 : 0);
    if (mbCMode !== 5 && chromaCfl && (mbx > 0 || mby > 0)) encBit(CTX_CFL, mbCMode === 4 ? 1 : 0);
    if (mbCMode < 4) { encBit(CTX_CMODE, mbCMode >> 1); encBit(CTX_CMODE + 1 + (mbCMode >> 1), mbCMode & 1); }
    if (type === 3 && mbT8 !== 2) {
      let dcNz = 0;
      for (let i = 0; i < 16; i++) if (mbDcLv[i]) dcNz = 1;
      encBit(CTX_CBF + CAT_I16DC * 3, dcNz);
      if (dcNz) writeBlock(mbDcLv, 0, CAT_I16DC);
    }
  } else {
    encBit(CTX_PART, type === 2 ? 1 : 0);
    if (type === 2 && pRect) { encBit(CTX_PRECT, mbPart ? 1 : 0); if (mbPart) encBit(CTX_PRECT + 1, mbPart - 1); }
    if (refsAvail > 1) writeRef(mbx, mby, mbRef);
    const n = mbPart ? 0 : type === 2 ? 4 : 1;
    for (let s = 0; s < (mbPart ? 2 : 0); s++) {
      const i = mbPart === 1 ? 2 * s : s;
      predMvPart(mbx, mby, mbPart, s, mbRef); writeMvd(mbMvX[i] - pmx, 0); writeMvd(mbMvY[i] - pmy, 1);
    }
    for (let s = 0; s < n; s++) {
      const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1);
      predMv(x8, y8, n === 1 ? 2 : 1, mb, s);
      writeMvd(mbMvX[s] - pmx, 0); writeMvd(mbMvY[s] - pmy, 1);
    }
  }
  writeResidual(mbx, mby, type === 3 ? CAT_I16AC : CAT_LUMA, type === 1 || type === 2, type === 1);
}

// big: one inter partition (its transform-size flag comes first; with the 16x16 transform one luma flag).
function writeResidual(mbx, mby, lumaCat, inter, big) {
  const cbp = cbpMap[mby * MBW + mbx];
  if (transform16 && inter && big) encBit(t16Ctx(mbx, mby, 0), mbT8 === 2 ? 1 : 0);
  if (mbT8 === 2) encBit(cbf16Ctx(mbx, mby), cbp & 1);
  else for (let k = 0; k < 4; k++) encBit(cbpCtxLuma(mbx, mby, cbp, k), (cbp >> k) & 1);
  encBit(cbpCtxChroma(mbx, mby), cbp >> 4);
  if (mbT8 === 2) { if (cbp & 1) writeBlock16(mbLv, 0, inter ? 0 : 1); }
  else if (transform8 && inter && (cbp & 15)) encBit(t8Ctx(mbx, mby), mbT8);
  if (mbT8 === 2) { /* coded above */ }
  else if (mbT8) { for (let k = 0; k < 4; k++) if ((cbp >> k) & 1) writeBlock8(mbLv, k * 64); }
  else for (let k = 0; k < 4; k++) {
    if (!((cbp >> k) & 1)) continue;
    for (let s = 0; s < 4; s++) {
      const bx = (k & 1) * 2 + (s & 1), by = (k >> 1) * 2 + (s >> 1), b = by * 4 + bx;
      const x4 = mbx * 4 + bx, y4 = mby * 4 + by;
      encBit(cbfCtx(lumaCat, nzL, W4, x4, y4), mbNz[b]);
      if (mbNz[b]) writeBlock(mbLv, b * 16, lumaCat);
    }
  }
  if ((cbp & 16) && chromaDc) for (let p = 0; p < 2; p++) {
    encBit(CTX_CBF + CAT_CDC * 3 + p, mbCDcNz[p]);
    if (mbCDcNz[p]) writeBlock(mbCDc, p * 16, CAT_CDC);
  }
  if (cbp & 16) for (let p = 0; p < 2; p++) for (let b = 0; b < 4; b++) {
    const x4 = mbx * 2 + (b & 1), y4 = mby * 2 + (b >> 1), i = 16 + p * 4 + b;
    encBit(cbfCtx(1, p ? nzV : nzU, W8, x4, y4), mbNz[i]);
    if (mbNz[i]) writeBlock(mbLv, i * 16, 1);
  }
}

function readMb(mbx, mby) {
  const mb = mby * MBW + mbx;
  let type;
  mbPart = 0;
  if (frameIsB) type = readMbB(mbx, mby);
  else {
    mbDir = 1; mbDirect = 0; mbPart = 0;
    if (frameIsP && decBit(mbCtx(mbx, mby, CTX_SKIP, isSkip))) type = 0;
    else if (frameIsP && !decBit(mbCtx(mbx, mby, CTX_INTRA, isIntra))) {
      type = decBit(CTX_PART) ? 2 : 1;
      if (type === 2 && pRect && decBit(CTX_PRECT)) mbPart = 1 + decBit(CTX_PRECT + 1);
    }
    else type = decBit(CTX_I4FLAG + (frameIsP ? 1 : 0)) ? 4 : 3;
    mbRef = (type === 1 || type === 2) && refsAvail > 1 ? readRef(mbx, mby) : 0;
  }
  mbNz.fill(0); mbCDc.fill(0); mbCDcNz.fill(0); mbT8 = 0;
  if (type === 0) {
    if (!frameIsB && mergeN > 1) readMerge(mbx, mby);
    else if (!frameIsB) { predMv(mbx * 2, mby * 2, 2, mb, 0); mbMvX[0] = pmx; mbMvY[0] = pmy; }
    interPredict(mbx, mby, false);
    reconLumaFromPred(mbx, mby); reconChroma(mbx, mby);
    commitMaps(mbx, mby, 0);
    return;
  }
  if (type >= 3) {
    if (type === 4) {
      mbT8 = transform8 ? decBit(CTX_I8FLAG + (frameIsP ? 1 : 0)) : 0;
      for (let b = 0; b < 16; b++) {
        if (mbT8 && (b & 5)) continue;
        const x4 = mbx * 4 + (b & 3), y4 = mby * 4 + (b >> 2), mpm = intraAng ? 0 : mpmOf(x4, y4);
        let m = mpm;
        if (intraAng) { angMpm(x4, y4); m = angRead(mbT8); }
        else if (!decBit(CTX_I4MPM)) {
          let r = 0;
          for (let k = 2; k >= 0; k--) r |= decBit(CTX_I4REM + k) << k;
          m = r < mpm ? r : r + 1;
        }
        mbMode4[b] = m; i4Mode[y4 * W4 + x4] = m;
        if (mbT8) {
          mbMode4[b + 1] = m; mbMode4[b + 4] = m; mbMode4[b + 5] = m;
          i4Mode[y4 * W4 + x4 + 1] = m; i4Mode[(y4 + 1) * W4 + x4] = m; i4Mode[(y4 + 1) * W4 + x4 + 1] = m;
        }
      }
    } else {
      if (intraAng) { angMpm(mbx * 4, mby * 4); mbI16Mode = angRead(2); }
      else { const hi = decBit(CTX_I16MODE); mbI16Mode = (hi << 1) | decBit(CTX_I16MODE + 1 + hi); }
      if (transform16 && decBit(t16Ctx(mbx, mby, 1))) mbT8 = 2;
    }
    cDm = type === 4 ? mbMode4[0] : mbI16Mode;
    if (CHROMA_DM && intraAng && decBit(CTX_CDM)) mbCMode = 5;
    else if (chromaCfl && (mbx > 0 || mby > 0) && decBit(CTX_CFL)) mbCMode = 4;
    else { const hi = decBit(CTX_CMODE); mbCMode = (hi << 1) | decBit(CTX_CMODE + 1 + hi); }
    if (type === 3 && mbT8 !== 2) {
      if (decBit(CTX_CBF + CAT_I16DC * 3)) readBlock(mbDcLv, 0, CAT_I16DC); else mbDcLv.fill(0);
    }
  } else if (!frameIsB) {
    const n = mbPart ? 0 : type === 2 ? 4 : 1;
    for (let s = 0; s < (mbPart ? 2 : 0); s++) {
      predMvPart(mbx, mby, mbPart, s, mbRef);
      const vx = pmx + readMvd(0);
      setPartMv(mbx, mby, mbPart, s, vx, pmy + readMvd(1));
    }
    for (let s = 0; s < n; s++) {
      const x8 = mbx * 2 + (s & 1), y8 = mby * 2 + (s >> 1);
      predMv(x8, y8, n === 1 ? 2 : 1, mb, s);
      mbMvX[s] = pmx + readMvd(0); mbMvY[s] = pmy + readMvd(1);
      if (n === 4) setMv8(x8, y8, 1, mbMvX[s], mbMvY[s]);
    }
  }
  readResidual(mbx, mby, type === 3 ? CAT_I16AC : CAT_LUMA, type === 1 || type === 2, type === 1);
  if (type <= 2) {
    interPredict(mbx, mby, type === 2);
    reconLumaFromPred(mbx, mby);
    reconChroma(mbx, mby);
  } else {
    const lo = LOFF + mby * 16 * LS + mbx * 16;
    if (type === 3 && mbT8 === 2) {
      lumaPred16(mbI16Mode, mbx, mby, predL);
      reconLumaFromPred(mbx, mby);
    } else if (type === 3) {
      lumaPred16(mbI16Mode, mbx, mby, predL);
      dcDequant(qp);
      for (let b = 0; b < 16; b++) {
        const ox = (b & 3) * 4, oy = (b >> 2) * 4;
        // Blocks without AC levels still carry their DC.
        if (mbNz[b]) reconBlockDc(mbLv, b * 16, qp, dcY[b], predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS);
        else reconBlockDc(zero16, 0, qp, dcY[b], predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS);
      }
    } else if (mbT8) {
      for (let k = 0; k < 4; k++) {
        const ox = (k & 1) * 8, oy = (k >> 1) * 8;
        lumaPred8(mbMode4[(oy >> 2) * 4 + (ox >> 2)], mbx * 16 + ox, mby * 16 + oy, predL, oy * 16 + ox);
        if (mbNz[(oy >> 2) * 4 + (ox >> 2)]) recon8(mbLv, k * 64, qp, predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS);
        else copyBlock(predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS, 8);
      }
    } else {
      for (let b = 0; b < 16; b++) {
        const ox = (b & 3) * 4, oy = (b >> 2) * 4;
        lumaPred4(mbMode4[b], mbx * 16 + ox, mby * 16 + oy, predL, oy * 16 + ox);
        if (mbNz[b]) reconBlock(mbLv, b * 16, qp, predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS);
        else copyBlock(predL, oy * 16 + ox, 16, curY, lo + oy * LS + ox, LS, 4);
      }
    }
    chromaIntraPred(mbx, mby, mbCMode);
    reconChroma(mbx, mby);
  }
  commitMaps(mbx, mby, type);
}

function readResidual(mbx, mby, lumaCat, inter, big) {
  for (let b = 0; b < 16; b++) nzL[(mby * 4 + (b >> 2)) * W4 + mbx * 4 + (b & 3)] = 0;
  for (let b = 0; b < 4; b++) { const i = (mby * 2 + (b >> 1)) * W8 + mbx * 2 + (b & 1); nzU[i] = 0; nzV[i] = 0; }
  let cbp = 0;
  if (transform16 && inter && big && decBit(t16Ctx(mbx, mby, 0))) mbT8 = 2;
  if (mbT8 === 2) cbp = decBit(cbf16Ctx(mbx, mby)) ? 15 : 0;
  else for (let k = 0; k < 4; k++) cbp |= decBit(cbpCtxLuma(mbx, mby, cbp, k)) << k;
  cbp |= decBit(cbpCtxChroma(mbx, mby)) << 4;
  if (mbT8 === 2) {
    if (cbp & 1) readBlock16(mbLv, 0, inter ? 0 : 1);
    for (let b = 0; b < 16; b++) { mbNz[b] = cbp & 1; nzL[(mby * 4 + (b >> 2)) * W4 + mbx * 4 + (b & 3)] = cbp & 1; }
  } else if (inter) mbT8 = transform8 && (cbp & 15) ? decBit(t8Ctx(mbx, mby)) : 0;
  if (mbT8 === 2) { /* read above */ }
  else if (mbT8) for (let k = 0; k < 4; k++) {
    const nz = (cbp >> k) & 1;
    if (nz) readBlock8(mbLv, k * 64);
    for (let s = 0; s < 4; s++) {
      const bx = (k & 1) * 2 + (s & 1), by = (k >> 1) * 2 + (s >> 1);
      mbNz[by * 4 + bx] = nz; nzL[(mby * 4 + by) * W4 + mbx * 4 + bx] = nz;
    }
  }
  else for (let k = 0; k < 4; k++) {
    if (!((cbp >> k) & 1)) continue;
    for (let s = 0; s < 4; s++) {
      const bx = (k & 1) * 2 + (s & 1), by = (k >> 1) * 2 + (s >> 1), b = by * 4 + bx;
      const x4 = mbx * 4 + bx, y4 = mby * 4 + by;
      const nz = decBit(cbfCtx(lumaCat, nzL, W4, x4, y4));
      mbNz[b] = nz; nzL[y4 * W4 + x4] = nz;
      if (nz) readBlock(mbLv, b * 16, lumaCat);
    }
  }
  mbCDc.fill(0); mbCDcNz.fill(0);
  if ((cbp & 16) && chromaDc) for (let p = 0; p < 2; p++) {
    mbCDcNz[p] = decBit(CTX_CBF + CAT_CDC * 3 + p);
    if (mbCDcNz[p]) readBlock(mbCDc, p * 16, CAT_CDC);
  }
  if (cbp & 16) for (let p = 0; p < 2; p++) for (let b = 0; b < 4; b++) {
    const x4 = mbx * 2 + (b & 1), y4 = mby * 2 + (b >> 1), i = 16 + p * 4 + b, map = p ? nzV : nzU;
    const nz = decBit(cbfCtx(1, map, W8, x4, y4));
    mbNz[i] = nz; map[y4 * W8 + x4] = nz;
    if (nz) readBlock(mbLv, i * 16, 1);
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START gop-structure
// Frame types and order. Between two anchors (I or P pictures, coded in display order) up to B_FRAMES
// B-pictures predicted from both sides are coded after the later anchor; the decoder puts every
// picture back at its display index. The last picture of a clip is always an anchor.
// Most B-pictures between two anchors (0 = I/P only; the stream then codes no picture order).
const B_FRAMES = 2;              // @evolve int 0 4
// Adaptive placement: per group, as many B-pictures as a half-resolution motion estimate says are
// cheaper than P-pictures (off: always B_FRAMES). Measured against fixed B_FRAMES 2 it lost (tree
// 80x44 +4 points, foreman +0.4): off by default.
const B_ADAPT = false;           // @evolve bool
// Weight of a B-picture's estimated cost in that decision (below 1: B-pictures are coded coarser and
// nothing predicts from them, so their errors do not propagate).
const B_ADAPT_WEIGHT = 1.0;      // @evolve float 0.2 1.5
// Pyramid: with two or more B-pictures the middle one is coded first and is a reference for the others.
const B_PYRAMID = true;          // @evolve bool
// QP offsets of B-pictures against P (x264: pbratio 1.3 = +2); the pyramid's reference B sits between.
const B_QP_OFFSET = 2;           // @evolve int 0 6
const B_REF_QP_OFFSET = 1;       // @evolve int 0 6
// Long-term reference: at a scene cut the last picture of the old scene stays a reference (one more
// buffer and one more reference to search while it lives): a scene that returns is predicted, not intra-coded.
const LONG_TERM_REF = true;      // @evolve bool
// 8x8 partitions in B-pictures (each block list 0, list 1 or both; needs USE_8X8_PARTITIONS).
const B_PARTITIONS = true;       // @evolve bool
let bPyramid = true;

// qd: the lookahead's QP delta of the picture (measured on a chain of P-pictures; B-pictures keep it
// too: without it, they lost 1 point on talking heads).
function frameQp(quality, ftype, refB, qd) {
  const q = qpFor(quality, ftype === 0) + qd;
  return max(0, min(51, ftype === 2 ? q + (refB ? B_REF_QP_OFFSET : B_QP_OFFSET) : q));
}
// Coding order of the B-pictures between anchors a and p: [display index, is a reference].
function bOrder(a, p) {
  const k = p - a - 1, list = [];
  if (k <= 0) return list;
  const mid = bPyramid && k >= 2 ? a + ((k + 1) >> 1) : -1;
  if (mid >= 0) list.push([mid, true]);
  for (let b = a + 1; b < p; b++) if (b !== mid) list.push([b, false]);
  return list;
}

// ---- adaptive B placement (encoder side): half-resolution luma, 8x8 blocks (16x16 at full size),
// integer diamond search; the cost of a picture is the sum over blocks of the cheapest of intra (mean
// absolute deviation), list 0, list 1 and their average.
let laVideo = null, laW = 0, laH = 0, laBW = 0, laBH = 0, laFrames = null, laIntra = null, laEst = null;
function laSetup(video) {
  laVideo = video; laW = video.width >> 1; laH = video.height >> 1; laBW = laW >> 3; laBH = laH >> 3;
  laFrames = new Map(); laIntra = new Map(); laEst = new Map();
}
function laFrame(i) {
  let f = laFrames.get(i);
  if (f) return f;
  const src = laVideo.frames[i].y, w = laVideo.width;
  f = new Uint8Array(laW * laH);
  for (let y = 0; y < laH; y++) for (let x = 0; x < laW; x++) {
    const o = 2 * y * w + 2 * x;
    f[y * laW + x] = (src[o] + src[o + 1] + src[o + w] + src[o + w + 1] + 2) >> 2;
  }
  laFrames.set(i, f);
  return f;
}
function laIntraCost(i) {
  let c = laIntra.get(i);
  if (c) return c;
  const f = laFrame(i);
  c = new Int32Array(laBW * laBH);
  for (let by = 0; by < laBH; by++) for (let bx = 0; bx < laBW; bx++) {
    const o = by * 8 * laW + bx * 8;
    let s = 0;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) s += f[o + y * laW + x];
    const m = (s + 32) >> 6;
    let d = 0;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) d += abs(f[o + y * laW + x] - m);
    c[by * laBW + bx] = d + 16;
  }
  laIntra.set(i, c);
  return c;
}
function laSad(cur, ref, o, rx, ry, limit) {
  const r0 = ry * laW + rx;
  let s = 0;
  for (let y = 0; y < 8; y++) {
    const a = o + y * laW, b = r0 + y * laW;
    for (let x = 0; x < 8; x++) { const d = cur[a + x] - ref[b + x]; s += d < 0 ? -d : d; }
    if (s >= limit) return s;
  }
  return s;
}
// Motion of picture i against picture r: per block best SAD and vector.
function laMotion(i, r) {
  const key = i * 65536 + r;
  let e = laEst.get(key);
  if (e) return e;
  const cur = laFrame(i), ref = laFrame(r), nb = laBW * laBH;
  e = { sad: new Int32Array(nb), mx: new Int16Array(nb), my: new Int16Array(nb), hx: new Int16Array(nb), hy: new Int16Array(nb) };
  for (let by = 0; by < laBH; by++) for (let bx = 0; bx < laBW; bx++) {
    const b = by * laBW + bx, px = bx * 8, py = by * 8, o = py * laW + px;
    let bmx = 0, bmy = 0, bc = laSad(cur, ref, o, px, py, INF);
    const tryV = (mx, my) => {
      const x = px + mx, y = py + my;
      if (x < 0 || y < 0 || x > laW - 8 || y > laH - 8) return;
      const c = laSad(cur, ref, o, x, y, bc) + 2 * (abs(mx) + abs(my) > 0 ? 1 : 0);
      if (c < bc) { bc = c; bmx = mx; bmy = my; }
    };
    if (bx > 0) tryV(e.mx[b - 1], e.my[b - 1]);
    if (by > 0) tryV(e.mx[b - laBW], e.my[b - laBW]);
    for (let it = 0; it < 16; it++) {
      const cx = bmx, cy = bmy;
      tryV(cx - 1, cy); tryV(cx + 1, cy); tryV(cx, cy - 1); tryV(cx, cy + 1);
      if (cx === bmx && cy === bmy) break;
    }
    e.mx[b] = bmx; e.my[b] = bmy;
    // Half-pel refinement (bilinear): at integer precision a picture two frames away looks twice as
    // costly as one frame away, which is mostly sub-pixel misalignment the real search removes.
    let hx = 2 * bmx, hy = 2 * bmy;
    const cx = hx, cy = hy;
    for (let k = 0; k < 16; k += 2) {
      const tx = cx + SUB8[k], ty = cy + SUB8[k + 1], x = px + (tx >> 1), y = py + (ty >> 1);
      if (x < 0 || y < 0 || x + 9 > laW || y + 9 > laH) continue;
      const c = laSadH(cur, ref, o, tx, ty, px, py, bc);
      if (c < bc) { bc = c; hx = tx; hy = ty; }
    }
    e.sad[b] = bc; e.hx[b] = hx; e.hy[b] = hy;
  }
  laEst.set(key, e);
  return e;
}
function laSadH(cur, ref, o, hx, hy, px, py, limit) {
  const r0 = (py + (hy >> 1)) * laW + px + (hx >> 1), fx = hx & 1, fy = (hy & 1) * laW;
  let s = 0;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const i = r0 + y * laW + x, d = cur[o + y * laW + x] - ((ref[i] + ref[i + fx] + ref[i + fy] + ref[i + fx + fy] + 2) >> 2);
      s += d < 0 ? -d : d;
    }
    if (s >= limit) return s;
  }
  return s;
}
function laCostP(a, p) {
  const e = laMotion(p, a), ic = laIntraCost(p);
  let c = 0;
  for (let b = 0; b < e.sad.length; b++) c += min(e.sad[b], ic[b]);
  return c;
}
function laCostB(a, i, p) {
  const e0 = laMotion(i, a), e1 = laMotion(i, p), ic = laIntraCost(i), cur = laFrame(i), f0 = laFrame(a), f1 = laFrame(p);
  let c = 0;
  for (let by = 0; by < laBH; by++) for (let bx = 0; bx < laBW; bx++) {
    const b = by * laBW + bx, o = by * 8 * laW + bx * 8;
    const h0x = e0.hx[b], h0y = e0.hy[b], h1x = e1.hx[b], h1y = e1.hy[b];
    const o0 = o + (h0y >> 1) * laW + (h0x >> 1), o1 = o + (h1y >> 1) * laW + (h1x >> 1);
    const a = h0x & 1, bb = (h0y & 1) * laW, c1 = h1x & 1, d1 = (h1y & 1) * laW;
    let sb = 0;
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const i = o0 + y * laW + x, j = o1 + y * laW + x;
      const p0 = (f0[i] + f0[i + a] + f0[i + bb] + f0[i + a + bb] + 2) >> 2, p1 = (f1[j] + f1[j + c1] + f1[j + d1] + f1[j + c1 + d1] + 2) >> 2;
      const d = cur[o + y * laW + x] - ((p0 + p1 + 1) >> 1);
      sb += d < 0 ? -d : d;
    }
    c += min(ic[b], e0.sad[b], e1.sad[b], sb);
  }
  return c;
}
// How many B-pictures follow anchor a (at most maxK): grows while coding the next picture as a B
// between a and a later anchor is cheaper than making it an anchor.
function chooseBCount(a, maxK) {
  if (!B_ADAPT || maxK <= 0 || laBW === 0 || laBH === 0) return maxK;
  let k = 0;
  while (k < maxK) {
    const p1 = a + k + 1, p2 = a + k + 2;
    let pb = laCostP(a, p2), pp = laCostP(a, p1) + laCostP(p1, p2);
    for (let j = a + 1; j < p2; j++) pb += B_ADAPT_WEIGHT * laCostB(a, j, p2);
    for (let j = a + 1; j < p1; j++) pp += B_ADAPT_WEIGHT * laCostB(a, j, p1);
    if (pb < pp) k++; else break;
  }
  return k;
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START frame-coding
function loadSource(f) {
  for (let y = 0; y < HP; y++) {
    const sy = (y < H ? y : H - 1) * W, d = y * WP;
    for (let x = 0; x < WP; x++) srcY[d + x] = f.y[sy + (x < W ? x : W - 1)];
  }
  const cw = (W + 1) >> 1, ch = (H + 1) >> 1;
  for (let y = 0; y < CHP; y++) {
    const sy = (y < ch ? y : ch - 1) * cw, d = y * CWP;
    for (let x = 0; x < CWP; x++) { const i = sy + (x < cw ? x : cw - 1); srcU[d + x] = f.u[i]; srcV[d + x] = f.v[i]; }
  }
}

// After the last macroblock: deblock, emit the cropped picture and, if other pictures refer to it,
// store it as a reference.
let curPoc = 0;
function finishFrame(isRef, poc) {
  if (deblockOn) deblockFrame();
  alfFrame();
  const cw = (W + 1) >> 1, ch = (H + 1) >> 1;
  const f = { y: new Uint8Array(W * H), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
  for (let y = 0; y < H; y++) f.y.set(curY.subarray(LOFF + y * LS, LOFF + y * LS + W), y * W);
  for (let y = 0; y < ch; y++) {
    f.u.set(curU.subarray(COFF + y * CS, COFF + y * CS + cw), y * cw);
    f.v.set(curV.subarray(COFF + y * CS, COFF + y * CS + cw), y * cw);
  }
  if (isRef) {
    extendEdges(curY, LS, LOFF, WP, HP, PAD);
    extendEdges(curU, CS, COFF, CWP, CHP, CPAD);
    extendEdges(curV, CS, COFF, CWP, CHP, CPAD);
    const e = storeRef(poc);
    // Its list-0 motion (vectors per 8x8, the referenced picture per macroblock; -1 none) for merge's temporal candidate.
    e.mvx.set(mvX); e.mvy.set(mvY);
    for (let m = 0; m < MBW * MBH; m++) e.rpoc[m] = mbDirMap[m] & 1 ? refs[mbRefMap[m]].poc : -1;
    if (!lazyHalf) { usePlanes(e); buildHalfPel(); }
  }
  let t = mvX; mvX = prevMvX; prevMvX = t; t = mvY; mvY = prevMvY; prevMvY = t;
  return f;
}

// Codes the loaded source frame (ftype 0 I, 1 P, 2 B) at display index poc; returns how many
// macroblocks chose intra.
function encodeFrame(quality, ftype, poc, refB) {
  frameIsP = ftype > 0; frameIsB = ftype === 2; curPoc = poc;
  if (!frameIsP && poc > 0) markLongTerm(poc);
  setFrameRefs(poc);
  const q = frameQp(quality, ftype, refB, frameQpDelta[poc]);
  setQp(q);
  if (!frameIsB) encDirect(frameIsP ? 1 : 0);
  encBits(q, 6);
  let intra = 0;
  for (let mby = 0; mby < MBH; mby++) for (let mbx = 0; mbx < MBW; mbx++) {
    if (mbx === 0) mvCostTable();
    encodeMb(mbx, mby);
    if (mbType[mby * MBW + mbx] >= 3) intra++;
  }
  return intra;
}

function encodeVideo(video, options) {
  const quality = options && options.quality !== undefined ? options.quality : 50;
  const n = video.frames.length;
  numRefs = max(1, min(4, NUM_REFS));
  const bMax = n > 2 ? max(0, min(4, B_FRAMES)) : 0;
  bPyramid = !!B_PYRAMID; longTerm = !!LONG_TERM_REF;
  dpbCap = numRefs + (bMax > 0 ? 2 : 0) + (longTerm ? 1 : 0);
  chromaDc = !!CHROMA_DC; transform8 = !!TRANSFORM_8X8; transform16 = !!TRANSFORM_16X16; chromaCfl = !!CHROMA_CFL; chroma4tap = !!CHROMA_4TAP; pRect = !!RECT_PARTITIONS && !!USE_8X8_PARTITIONS; mergeN = max(1, min(4, MERGE_CANDS)); mergeTemporal = !!MERGE_TEMPORAL && mergeN > 1; intraAng = !!INTRA_ANGULAR;
  setup(video.width, video.height);
  lazyHalf = false; alfEnc = true;
  shift = max(4, min(7, PROB_SHIFT)); slowShift = PROB_SLOW_SHIFT > shift ? min(10, PROB_SLOW_SHIFT) : 0; probCount = !!PROB_COUNT; probInit = !!PROB_INIT;
  probState();
  chromaQpOffset = max(-12, min(12, CHROMA_QP_OFFSET));
  deblockOn = !!DEBLOCK; deblockOffset = max(-6, min(6, DEBLOCK_OFFSET));
  if (bMax > 0) laSetup(video);
  encInit();
  lookahead(video);
  const frames = new Array(n);
  const saved = new Uint16Array(ST.length);
  loadSource(video.frames[0]);
  encodeFrame(quality, 0, 0, false);
  frames[0] = finishFrame(n > 1, 0);
  for (let a = 0; a < n - 1;) {
    // The next anchor, then the B-pictures before it.
    const k = bMax > 0 ? chooseBCount(a, min(bMax, n - 2 - a)) : 0, p = a + k + 1;
    if (bMax > 0) encEG(k);
    loadSource(video.frames[p]);
    const s0 = outPos, s1 = RC[1], s2 = RC[0], s3 = cache, s4 = cacheSize;
    saved.set(ST);
    const intraMbs = encodeFrame(quality, 1, p, false);
    if (intraMbs > SCENECUT_INTRA_FRACTION * MBW * MBH) {
      outPos = s0; RC[1] = s1; RC[0] = s2; cache = s3; cacheSize = s4;
      ST.set(saved);
      encodeFrame(quality, 0, p, false);
    }
    frames[p] = finishFrame(p < n - 1 || k > 0, p);
    for (const [b, ref] of bOrder(a, p)) {
      loadSource(video.frames[b]);
      encodeFrame(quality, 2, b, ref);
      frames[b] = finishFrame(ref, b);
    }
    a = p;
  }
  encFlush();
  laVideo = null; laFrames = null; laEst = null; laIntra = null;
  const hdr = [72, 50, W >> 8, W & 255, H >> 8, H & 255, n >> 8, n & 255, shift | (probCount ? 8 : 0) | (slowShift ? (slowShift - shift) << 4 : 0) | (probInit ? 128 : 0), chromaQpOffset + 16, deblockOn ? deblockOffset + 8 : 0, numRefs, (chromaDc ? 1 : 0) | (transform8 ? 2 : 0) | (chromaCfl ? 4 : 0) | (chroma4tap ? 8 : 0) | (transform16 ? 16 : 0) | (pRect ? 32 : 0) | ((mergeN - 1) << 6),
    (bMax > 0 ? 1 : 0) | (bPyramid ? 2 : 0) | (longTerm ? 4 : 0) | (mergeTemporal ? 8 : 0) | (intraAng ? 16 : 0)];
  const bytes = new Uint8Array(hdr.length + outPos);
  bytes.set(hdr, 0);
  bytes.set(out.subarray(0, outPos), hdr.length);
  return { bytes, frames };
}

function decodeFrame(poc, isB, isRef) {
  frameIsB = isB;
  frameIsP = isB || decDirect() === 1;
  curPoc = poc;
  if (!frameIsP && poc > 0) markLongTerm(poc);
  setFrameRefs(poc);
  if (frameIsP && refsAvail === 0) throw new Error('predicted picture without a reference');
  if (frameIsB && refs1.length === 0) throw new Error('B-picture without a future reference');
  const q = decBits(6);
  if (q > 51) throw new Error('bad QP');
  setQp(q);
  for (let mby = 0; mby < MBH; mby++) for (let mbx = 0; mbx < MBW; mbx++) readMb(mbx, mby);
  return finishFrame(isRef, poc);
}

function decodeVideo(bytes) {
  if (bytes.length < 14 || bytes[0] !== 72 || bytes[1] !== 50) throw new Error('not a hybrid bitstream');
  const width = (bytes[2] << 8) | bytes[3], height = (bytes[4] << 8) | bytes[5], n = (bytes[6] << 8) | bytes[7];
  if (width === 0 || height === 0) throw new Error('bad frame size in header');
  numRefs = bytes[11];
  if (numRefs < 1 || numRefs > 4) throw new Error('bad reference count in header');
  const bOn = (bytes[13] & 1) !== 0;
  bPyramid = (bytes[13] & 2) !== 0; longTerm = (bytes[13] & 4) !== 0; mergeTemporal = (bytes[13] & 8) !== 0; intraAng = (bytes[13] & 16) !== 0;
  dpbCap = numRefs + (bOn ? 2 : 0) + (longTerm ? 1 : 0);
  setup(width, height);
  lazyHalf = true; alfEnc = false;
  shift = bytes[8] & 7; probCount = (bytes[8] & 8) !== 0; slowShift = (bytes[8] >> 4) & 7; probInit = bytes[8] >= 128;
  if (slowShift) slowShift += shift;
  if (shift < 4 || slowShift > 10) throw new Error('bad probability shift in header');
  probState();
  chromaQpOffset = bytes[9] - 16;
  deblockOn = bytes[10] !== 0; deblockOffset = bytes[10] - 8;
  chromaDc = (bytes[12] & 1) !== 0; transform8 = (bytes[12] & 2) !== 0; chromaCfl = (bytes[12] & 4) !== 0; chroma4tap = (bytes[12] & 8) !== 0; transform16 = (bytes[12] & 16) !== 0; pRect = (bytes[12] & 32) !== 0; mergeN = 1 + (bytes[12] >> 6);
  decInit(bytes, 14);
  const frames = new Array(n);
  if (n > 0) frames[0] = decodeFrame(0, false, n > 1);
  for (let a = 0; a < n - 1;) {
    const k = bOn ? decEG() : 0, p = a + k + 1;
    if (p > n - 1) throw new Error('bad picture order');
    frames[p] = decodeFrame(p, false, p < n - 1 || k > 0);
    for (const [b, ref] of bOrder(a, p)) frames[b] = decodeFrame(b, true, ref);
    a = p;
  }
  return { width, height, frames };
}
// EVOLVE-BLOCK-END

export function encodeWithReconstruction(video, options) { return encodeVideo(video, options); }

export function encode(video, options) { return encodeVideo(video, options).bytes; }

export function decode(bytes) { return decodeVideo(bytes); }
