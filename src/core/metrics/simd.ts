// WebAssembly SIMD kernels for the metrics, assembled here from our own instruction lists (no
// toolchain, no binary blob): 16 samples per instruction where plain JavaScript handles one, which
// is what it takes to match ffmpeg's hand-written x86 assembly. Results are exact integers, so they
// equal the scalar code's to the last bit; when the runtime lacks WebAssembly SIMD the callers fall
// back to their JavaScript loops.

// ---- a minimal assembler ----------------------------------------------------------------------------
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f,
  F64 = 0x7c,
  V128 = 0x7b,
  VOID = 0x40;
const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  select: 0x1b,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32const: 0x41,
  i32add: 0x6a,
  i32sub: 0x6b,
  i32ltU: 0x49,
  i32geU: 0x4f,
  i32eqz: 0x45,
  f64add: 0xa0,
  f64convI32U: 0xb8,
  f64promote: 0xbb,
  i32ltS: 0x48,
  i32mul: 0x6c,
  f64const: 0x44,
};
/** SIMD instructions: the 0xfd prefix and the LEB128 sub-opcode. */
const simd = (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm];
const v = {
  load: (offset = 0) => simd(0x00, 4, ...uleb(offset)), // align 2^4
  zero: () => simd(0x0c, ...new Array(16).fill(0)),
  i16x8ExtendLowU: () => simd(0x89),
  i16x8ExtendHighU: () => simd(0x8a),
  i16x8Sub: () => simd(0x91),
  i32x4Dot: () => simd(0xba),
  i32x4Add: () => simd(0xae),
  i32x4Lane: (l: number) => simd(0x1b, l),
  i8x16SubSatU: () => simd(0x73),
  or: () => simd(0x50),
  i16x8ExtMulLowU: () => simd(0x9e),
  i16x8ExtMulHighU: () => simd(0x9f),
  store: (offset = 0) => simd(0x0b, 4, ...uleb(offset)),
  i16x8Add: () => simd(0x8e),
  i32x4PairwiseU: () => simd(0x7f),
  /** i8x16.shuffle of two vectors picking i32 lanes (0–3 first operand, 4–7 second). */
  i32x4Mul: () => simd(0xb5),
  i32x4Sub: () => simd(0xb1),
  i32x4Shl: () => simd(0xab),
  i32x4Splat: () => simd(0x11),
  f32x4FromI32: () => simd(0xfa),
  f32x4Mul: () => simd(0xe6),
  f32x4Div: () => simd(0xe7),
  f32x4Lane: (l: number) => simd(0x1f, l),
  shuffle32: (lanes: number[]) => simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
};
const get = (i: number) => [op.get, ...uleb(i)];
const set = (i: number) => [op.set, ...uleb(i)];
const i32 = (n: number) => [op.i32const, ...sleb(n)];

// ---- sse(a, b, n) -> f64: sum of squared differences of n bytes (n a multiple of 32) -----------------
// |a-b| as the OR of the two saturating differences, squared into u16 lanes (≤ 255²), pairs widened
// into i32 lanes; each lane gains at most 4·255² per 16 samples, so lanes are flushed to the f64 total
// every 64 KiB (16384·255² < 2³¹) — exact integer arithmetic throughout.
function sseFunction(): number[] {
  // params: 0 a, 1 b, 2 n; locals: 3 end, 4 chunkEnd (i32), 5 total (f64), 6 acc, 7 d, 8 va, 9 vb (v128)
  const A = 0,
    B = 1,
    N = 2,
    END = 3,
    CHUNK = 4,
    TOTAL = 5,
    ACC = 6,
    D = 7,
    VA = 8,
    VB = 9;
  const squares = (offset: number) => [
    ...get(A),
    ...v.load(offset),
    ...set(VA),
    ...get(B),
    ...v.load(offset),
    ...set(VB),
    ...get(VA),
    ...get(VB),
    ...v.i8x16SubSatU(),
    ...get(VB),
    ...get(VA),
    ...v.i8x16SubSatU(),
    ...v.or(),
    ...set(D),
    ...get(ACC),
    ...get(D),
    ...get(D),
    ...v.i16x8ExtMulLowU(),
    ...v.i32x4PairwiseU(),
    ...v.i32x4Add(),
    ...get(D),
    ...get(D),
    ...v.i16x8ExtMulHighU(),
    ...v.i32x4PairwiseU(),
    ...v.i32x4Add(),
    ...set(ACC),
  ];
  const flushLane = (l: number) => [...get(TOTAL), ...get(ACC), ...v.i32x4Lane(l), op.f64convI32U, op.f64add, ...set(TOTAL)];
  const body = [
    ...get(A),
    ...get(N),
    op.i32add,
    ...set(END),
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(A),
    ...get(END),
    op.i32geU,
    op.brIf,
    1,
    // chunkEnd = min(a + 65536, end)
    ...get(A),
    ...i32(65536),
    op.i32add,
    ...get(END),
    ...get(A),
    ...i32(65536),
    op.i32add,
    ...get(END),
    op.i32ltU,
    op.select,
    ...set(CHUNK),
    ...v.zero(),
    ...set(ACC),
    op.loop,
    VOID,
    ...squares(0),
    ...squares(16),
    ...get(A),
    ...i32(32),
    op.i32add,
    ...set(A),
    ...get(B),
    ...i32(32),
    op.i32add,
    ...set(B),
    ...get(A),
    ...get(CHUNK),
    op.i32ltU,
    op.brIf,
    0,
    op.end,
    ...flushLane(0),
    ...flushLane(1),
    ...flushLane(2),
    ...flushLane(3),
    op.br,
    0,
    op.end,
    op.end,
    ...get(TOTAL),
    op.end,
  ];
  const locals = vec([
    [...uleb(2), I32],
    [...uleb(1), F64],
    [...uleb(4), V128],
  ]);
  const code = [...locals, ...body];
  return [...uleb(code.length), ...code];
}

// ---- ssimSums(a, b, stride, stride4, out, groups, rows, outStride) ----------------------------------
// ffmpeg's ssim_4x4x2_core for `groups` x 4 adjacent 4x4 blocks on each of `rows` block rows: per block
// the i32 quadruple s1 = Σa, s2 = Σb, ss = Σ(a²+b²), s12 = Σab, written consecutively. Columns as i16
// lanes (≤ 4·255), squares by pairs with i32x4.dot, then pairs folded into blocks by shuffles.
function ssimSumsFunction(): number[] {
  const A = 0,
    B = 1,
    STRIDE = 2,
    STRIDE4 = 3,
    OUT = 4,
    GROUPS = 5,
    ROWS = 6,
    OSTRIDE = 7;
  const PA = 8,
    PB = 9,
    PO = 10,
    G = 11,
    QA = 12,
    QB = 13;
  const S1L = 14,
    S1H = 15,
    S2L = 16,
    S2H = 17,
    SSL = 18,
    SSH = 19,
    XL = 20,
    XH = 21,
    AL = 22,
    AH = 23,
    BL = 24,
    BH = 25,
    R1 = 26,
    R2 = 27;
  const addTo = (acc: number, ...expr: number[][]) => [...get(acc), ...expr.flat(), ...set(acc)];
  const dot = (x: number, y: number) => [...get(x), ...get(y), ...v.i32x4Dot()];
  const row = [
    // R1/R2 are free until the fold: they hold this row's 16 bytes of a and b.
    ...get(QA),
    ...v.load(),
    op.tee,
    R1,
    ...v.i16x8ExtendLowU(),
    ...set(AL),
    ...get(R1),
    ...v.i16x8ExtendHighU(),
    ...set(AH),
    ...get(QB),
    ...v.load(),
    op.tee,
    R2,
    ...v.i16x8ExtendLowU(),
    ...set(BL),
    ...get(R2),
    ...v.i16x8ExtendHighU(),
    ...set(BH),
    ...addTo(S1L, get(AL), v.i16x8Add()),
    ...addTo(S1H, get(AH), v.i16x8Add()),
    ...addTo(S2L, get(BL), v.i16x8Add()),
    ...addTo(S2H, get(BH), v.i16x8Add()),
    ...addTo(SSL, dot(AL, AL), v.i32x4Add(), dot(BL, BL), v.i32x4Add()),
    ...addTo(SSH, dot(AH, AH), v.i32x4Add(), dot(BH, BH), v.i32x4Add()),
    ...addTo(XL, dot(AL, BL), v.i32x4Add()),
    ...addTo(XH, dot(AH, BH), v.i32x4Add()),
    ...get(QA),
    ...get(STRIDE),
    op.i32add,
    ...set(QA),
    ...get(QB),
    ...get(STRIDE),
    op.i32add,
    ...set(QB),
  ];
  const fold = (s1: number, s2: number, ss: number, x: number, offset: number) => [
    ...get(s1),
    ...v.i32x4PairwiseU(),
    ...set(AL),
    ...get(s2),
    ...v.i32x4PairwiseU(),
    ...set(BL),
    ...get(AL),
    ...get(BL),
    ...v.shuffle32([0, 4, 2, 6]),
    ...get(AL),
    ...get(BL),
    ...v.shuffle32([1, 5, 3, 7]),
    ...v.i32x4Add(),
    ...set(R1),
    ...get(ss),
    ...get(x),
    ...v.shuffle32([0, 4, 2, 6]),
    ...get(ss),
    ...get(x),
    ...v.shuffle32([1, 5, 3, 7]),
    ...v.i32x4Add(),
    ...set(R2),
    ...get(PO),
    ...get(R1),
    ...get(R2),
    ...v.shuffle32([0, 1, 4, 5]),
    ...v.store(offset),
    ...get(PO),
    ...get(R1),
    ...get(R2),
    ...v.shuffle32([2, 3, 6, 7]),
    ...v.store(offset + 16),
  ];
  const zero = [S1L, S1H, S2L, S2H, SSL, SSH, XL, XH].flatMap((l) => [...v.zero(), ...set(l)]);
  const body = [
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(ROWS),
    op.i32eqz,
    op.brIf,
    1,
    ...get(A),
    ...set(PA),
    ...get(B),
    ...set(PB),
    ...get(OUT),
    ...set(PO),
    ...get(GROUPS),
    ...set(G),
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(G),
    op.i32eqz,
    op.brIf,
    1,
    ...zero,
    ...get(PA),
    ...set(QA),
    ...get(PB),
    ...set(QB),
    ...row,
    ...row,
    ...row,
    ...row,
    ...fold(S1L, S2L, SSL, XL, 0),
    ...fold(S1H, S2H, SSH, XH, 32),
    ...get(PA),
    ...i32(16),
    op.i32add,
    ...set(PA),
    ...get(PB),
    ...i32(16),
    op.i32add,
    ...set(PB),
    ...get(PO),
    ...i32(64),
    op.i32add,
    ...set(PO),
    ...get(G),
    ...i32(1),
    op.i32sub,
    ...set(G),
    op.br,
    0,
    op.end,
    op.end,
    ...get(A),
    ...get(STRIDE4),
    op.i32add,
    ...set(A),
    ...get(B),
    ...get(STRIDE4),
    op.i32add,
    ...set(B),
    ...get(OUT),
    ...get(OSTRIDE),
    op.i32add,
    ...set(OUT),
    ...get(ROWS),
    ...i32(1),
    op.i32sub,
    ...set(ROWS),
    op.br,
    0,
    op.end,
    op.end,
    op.end,
  ];
  const locals = vec([
    [...uleb(6), I32],
    [...uleb(14), V128],
  ]);
  const code = [...locals, ...body];
  return [...uleb(code.length), ...code];
}

// ---- ssimPlane(sums, w4, h4) -> f64: Σ over rows of (Σ over the row's windows of SSIM) ---------------
// ffmpeg's ssim_end1 on 4 windows at once: integer moments in i32x4, then single-precision products
// and quotient in f32x4 — the IEEE operations the C code (and ssim.ts's Math.fround) performs, so
// every window's float is the same; windows are added to a double in order, one row at a time.
const C1 = Math.trunc(0.01 * 0.01 * 255 * 255 * 64 + 0.5);
const C2 = Math.trunc(0.03 * 0.03 * 255 * 255 * 64 * 63 + 0.5);
function ssimPlaneFunction(): number[] {
  const SUMS = 0,
    W4 = 1,
    H4 = 2;
  const Y = 3,
    I = 4,
    P0 = 5,
    P1 = 6,
    ROWB = 7,
    WIN = 8;
  const TOTAL = 9,
    ACC = 10;
  const V0 = 11,
    V1 = 12,
    V2 = 13,
    V3 = 14,
    V4 = 15,
    T0 = 16,
    T1 = 17,
    T2 = 18,
    T3 = 19,
    S1 = 20,
    S2 = 21,
    SS = 22,
    X = 23,
    M = 24,
    R = 25;
  const vsum = (k: number, into: number) => [...get(P0), ...v.load(16 * k), ...get(P1), ...v.load(16 * k), ...v.i32x4Add(), ...set(into)];
  const add = (x: number, y: number, into: number) => [...get(x), ...get(y), ...v.i32x4Add(), ...set(into)];
  const splat = (n: number) => [...i32(n), ...v.i32x4Splat()];
  const lane = (l: number) => [
    // acc = i + l < windows ? acc + f64(lane l) : acc
    ...get(ACC),
    ...get(R),
    ...v.f32x4Lane(l),
    op.f64promote,
    op.f64add,
    ...get(ACC),
    ...get(I),
    ...i32(l),
    op.i32add,
    ...get(WIN),
    op.i32ltS,
    op.select,
    ...set(ACC),
  ];
  const body = [
    ...get(W4),
    ...i32(1),
    op.i32sub,
    ...set(WIN),
    ...get(W4),
    ...i32(16),
    op.i32mul,
    ...set(ROWB),
    ...i32(1),
    ...set(Y),
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(Y),
    ...get(H4),
    op.i32geU,
    op.brIf,
    1,
    // P1 = row y-1, P0 = row y (the sums are symmetric in the two rows)
    ...get(SUMS),
    ...get(Y),
    ...get(ROWB),
    op.i32mul,
    op.i32add,
    op.tee,
    P0,
    ...get(ROWB),
    op.i32sub,
    ...set(P1),
    op.f64const,
    ...new Array(8).fill(0),
    ...set(ACC),
    ...i32(0),
    ...set(I),
    op.block,
    VOID,
    op.loop,
    VOID,
    ...get(I),
    ...get(WIN),
    op.i32geU,
    op.brIf,
    1,
    // V[k] = block k of both rows; window j = V[j] + V[j+1] (quadruples s1, s2, ss, s12)
    ...vsum(0, V0),
    ...vsum(1, V1),
    ...vsum(2, V2),
    ...vsum(3, V3),
    ...vsum(4, V4),
    ...add(V0, V1, V0),
    ...add(V1, V2, V1),
    ...add(V2, V3, V2),
    ...add(V3, V4, V3),
    // transpose: S1 = [w0.s1 .. w3.s1], etc.
    ...get(V0),
    ...get(V1),
    ...v.shuffle32([0, 4, 1, 5]),
    ...set(T0),
    ...get(V0),
    ...get(V1),
    ...v.shuffle32([2, 6, 3, 7]),
    ...set(T1),
    ...get(V2),
    ...get(V3),
    ...v.shuffle32([0, 4, 1, 5]),
    ...set(T2),
    ...get(V2),
    ...get(V3),
    ...v.shuffle32([2, 6, 3, 7]),
    ...set(T3),
    ...get(T0),
    ...get(T2),
    ...v.shuffle32([0, 1, 4, 5]),
    ...set(S1),
    ...get(T0),
    ...get(T2),
    ...v.shuffle32([2, 3, 6, 7]),
    ...set(S2),
    ...get(T1),
    ...get(T3),
    ...v.shuffle32([0, 1, 4, 5]),
    ...set(SS),
    ...get(T1),
    ...get(T3),
    ...v.shuffle32([2, 3, 6, 7]),
    ...set(X),
    // M = s1*s2; T0 = f32(2*M + C1) * f32(2*(64*s12 - M) + C2)
    ...get(S1),
    ...get(S2),
    ...v.i32x4Mul(),
    ...set(M),
    ...get(M),
    ...get(M),
    ...v.i32x4Add(),
    ...splat(C1),
    ...v.i32x4Add(),
    ...v.f32x4FromI32(),
    ...get(X),
    ...i32(6),
    ...v.i32x4Shl(),
    ...get(M),
    ...v.i32x4Sub(),
    op.tee,
    T1,
    ...get(T1),
    ...v.i32x4Add(),
    ...splat(C2),
    ...v.i32x4Add(),
    ...v.f32x4FromI32(),
    ...v.f32x4Mul(),
    ...set(T0),
    // T2 = s1² + s2²; T3 = f32(T2 + C1) * f32(64*ss - T2 + C2)
    ...get(S1),
    ...get(S1),
    ...v.i32x4Mul(),
    ...get(S2),
    ...get(S2),
    ...v.i32x4Mul(),
    ...v.i32x4Add(),
    ...set(T2),
    ...get(T2),
    ...splat(C1),
    ...v.i32x4Add(),
    ...v.f32x4FromI32(),
    ...get(SS),
    ...i32(6),
    ...v.i32x4Shl(),
    ...get(T2),
    ...v.i32x4Sub(),
    ...splat(C2),
    ...v.i32x4Add(),
    ...v.f32x4FromI32(),
    ...v.f32x4Mul(),
    ...set(T3),
    ...get(T0),
    ...get(T3),
    ...v.f32x4Div(),
    ...set(R),
    ...lane(0),
    ...lane(1),
    ...lane(2),
    ...lane(3),
    ...get(P0),
    ...i32(64),
    op.i32add,
    ...set(P0),
    ...get(P1),
    ...i32(64),
    op.i32add,
    ...set(P1),
    ...get(I),
    ...i32(4),
    op.i32add,
    ...set(I),
    op.br,
    0,
    op.end,
    op.end,
    ...get(TOTAL),
    ...get(ACC),
    op.f64add,
    ...set(TOTAL),
    ...get(Y),
    ...i32(1),
    op.i32add,
    ...set(Y),
    op.br,
    0,
    op.end,
    op.end,
    ...get(TOTAL),
    op.end,
  ];
  const locals = vec([
    [...uleb(6), I32],
    [...uleb(2), F64],
    [...uleb(15), V128],
  ]);
  const code = [...locals, ...body];
  return [...uleb(code.length), ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const types = section(
    1,
    vec([
      [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[F64]])],
      [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])],
    ]),
  );
  const funcs = section(3, vec([uleb(0), uleb(1), uleb(0)]));
  const memory = section(5, vec([[0x00, ...uleb(1)]]));
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const exports = section(
    7,
    vec([
      [...name('sse'), 0x00, 0],
      [...name('ssimSums'), 0x00, 1],
      [...name('ssimPlane'), 0x00, 2],
      [...name('memory'), 0x02, 0],
    ]),
  );
  const code = section(10, vec([sseFunction(), ssimSumsFunction(), ssimPlaneFunction()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...funcs, ...memory, ...exports, ...code]);
}

interface Kernels {
  sse(a: number, b: number, n: number): number;
  ssimPlane(sums: number, w4: number, h4: number): number;
  ssimSums(a: number, b: number, stride: number, stride4: number, out: number, groups: number, rows: number, outStride: number): void;
  memory: WebAssembly.Memory;
}

let kernels: Kernels | null | undefined;

function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()));
    kernels = inst.exports as unknown as Kernels;
  } catch {
    kernels = null; // no WebAssembly (or no SIMD) in this runtime: the JavaScript loops are used
  }
  return kernels;
}

/** Copies two planes into the kernels' memory (growing it if needed); returns the byte offset of b. */
function stage(k: Kernels, a: Uint8Array, b: Uint8Array, extra = 0): number {
  const bOff = (a.length + 15) & ~15;
  const need = bOff + b.length + 16 + extra;
  const have = k.memory.buffer.byteLength;
  if (need > have) k.memory.grow(Math.ceil((need - have) / 65536));
  const mem = new Uint8Array(k.memory.buffer);
  mem.set(a, 0);
  mem.set(b, bOff);
  return bOff;
}

export function simdAvailable(): boolean {
  return load() !== null;
}

/** Exact sum of squared differences of two equally long planes, or undefined without WebAssembly SIMD. */
export function sseSimd(a: Uint8Array, b: Uint8Array): number | undefined {
  const k = load();
  if (!k) return undefined;
  const bOff = stage(k, a, b);
  const n32 = a.length & ~31;
  let total = k.sse(0, bOff, n32);
  for (let i = n32; i < a.length; i++) {
    const d = a[i] - b[i];
    total += d * d;
  }
  return total;
}

/**
 * The 4x4 block sums of two planes for SSIM, every block row of the plane: an Int32Array of
 * rows (height>>2) x blocks (width>>2) x [s1, s2, ss, s12], or undefined without WebAssembly SIMD.
 * The view is over the kernels' memory: valid until the next call.
 */
export function ssimBlockSumsSimd(a: Uint8Array, b: Uint8Array, width: number, height: number): Int32Array | undefined {
  const k = load();
  if (!k) return undefined;
  const w4 = width >> 2,
    h4 = height >> 2;
  const rowBytes = w4 * 16;
  // 64 spare bytes: the last window group of a row reads up to 4 blocks past its end (lanes not added).
  const bOff = stage(k, a, b, rowBytes * h4 + 16 + 64);
  const out = (bOff + b.length + 15) & ~15;
  const groups = w4 >> 2;
  if (groups > 0) k.ssimSums(0, bOff, width, 4 * width, out, groups, h4, rowBytes);
  const sums = new Int32Array(k.memory.buffer, out, w4 * h4 * 4);
  // Blocks right of the last whole group of four: the same sums, one block at a time.
  for (let y = 0; y < h4; y++) {
    for (let z = groups * 4; z < w4; z++) {
      let s1 = 0,
        s2 = 0,
        ss = 0,
        s12 = 0;
      for (let r = 0; r < 4; r++) {
        const p = (4 * y + r) * width + 4 * z;
        for (let c = 0; c < 4; c++) {
          const x = a[p + c],
            q = b[p + c];
          s1 += x;
          s2 += q;
          ss += x * x + q * q;
          s12 += x * q;
        }
      }
      const o = 4 * (y * w4 + z);
      sums[o] = s1;
      sums[o + 1] = s2;
      sums[o + 2] = ss;
      sums[o + 3] = s12;
    }
  }
  return sums;
}

/**
 * Σ over block rows 1..h4-1 of the row's summed window SSIM, from the sums the last
 * ssimBlockSumsSimd call left in the kernels' memory (pass its result).
 */
export function ssimRowsSimd(sums: Int32Array, w4: number, h4: number): number {
  return load()!.ssimPlane(sums.byteOffset, w4, h4);
}
