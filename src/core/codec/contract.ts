// The codec contract (DESIGN.md): what a candidate's encode receives and decode must return.
// Frames are 8-bit 4:2:0; chroma planes are ceil(w/2) x ceil(h/2).

// The types are declared once, in codec.d.ts: the file `codec-evolve init` writes into a workspace
// for codec authors and models. The engine uses the very same declarations.
export type { Frame, Video, DecodedVideo } from './codec';

export function chromaWidth(width: number): number {
  return (width + 1) >> 1;
}
export function chromaHeight(height: number): number {
  return (height + 1) >> 1;
}

export function frameBytes(width: number, height: number): number {
  return width * height + 2 * chromaWidth(width) * chromaHeight(height);
}

export const EVOLVE_BLOCK_START = '// EVOLVE-BLOCK-START';
export const EVOLVE_BLOCK_END = '// EVOLVE-BLOCK-END';
