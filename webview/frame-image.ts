// Turns decoded 4:2:0 planes into canvas pixels: the picture itself (BT.601 limited range, what
// ffmpeg assumes for these clips) and an error heatmap of |ΔY| so artefacts show where they are.
import type { PlanesView } from './protocol';

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

export function planesToRgba(p: PlanesView): Uint8ClampedArray {
  const { width: w, height: h } = p;
  const cw = Math.ceil(w / 2);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = (y >> 1) * cw + (x >> 1);
      const Y = 1.164 * (p.y[y * w + x] - 16);
      const U = p.u[c] - 128;
      const V = p.v[c] - 128;
      const i = (y * w + x) * 4;
      out[i] = clamp(Y + 1.596 * V);
      out[i + 1] = clamp(Y - 0.392 * U - 0.813 * V);
      out[i + 2] = clamp(Y + 2.017 * U);
      out[i + 3] = 255;
    }
  }
  return out;
}

/** |original − decoded| of luma, scaled so `full` or more is the hottest colour (black → red → yellow → white). */
export function heatmapRgba(original: PlanesView, decoded: PlanesView, full = 32): Uint8ClampedArray {
  const n = original.width * original.height;
  if (decoded.width !== original.width || decoded.height !== original.height)
    throw new Error(`decoded frame is ${decoded.width}x${decoded.height}, the original ${original.width}x${original.height}`);
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const t = Math.min(1, Math.abs(original.y[i] - decoded.y[i]) / full);
    out[i * 4] = clamp(t * 3 * 255);
    out[i * 4 + 1] = clamp((t * 3 - 1) * 255);
    out[i * 4 + 2] = clamp((t * 3 - 2) * 255);
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** PSNR of luma between two frames in dB (the same formula the harness uses; ∞ when identical). */
export function lumaPsnr(a: PlanesView, b: PlanesView): number {
  let se = 0;
  const n = a.width * a.height;
  for (let i = 0; i < n; i++) {
    const d = a.y[i] - b.y[i];
    se += d * d;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}
