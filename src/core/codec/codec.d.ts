// The codec contract, for codec authors and models. A codec is ONE self-contained ES module
// (JavaScript or TypeScript) with no imports, exporting `encode` and `decode` (and optionally `meta`).
//
// How it is run (and why these rules exist):
// - encode and decode each run in their own sandboxed process; decode receives ONLY the bytes encode
//   returned. The rate counted is `bitstream.length`; nothing else survives between the two.
// - Quality is computed by the harness from what decode returns, against the original frames.
// - Both functions are synchronous and deterministic: Math.random is seeded (the same sequence in
//   both processes), Date is frozen at 0, there are no timers, no network, no files, no process,
//   no eval/new Function, no WebAssembly, no SharedArrayBuffer/Atomics. Decoding the same bytes
//   twice must give the same frames.
// - Allowed: every ECMAScript built-in (typed arrays, Math, Map, JSON, classes, ...), module-level
//   state and tables computed at load time. console.* is accepted and its output dropped. Not
//   available: host APIs such as TextEncoder, structuredClone, Buffer, Intl, WeakRef.
// - Regions between `// EVOLVE-BLOCK-START` and `// EVOLVE-BLOCK-END` are what edits may change.
//   A tunable constant may carry an annotation for the offline mutator, one per line:
//     const STEP = 0.85;   // @evolve float 0.2 4
//     const RANGE = 16;    // @evolve int 4 64
//     const SUBPEL = true; // @evolve bool
//     const MODE = 'all';  // @evolve choice 'dc' 'planar' 'all'

/** One 8-bit 4:2:0 frame. y is width*height bytes (row-major); u and v are ceil(width/2)*ceil(height/2) each. */
export interface Frame {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

/** What encode receives. Frame rate is fpsNum/fpsDen frames per second. */
export interface Video {
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  frames: Frame[];
}

/**
 * What decode must return: the same width, height and number of frames as the video given to
 * encode, each plane a Uint8Array of exactly the size above, as plain data properties (no getters,
 * no Proxy). Store the size and frame count in the bitstream: decode sees nothing else.
 */
export interface DecodedVideo {
  width: number;
  height: number;
  frames: Frame[];
}

export interface EncodeOptions {
  /** 0..100, higher = better quality and more bytes. The harness sweeps it to draw the RD curve. */
  quality: number;
}

export interface CodecMeta {
  name: string;
  /** One line. */
  description?: string;
}

/** Optional. */
export declare const meta: CodecMeta;

/** Compress the video. The returned bytes are the ONLY input decode gets; their length is the rate. */
export declare function encode(video: Video, options: EncodeOptions): Uint8Array;

/** Reconstruct the video from the bytes encode returned. */
export declare function decode(bitstream: Uint8Array): DecodedVideo;
