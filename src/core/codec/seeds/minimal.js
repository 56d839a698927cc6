// minimal — the smallest honest codec: every frame coded on its own (intra only) as 8x8 blocks,
// an integer approximation of the DCT, one uniform quantiser step per plane set by `quality`,
// and exp-Golomb codes. No prediction between frames, no entropy-coder adaptation: it is the
// floor any candidate should beat, and fast enough for smoke tests.
//
// Bitstream: 'M','1', width u16, height u16, frame count u16, luma step*16 u16, chroma step*16 u16,
// rounding*256 u8, then one exp-Golomb bit stream for all frames. Everything the decoder needs
// is in that header, so encoder constants below can change without breaking decode.

// Each algorithmic region sits in a named EVOLVE-BLOCK (what an edit may change); outside stay only
// `meta` and the exported entry points, thin wrappers around functions inside the blocks.

export const meta = { name: 'minimal', description: 'intra-only 8x8 integer DCT, uniform quantiser, exp-Golomb' };

// Built-ins bound once: inside a sandbox every global lookup goes through the context object.
const { abs, min, max, floor, round, sqrt, pow, cos, PI } = Math;
const INF = 1e300;

// EVOLVE-BLOCK-START quantiser
// Quantiser step at quality 100 and how many octaves quality 0..100 spans; together they decide the
// PSNR range the quality knob covers (about 28..50 dB on camera footage).
const STEP_AT_Q100 = 0.7;       // @evolve float 0.4 2
const STEP_OCTAVES = 7.5;       // @evolve float 5 9
// Chroma is smoother and weighs less in PSNR-Y: a coarser step there buys rate almost for free.
const CHROMA_STEP_SCALE = 1.4;  // @evolve float 0.5 3
// Rounding offset of the quantiser: 0.5 rounds to nearest; smaller values widen the dead zone,
// zeroing more small coefficients (fewer bits, a little more distortion).
const ROUNDING = 0.4;           // @evolve float 0.05 0.5

function steps(quality) {
  const v = Number(quality), q = v >= 0 ? min(100, v) : 0; // NaN reads as 0
  const luma = min(4000, max(1, round(16 * STEP_AT_Q100 * pow(2, ((100 - q) / 100) * STEP_OCTAVES))));
  const chroma = min(4000, max(1, round(luma * CHROMA_STEP_SCALE)));
  return { luma, chroma };
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START transform
const ZIGZAG = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

// Orthonormal 8-point DCT basis scaled by 1024 and rounded: integer arithmetic keeps encoder and decoder
// bit-identical on any engine.
const T = new Int32Array(64);
for (let k = 0; k < 8; k++) {
  const a = k === 0 ? sqrt(1 / 8) : 0.5;
  for (let n = 0; n < 8; n++) T[k * 8 + n] = round(1024 * a * cos(((2 * n + 1) * k * PI) / 16));
}
const tmp = new Int32Array(64);

function fdct(blk, out) {
  for (let k = 0; k < 8; k++) for (let c = 0; c < 8; c++) {
    let s = 0;
    for (let n = 0; n < 8; n++) s += T[k * 8 + n] * blk[n * 8 + c];
    tmp[k * 8 + c] = (s + 512) >> 10;
  }
  for (let r = 0; r < 8; r++) for (let k = 0; k < 8; k++) {
    let s = 0;
    for (let n = 0; n < 8; n++) s += tmp[r * 8 + n] * T[k * 8 + n];
    out[r * 8 + k] = (s + 512) >> 10;
  }
}

function idct(coef, out) {
  for (let n = 0; n < 8; n++) for (let c = 0; c < 8; c++) {
    let s = 0;
    for (let k = 0; k < 8; k++) s += T[k * 8 + n] * coef[k * 8 + c];
    tmp[n * 8 + c] = (s + 512) >> 10;
  }
  for (let r = 0; r < 8; r++) for (let n = 0; n < 8; n++) {
    let s = 0;
    for (let k = 0; k < 8; k++) s += tmp[r * 8 + k] * T[k * 8 + n];
    out[r * 8 + n] = (s + 512) >> 10;
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START entropy-coding
class BitWriter {
  constructor() { this.buf = new Uint8Array(1 << 16); this.pos = 0; this.acc = 0; this.n = 0; }
  // Writes the n (<= 24) low bits of v, most significant first.
  bits(v, n) {
    this.acc = (this.acc << n) | (v & ((1 << n) - 1)); this.n += n;
    while (this.n >= 8) {
      if (this.pos === this.buf.length) { const nb = new Uint8Array(this.buf.length * 2); nb.set(this.buf); this.buf = nb; }
      this.n -= 8; this.buf[this.pos++] = (this.acc >>> this.n) & 255;
    }
    this.acc &= (1 << this.n) - 1;
  }
  ue(v) {
    const x = v + 1; const len = 31 - Math.clz32(x);
    if (len > 12) { this.bits(0, len); this.bits(x, len + 1); } else this.bits(x, 2 * len + 1);
  }
  se(v) { this.ue(v > 0 ? 2 * v - 1 : -2 * v); }
  finish() { if (this.n > 0) this.bits(0, 8 - this.n); return this.buf.subarray(0, this.pos); }
}

class BitReader {
  constructor(bytes, pos) { this.b = bytes; this.pos = pos * 8; }
  bit() { const p = this.pos++; const byte = p >> 3; return byte < this.b.length ? (this.b[byte] >> (7 - (p & 7))) & 1 : 0; }
  bits(n) { let v = 0; for (let i = 0; i < n; i++) v = (v << 1) | this.bit(); return v; }
  ue() {
    let len = 0;
    while (this.bit() === 0) { if (++len > 30) throw new Error('corrupt exp-Golomb code'); }
    return len === 0 ? 0 : ((1 << len) | this.bits(len)) - 1;
  }
  se() { const k = this.ue(); return k & 1 ? (k + 1) >> 1 : -(k >> 1); }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START block-coding
const blk = new Int32Array(64);
const coef = new Int32Array(64);
const rec = new Int32Array(64);

// Codes one plane (w x h) block by block; with `w` given it encodes `src` and writes the decoder's
// reconstruction into `dst`; the DC of each block is predicted from the previous block's.
function encodePlane(bw, src, w, h, step, rounding, dst) {
  let prevDc = 0;
  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    for (let y = 0; y < 8; y++) {
      const sy = min(by + y, h - 1) * w;
      for (let x = 0; x < 8; x++) blk[y * 8 + x] = src[sy + min(bx + x, w - 1)] - 128;
    }
    fdct(blk, coef);
    for (let i = 0; i < 64; i++) {
      const c = coef[i]; const q = floor(abs(c) / step + rounding);
      coef[i] = c < 0 ? -q : q;
    }
    bw.se(coef[0] - prevDc); prevDc = coef[0];
    let nnz = 0;
    for (let i = 1; i < 64; i++) if (coef[ZIGZAG[i]] !== 0) nnz++;
    bw.ue(nnz);
    let run = 0;
    for (let i = 1; i < 64 && nnz > 0; i++) {
      const c = coef[ZIGZAG[i]];
      if (c === 0) { run++; continue; }
      bw.ue(run); bw.se(c); run = 0; nnz--;
    }
    reconstructBlock(coef, step, dst, w, h, bx, by);
  }
}

function decodePlane(br, dst, w, h, step) {
  let prevDc = 0;
  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    coef.fill(0);
    prevDc += br.se(); coef[0] = prevDc;
    let nnz = br.ue();
    if (nnz > 63) throw new Error('corrupt block');
    let i = 1;
    while (nnz-- > 0) {
      i += br.ue();
      if (i > 63) throw new Error('corrupt block');
      coef[ZIGZAG[i++]] = br.se();
    }
    reconstructBlock(coef, step, dst, w, h, bx, by);
  }
}

function reconstructBlock(q, step, dst, w, h, bx, by) {
  for (let i = 0; i < 64; i++) blk[i] = round(q[i] * step);
  idct(blk, rec);
  for (let y = 0; y < 8 && by + y < h; y++) for (let x = 0; x < 8 && bx + x < w; x++) {
    const v = rec[y * 8 + x] + 128;
    dst[(by + y) * w + bx + x] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START frame-coding
function encodeVideo(video, options) {
  const { width, height, frames } = video;
  const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
  const quality = options && options.quality !== undefined ? options.quality : 50;
  const st = steps(quality);
  const rounding = max(0, min(255, round(ROUNDING * 256)));
  const bw = new BitWriter();
  const out = [];
  for (const f of frames) {
    const r = { y: new Uint8Array(width * height), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
    encodePlane(bw, f.y, width, height, st.luma / 16, rounding / 256, r.y);
    encodePlane(bw, f.u, cw, ch, st.chroma / 16, rounding / 256, r.u);
    encodePlane(bw, f.v, cw, ch, st.chroma / 16, rounding / 256, r.v);
    out.push(r);
  }
  const body = bw.finish();
  const bytes = new Uint8Array(13 + body.length);
  const hdr = [77, 49, width >> 8, width & 255, height >> 8, height & 255, frames.length >> 8, frames.length & 255,
    st.luma >> 8, st.luma & 255, st.chroma >> 8, st.chroma & 255, rounding];
  bytes.set(hdr, 0);
  bytes.set(body, 13);
  return { bytes, frames: out };
}

function decodeVideo(bytes) {
  if (bytes.length < 13 || bytes[0] !== 77 || bytes[1] !== 49) throw new Error('not a minimal bitstream');
  const width = (bytes[2] << 8) | bytes[3], height = (bytes[4] << 8) | bytes[5], n = (bytes[6] << 8) | bytes[7];
  const lumaStep = ((bytes[8] << 8) | bytes[9]) / 16, chromaStep = ((bytes[10] << 8) | bytes[11]) / 16;
  const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
  const br = new BitReader(bytes, 13);
  const frames = [];
  for (let i = 0; i < n; i++) {
    const f = { y: new Uint8Array(width * height), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
    decodePlane(br, f.y, width, height, lumaStep);
    decodePlane(br, f.u, cw, ch, chromaStep);
    decodePlane(br, f.v, cw, ch, chromaStep);
    frames.push(f);
  }
  return { width, height, frames };
}
// EVOLVE-BLOCK-END

export function encodeWithReconstruction(video, options) { return encodeVideo(video, options); }

export function encode(video, options) { return encodeVideo(video, options).bytes; }

export function decode(bytes) { return decodeVideo(bytes); }
