// Five algorithmic edits a scripted model sends against the opened minimal seed (src/core/codec/seeds/
// minimal.js, whose blocks are quantiser, transform, entropy-coding, block-coding, frame-coding). Each is
// a coding tool, not a constant, written in the answer format a model uses (SEARCH/REPLACE and REPLACE
// BLOCK), so it travels the real path: parse, apply inside the blocks, validate, sandbox, score, record.
// They were written for the 80x44 tree clip; the scripted-model test measures them on talking heads.

const SR = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;
const BLOCK = (name: string, body: string) => `REPLACE BLOCK ${name}\n\`\`\`js\n${body.trim()}\n\`\`\``;

export interface ScriptedEdit {
  name: string;
  tool: string;
  reply: string;
  blocks: string[];
}

// The seed's block-coding loop head and quantiser, quoted by the SEARCH/REPLACE edits.
const QUANTISE = `    fdct(blk, coef);
    for (let i = 0; i < 64; i++) {
      const c = coef[i]; const q = floor(abs(c) / step + rounding);
      coef[i] = c < 0 ? -q : q;
    }`;

// 1. Temporal prediction: an inter mode (zero motion) per 8x8 block, chosen by residual energy.
const INTER_BLOCK = `
const blk = new Int32Array(64);
const coef = new Int32Array(64);
const rec = new Int32Array(64);
const pred = new Int32Array(64);

// The predictor of a block: mid-grey (intra, DC carried by the coefficients) or the co-located block
// of the previous decoded frame (inter): on static content the inter residual is almost nothing.
function loadPred(ref, w, h, bx, by, inter) {
  for (let y = 0; y < 8; y++) {
    const sy = min(by + y, h - 1) * w;
    for (let x = 0; x < 8; x++) pred[y * 8 + x] = inter ? ref[sy + min(bx + x, w - 1)] : 128;
  }
}

// Codes one plane block by block; with a reference plane each block first sends one bit: 1 = inter.
function encodePlane(bw, src, w, h, step, rounding, dst, ref) {
  let prevDc = 0;
  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    let inter = 0;
    if (ref) {
      let sadInter = 0, sum = 0;
      for (let y = 0; y < 8; y++) {
        const sy = min(by + y, h - 1) * w;
        for (let x = 0; x < 8; x++) { const i = sy + min(bx + x, w - 1); sadInter += abs(src[i] - ref[i]); sum += src[i]; }
      }
      const mean = sum / 64;
      let sadIntra = 0;
      for (let y = 0; y < 8; y++) {
        const sy = min(by + y, h - 1) * w;
        for (let x = 0; x < 8; x++) sadIntra += abs(src[sy + min(bx + x, w - 1)] - mean);
      }
      inter = sadInter <= sadIntra ? 1 : 0;
      bw.bits(inter, 1);
    }
    loadPred(ref, w, h, bx, by, inter);
    for (let y = 0; y < 8; y++) {
      const sy = min(by + y, h - 1) * w;
      for (let x = 0; x < 8; x++) blk[y * 8 + x] = src[sy + min(bx + x, w - 1)] - pred[y * 8 + x];
    }
    fdct(blk, coef);
    for (let i = 0; i < 64; i++) {
      const c = coef[i]; const q = floor(abs(c) / step + rounding);
      coef[i] = c < 0 ? -q : q;
    }
    // An inter block's DC is a small correction, not a level: it is not predicted from the previous DC.
    if (inter) bw.se(coef[0]); else { bw.se(coef[0] - prevDc); prevDc = coef[0]; }
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

function decodePlane(br, dst, w, h, step, ref) {
  let prevDc = 0;
  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    const inter = ref ? br.bit() : 0;
    loadPred(ref, w, h, bx, by, inter);
    coef.fill(0);
    if (inter) coef[0] = br.se(); else { prevDc += br.se(); coef[0] = prevDc; }
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
    const v = rec[y * 8 + x] + pred[y * 8 + x];
    dst[(by + y) * w + bx + x] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}`;

const INTER_FRAMES = [
  SR(
    `  const out = [];
  for (const f of frames) {
    const r = { y: new Uint8Array(width * height), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
    encodePlane(bw, f.y, width, height, st.luma / 16, rounding / 256, r.y);
    encodePlane(bw, f.u, cw, ch, st.chroma / 16, rounding / 256, r.u);
    encodePlane(bw, f.v, cw, ch, st.chroma / 16, rounding / 256, r.v);
    out.push(r);
  }`,
    `  const out = [];
  let prev = null;
  for (const f of frames) {
    const r = { y: new Uint8Array(width * height), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
    encodePlane(bw, f.y, width, height, st.luma / 16, rounding / 256, r.y, prev && prev.y);
    encodePlane(bw, f.u, cw, ch, st.chroma / 16, rounding / 256, r.u, prev && prev.u);
    encodePlane(bw, f.v, cw, ch, st.chroma / 16, rounding / 256, r.v, prev && prev.v);
    out.push(r);
    prev = r;
  }`,
  ),
  SR(
    `  for (let i = 0; i < n; i++) {
    const f = { y: new Uint8Array(width * height), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
    decodePlane(br, f.y, width, height, lumaStep);
    decodePlane(br, f.u, cw, ch, chromaStep);
    decodePlane(br, f.v, cw, ch, chromaStep);
    frames.push(f);
  }`,
    `  let prev = null;
  for (let i = 0; i < n; i++) {
    const f = { y: new Uint8Array(width * height), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) };
    decodePlane(br, f.y, width, height, lumaStep, prev && prev.y);
    decodePlane(br, f.u, cw, ch, chromaStep, prev && prev.u);
    decodePlane(br, f.v, cw, ch, chromaStep, prev && prev.v);
    frames.push(f);
    prev = f;
  }`,
  ),
];

// 2. Spatial intra prediction: DC, horizontal and vertical predictors from decoded neighbours.
const INTRA_HEAD = `// Spatial intra prediction: besides the flat predictor (mode 0, DC chained from the previous block),
// a block may be predicted from its decoded neighbours: 1 = DC of left column and top row,
// 2 = horizontal (left column), 3 = vertical (top row). Edges and gradients then cost far fewer bits.
const pred = new Int32Array(64);

function intraPred(dst, w, h, bx, by, mode) {
  const hasL = bx > 0, hasT = by > 0;
  let dc = 128;
  if (mode === 1) {
    let s = 0, n = 0;
    if (hasL) for (let y = 0; y < 8; y++) { s += dst[min(by + y, h - 1) * w + bx - 1]; n++; }
    if (hasT) for (let x = 0; x < 8; x++) { s += dst[(by - 1) * w + min(bx + x, w - 1)]; n++; }
    if (n) dc = round(s / n);
  }
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    pred[y * 8 + x] = mode === 2 && hasL ? dst[min(by + y, h - 1) * w + bx - 1]
      : mode === 3 && hasT ? dst[(by - 1) * w + min(bx + x, w - 1)]
      : mode === 1 ? dc : 128;
  }
}
`;

const INTRA_EDITS = [
  SR(
    `const rec = new Int32Array(64);
`,
    `const rec = new Int32Array(64);
${INTRA_HEAD}`,
  ),
  SR(
    `  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    for (let y = 0; y < 8; y++) {
      const sy = min(by + y, h - 1) * w;
      for (let x = 0; x < 8; x++) blk[y * 8 + x] = src[sy + min(bx + x, w - 1)] - 128;
    }
    fdct(blk, coef);`,
    `  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    // Mode by the sum of absolute residuals after removing their mean (the flat mode codes the mean
    // as DC anyway); a neighbour mode must beat it clearly, since its DC is coded in full.
    let best = 0, bestCost = INF;
    for (let mode = 0; mode < 4; mode++) {
      if ((mode === 2 && bx === 0) || (mode === 3 && by === 0) || (mode === 1 && bx === 0 && by === 0)) continue;
      intraPred(dst, w, h, bx, by, mode);
      let sum = 0;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) sum += src[min(by + y, h - 1) * w + min(bx + x, w - 1)] - pred[y * 8 + x];
      const mean = mode === 0 ? sum / 64 : 0;
      let cost = mode === 0 ? 0 : 8 * step;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) cost += abs(src[min(by + y, h - 1) * w + min(bx + x, w - 1)] - pred[y * 8 + x] - mean);
      if (cost < bestCost) { bestCost = cost; best = mode; }
    }
    bw.ue(best);
    intraPred(dst, w, h, bx, by, best);
    for (let y = 0; y < 8; y++) {
      const sy = min(by + y, h - 1) * w;
      for (let x = 0; x < 8; x++) blk[y * 8 + x] = src[sy + min(bx + x, w - 1)] - pred[y * 8 + x];
    }
    fdct(blk, coef);`,
  ),
  SR(
    `    bw.se(coef[0] - prevDc); prevDc = coef[0];
    let nnz = 0;`,
    `    if (best === 0) { bw.se(coef[0] - prevDc); prevDc = coef[0]; } else bw.se(coef[0]);
    let nnz = 0;`,
  ),
  SR(
    `    coef.fill(0);
    prevDc += br.se(); coef[0] = prevDc;`,
    `    const mode = br.ue();
    if (mode > 3) throw new Error('corrupt intra mode');
    intraPred(dst, w, h, bx, by, mode);
    coef.fill(0);
    if (mode === 0) { prevDc += br.se(); coef[0] = prevDc; } else coef[0] = br.se();`,
  ),
  SR(`    const v = rec[y * 8 + x] + 128;`, `    const v = rec[y * 8 + x] + pred[y * 8 + x];`),
];

// 3. Adaptive quantisation by block variance, signalled per block.
const AQ_EDITS = [
  SR(
    `function encodePlane(bw, src, w, h, step, rounding, dst) {`,
    `// Adaptive quantisation by block variance: a flat block (low variance) shows every error and costs
// few bits, so it gets a finer step; a busy block a coarser one. The choice (0 = x1, 1 = x0.75,
// 2 = x1.33) is sent per block as an exp-Golomb code, so the decoder needs nothing else.
const AQ_SCALE = [1, 0.75, 1.3333];

function aqIndex(src, w, h, bx, by, step) {
  let s = 0, s2 = 0;
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
    const v = src[min(by + y, h - 1) * w + min(bx + x, w - 1)];
    s += v; s2 += v * v;
  }
  const variance = s2 / 64 - (s / 64) * (s / 64);
  // Against the quantiser's own noise (step^2/12): far below it, refine; far above, coarsen.
  const noise = (step * step) / 12;
  return variance < 0.5 * noise ? 1 : variance > 16 * noise ? 2 : 0;
}

function encodePlane(bw, src, w, h, step0, rounding, dst) {`,
  ),
  SR(
    `    fdct(blk, coef);
    for (let i = 0; i < 64; i++) {`,
    `    const aq = aqIndex(src, w, h, bx, by, step0);
    const step = step0 * AQ_SCALE[aq];
    bw.ue(aq);
    fdct(blk, coef);
    for (let i = 0; i < 64; i++) {`,
  ),
  SR(
    `function decodePlane(br, dst, w, h, step) {
  let prevDc = 0;
  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    coef.fill(0);`,
    `function decodePlane(br, dst, w, h, step0) {
  let prevDc = 0;
  for (let by = 0; by < h; by += 8) for (let bx = 0; bx < w; bx += 8) {
    const aq = br.ue();
    if (aq > 2) throw new Error('corrupt aq index');
    const step = step0 * AQ_SCALE[aq];
    coef.fill(0);`,
  ),
];

// 4. Trellis-style quantiser decision: lower levels toward zero when the bits saved outweigh the error.
const RDOQ_EDITS = [
  SR(
    QUANTISE,
    `    fdct(blk, coef);
    coefIn.set(coef);
    for (let i = 0; i < 64; i++) {
      const c = coef[i]; const q = floor(abs(c) / step + rounding);
      coef[i] = c < 0 ? -q : q;
    }
    rdoQuantise(coef, step, prevDc);`,
  ),
  SR(
    `function decodePlane(br, dst, w, h, step) {`,
    `// Bits the block's syntax would take (DC difference, count, runs and levels), as the writer sends them.
function egBits(v) { return 2 * (31 - Math.clz32(v + 1)) + 1; }
function seBits(v) { return egBits(v > 0 ? 2 * v - 1 : -2 * v); }
function blockBits(q, prevDc) {
  let bits = seBits(q[0] - prevDc), nnz = 0;
  for (let i = 1; i < 64; i++) if (q[ZIGZAG[i]] !== 0) nnz++;
  bits += egBits(nnz);
  let run = 0;
  for (let i = 1; i < 64; i++) {
    const c = q[ZIGZAG[i]];
    if (c === 0) { run++; continue; }
    bits += egBits(run) + seBits(c); run = 0;
  }
  return bits;
}

// Trellis-style decision, greedy from the last coefficient back: each level may drop by one toward
// zero when distortion (the transform is orthonormal: coefficient error = pixel error) plus
// lambda times the exact change in bits goes down. lambda = 0.13 step^2 is the usual
// mode-decision lambda of H.264 in units of this quantiser's step.
function rdoQuantise(q, step, prevDc) {
  const lambda = 0.13 * step * step;
  let bits = blockBits(q, prevDc);
  for (let k = 63; k >= 1; k--) {
    const i = ZIGZAG[k], level = q[i];
    if (level === 0 || abs(level) > 2) continue;
    const c = coefIn[i];
    const next = level > 0 ? level - 1 : level + 1;
    const dOld = (c - level * step) * (c - level * step), dNew = (c - next * step) * (c - next * step);
    q[i] = next;
    const b = blockBits(q, prevDc);
    if (dNew - dOld + lambda * (b - bits) < 0) bits = b; else q[i] = level;
  }
}

function decodePlane(br, dst, w, h, step) {`,
  ),
  SR(
    `const rec = new Int32Array(64);`,
    `const rec = new Int32Array(64);
// Unquantised coefficients of the block being coded (the quantiser decision compares against them).
const coefIn = new Int32Array(64);`,
  ),
];

// 5. A context model for the coefficient count: k-th order exp-Golomb with k from the neighbours' counts.
const CTX_EDITS = [
  SR(
    `function encodePlane(bw, src, w, h, step, rounding, dst) {
  let prevDc = 0;`,
    `// Context model for the count of nonzero AC coefficients: busy neighbours predict a busy block, so
// the count is sent as k-th order exp-Golomb with k from the mean count of the left and upper blocks
// (k = 0 in flat areas, up to 3 in texture); decoder and encoder derive k from decoded counts alone.
function nnzOrder(ctx) { return ctx < 2 ? 0 : ctx < 6 ? 1 : ctx < 14 ? 2 : 3; }
function nnzContext(above, left, bx, by) {
  const a = by > 0 ? above[bx >> 3] : -1, l = bx > 0 ? left : -1;
  return a < 0 && l < 0 ? 0 : a < 0 ? l : l < 0 ? a : (a + l + 1) >> 1;
}
function writeNnz(bw, v, k) { bw.ue(v >> k); if (k) bw.bits(v & ((1 << k) - 1), k); }
function readNnz(br, k) { const hi = br.ue(); return k ? (hi << k) | br.bits(k) : hi; }

function encodePlane(bw, src, w, h, step, rounding, dst) {
  let prevDc = 0;
  const above = new Int32Array((w + 7) >> 3);
  let left = 0;`,
  ),
  SR(
    `    let nnz = 0;
    for (let i = 1; i < 64; i++) if (coef[ZIGZAG[i]] !== 0) nnz++;
    bw.ue(nnz);`,
    `    let nnz = 0;
    for (let i = 1; i < 64; i++) if (coef[ZIGZAG[i]] !== 0) nnz++;
    writeNnz(bw, nnz, nnzOrder(nnzContext(above, left, bx, by)));
    above[bx >> 3] = nnz; left = nnz;`,
  ),
  SR(
    `function decodePlane(br, dst, w, h, step) {
  let prevDc = 0;`,
    `function decodePlane(br, dst, w, h, step) {
  let prevDc = 0;
  const above = new Int32Array((w + 7) >> 3);
  let left = 0;`,
  ),
  SR(
    `    let nnz = br.ue();
    if (nnz > 63) throw new Error('corrupt block');`,
    `    let nnz = readNnz(br, nnzOrder(nnzContext(above, left, bx, by)));
    if (nnz > 63) throw new Error('corrupt block');
    above[bx >> 3] = nnz; left = nnz;`,
  ),
];

export const SCRIPTED_EDITS: ScriptedEdit[] = [
  {
    name: 'inter',
    tool: 'temporal prediction: an inter mode (zero motion) per block',
    blocks: ['block-coding', 'frame-coding'],
    reply:
      'HYPOTHESIS: predicting each 8x8 block from the co-located block of the previous decoded frame when that leaves less residual energy removes the static background from the bitstream.\n\n' +
      BLOCK('block-coding', INTER_BLOCK) +
      '\n\n' +
      INTER_FRAMES.join('\n\n'),
  },
  {
    name: 'intra-modes',
    tool: 'spatial intra prediction: DC, horizontal and vertical modes from decoded neighbours',
    blocks: ['block-coding'],
    reply:
      'HYPOTHESIS: predicting blocks from their decoded left and upper neighbours (DC, horizontal, vertical) removes edges and gradients before the transform, so fewer coefficients survive quantisation.\n\n' +
      INTRA_EDITS.join('\n\n'),
  },
  {
    name: 'aq-variance',
    tool: 'adaptive quantisation by block variance, signalled per block',
    blocks: ['block-coding'],
    reply:
      'HYPOTHESIS: a finer step in flat blocks and a coarser one in busy blocks spends bits where the error is visible and cheap to fix.\n\n' +
      AQ_EDITS.join('\n\n'),
  },
  {
    name: 'rdoq',
    tool: 'trellis-style rate-distortion quantisation',
    blocks: ['block-coding'],
    reply:
      'HYPOTHESIS: lowering small levels toward zero when lambda times the exact bits saved exceeds the added squared error trades rate for distortion at the slope the RD curve wants.\n\n' +
      RDOQ_EDITS.join('\n\n'),
  },
  {
    name: 'nnz-context',
    tool: 'a context model for the coefficient count (adaptive exp-Golomb order)',
    blocks: ['block-coding'],
    reply:
      'HYPOTHESIS: the coefficient count of a block follows its neighbours; coding it with an exp-Golomb order chosen from their counts shortens the codes in textured areas.\n\n' +
      CTX_EDITS.join('\n\n'),
  },
];
