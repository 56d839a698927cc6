// The codec contract (DESIGN.md): what a candidate's encode receives and decode must return.
// Frames are 8-bit 4:2:0; chroma planes are ceil(w/2) x ceil(h/2).

export interface Frame {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

export interface Video {
  width: number;
  height: number;
  /** Frame rate as a fraction, fpsNum/fpsDen frames per second. */
  fpsNum: number;
  fpsDen: number;
  frames: Frame[];
}

/** What decode returns: the frame rate is not part of it (the harness knows it from the source). */
export interface DecodedVideo {
  width: number;
  height: number;
  frames: Frame[];
}

export interface EncodeOptions {
  /** 0..100, higher is better quality (and more bytes). */
  quality: number;
}

export function chromaWidth(width: number): number { return (width + 1) >> 1; }
export function chromaHeight(height: number): number { return (height + 1) >> 1; }

export function frameBytes(width: number, height: number): number {
  return width * height + 2 * chromaWidth(width) * chromaHeight(height);
}

export function blankFrame(width: number, height: number): Frame {
  const c = chromaWidth(width) * chromaHeight(height);
  return { y: new Uint8Array(width * height), u: new Uint8Array(c).fill(128), v: new Uint8Array(c).fill(128) };
}

export const EVOLVE_BLOCK_START = '// EVOLVE-BLOCK-START';
export const EVOLVE_BLOCK_END = '// EVOLVE-BLOCK-END';
