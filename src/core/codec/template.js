// template — a starting point for a codec: closed-loop DPCM (each pixel predicted from already
// decoded neighbours, and from the previous decoded frame after the first), a uniform quantiser
// on the prediction residual set by `quality`, and adaptive Rice codes (LOCO-I style).
// The contract is in codec.d.ts: one self-contained module, no imports; encode and decode run in
// separate sandboxed processes, so everything decode needs must be in the returned bytes.
//
// Bitstream: 'T','1', width u16, height u16, frame count u16, luma step u8, chroma step u8, then
// one bit stream, plane by plane, frame by frame: per row segment a skip flag, then Rice-coded residuals.

// Each algorithmic region sits in a named EVOLVE-BLOCK (what an edit may change); outside stay only
// `meta` and the exported entry points, thin wrappers around functions inside the blocks.

export const meta = { name: 'template', description: 'closed-loop DPCM + temporal prediction, uniform quantiser, adaptive Rice codes' };


// EVOLVE-BLOCK-START quantiser
// Quantiser step = STEP_SCALE * 2^((100 - quality) / OCTAVE_SPAN); quality 100 is lossless at scale 1.
const STEP_SCALE = 1.0;         // @evolve float 0.5 3
const OCTAVE_SPAN = 16;         // @evolve float 8 30
// Chroma weighs 1/8 each in PSNR-YUV: a coarser step there saves rate for little loss.
const CHROMA_STEP_SCALE = 1.5;  // @evolve float 1 4

function stepFor(quality, scale) {
  const q = Math.min(100, Math.max(0, quality));
  return Math.max(1, Math.min(255, Math.round(scale * Math.pow(2, (100 - q) / OCTAVE_SPAN))));
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START entropy-coding
class BitWriter {
  constructor() { this.buf = new Uint8Array(1 << 16); this.pos = 0; this.acc = 0; this.n = 0; }
  bit(b) {
    this.acc = (this.acc << 1) | b;
    if (++this.n === 8) {
      if (this.pos === this.buf.length) { const g = new Uint8Array(this.buf.length * 2); g.set(this.buf); this.buf = g; }
      this.buf[this.pos++] = this.acc; this.acc = 0; this.n = 0;
    }
  }
  bits(v, k) { for (let i = k - 1; i >= 0; i--) this.bit((v >>> i) & 1); }
  finish() { while (this.n) this.bit(0); return this.buf.subarray(0, this.pos); }
}

class BitReader {
  constructor(bytes, pos) { this.b = bytes; this.pos = pos * 8; }
  bit() { const p = this.pos++; return p >> 3 < this.b.length ? (this.b[p >> 3] >> (7 - (p & 7))) & 1 : 0; }
  bits(k) { let v = 0; for (let i = 0; i < k; i++) v = (v << 1) | this.bit(); return v; }
}

// Adaptive Rice parameter from the running mean of coded magnitudes (LOCO-I).
class Rice {
  constructor() { this.a = 4; this.n = 1; }
  k() { let k = 0; while ((this.n << k) < this.a && k < 16) k++; return k; }
  update(u) { this.a += u; if (++this.n === 64) { this.a >>= 1; this.n >>= 1; } }
  write(w, u) {
    const k = this.k(), q = u >>> k;
    if (q < 24) { for (let i = 0; i < q; i++) w.bit(1); w.bit(0); w.bits(u & ((1 << k) - 1), k); }
    else { for (let i = 0; i < 24; i++) w.bit(1); w.bits(u, 18); }
    this.update(u);
  }
  read(r) {
    const k = this.k();
    let q = 0;
    while (q < 24 && r.bit()) q++;
    const u = q < 24 ? (q << k) | r.bits(k) : r.bits(18);
    this.update(u);
    return u;
  }
}

const zig = (v) => (v >= 0 ? 2 * v : -2 * v - 1);
const unzig = (u) => (u & 1 ? -((u + 1) >> 1) : u >> 1);
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START prediction
// MED predictor on the (current - reference) image: left, top, top-left neighbours.
function predict(d, x, y, w) {
  const a = x > 0 ? d[y * w + x - 1] : y > 0 ? d[(y - 1) * w + x] : 0;
  const b = y > 0 ? d[(y - 1) * w + x] : a;
  const c = x > 0 && y > 0 ? d[(y - 1) * w + x - 1] : b;
  return c >= Math.max(a, b) ? Math.min(a, b) : c <= Math.min(a, b) ? Math.max(a, b) : a + b - c;
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START plane-coding
// Pixels per skip flag: longer segments make flat areas cheaper, shorter ones skip more often.
const SEGMENT = 16;             // @evolve int 4 64

// Codes one plane in both directions: the encoder runs the decoder's reconstruction so the two
// never drift apart. `io` is a writer (encode) or a reader (decode). Each row is cut into segments
// of SEGMENT pixels with a one-bit flag: an all-zero segment (flat or unchanged area) costs 1 bit.
function plane(src, ref, out, w, h, step, rice, io, encoding) {
  const d = new Int16Array(w * h);
  const q = new Int32Array(SEGMENT);
  for (let y = 0; y < h; y++) for (let x0 = 0; x0 < w; x0 += SEGMENT) {
    const n = Math.min(SEGMENT, w - x0);
    let any = 0;
    if (encoding) {
      for (let k = 0; k < n; k++) {
        const i = y * w + x0 + k, base = ref ? ref[i] : 128;
        const pred = predict(d, x0 + k, y, w);
        const r = src[i] - base - pred;
        q[k] = r >= 0 ? Math.floor((r + (step >> 1)) / step) : -Math.floor((-r + (step >> 1)) / step);
        any |= q[k];
        d[i] = Math.min(255, Math.max(0, base + pred + q[k] * step)) - base;
      }
      io.bit(any ? 1 : 0);
      if (any) for (let k = 0; k < n; k++) rice.write(io, zig(q[k]));
    } else {
      any = io.bit();
    }
    for (let k = 0; k < n; k++) {
      const i = y * w + x0 + k, base = ref ? ref[i] : 128;
      const pred = predict(d, x0 + k, y, w);
      const qk = encoding ? q[k] : any ? unzig(rice.read(io)) : 0;
      const rec = Math.min(255, Math.max(0, base + pred + qk * step));
      out[i] = rec;
      d[i] = rec - base;
    }
  }
}
// EVOLVE-BLOCK-END

// EVOLVE-BLOCK-START frame-coding
// Temporal prediction wins on static content; on cuts the intra predictor is better.
const USE_TEMPORAL = true;      // @evolve bool

function run(video, steps, io, encoding) {
  const { width: w, height: h } = video;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const rices = [new Rice(), new Rice(), new Rice()];
  const decoded = [];
  let prev = null;
  for (let f = 0; f < video.count; f++) {
    const src = encoding ? video.frames[f] : null;
    const rec = { y: new Uint8Array(w * h), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
    const ref = USE_TEMPORAL ? prev : null;
    plane(src && src.y, ref && ref.y, rec.y, w, h, steps[0], rices[0], io, encoding);
    plane(src && src.u, ref && ref.u, rec.u, cw, ch, steps[1], rices[1], io, encoding);
    plane(src && src.v, ref && ref.v, rec.v, cw, ch, steps[1], rices[2], io, encoding);
    decoded.push(rec);
    prev = rec;
  }
  return decoded;
}

function encodeVideo(video, options) {
  const steps = [stepFor(options.quality, STEP_SCALE), stepFor(options.quality, STEP_SCALE * CHROMA_STEP_SCALE)];
  const w = new BitWriter();
  run({ ...video, count: video.frames.length }, steps, w, true);
  const body = w.finish();
  const n = video.frames.length;
  const head = Uint8Array.of(84, 49, video.width & 255, video.width >> 8, video.height & 255, video.height >> 8, n & 255, n >> 8, steps[0], steps[1]);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function decodeVideo(bytes) {
  if (bytes[0] !== 84 || bytes[1] !== 49) throw new Error('not a template bitstream');
  const width = bytes[2] | (bytes[3] << 8), height = bytes[4] | (bytes[5] << 8), count = bytes[6] | (bytes[7] << 8);
  const frames = run({ width, height, count }, [bytes[8], bytes[9]], new BitReader(bytes, 10), false);
  return { width, height, frames };
}
// EVOLVE-BLOCK-END

export function encode(video, options) { return encodeVideo(video, options); }

export function decode(bytes) { return decodeVideo(bytes); }
