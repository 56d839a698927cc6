// Loads a seed codec (src/core/codec/seeds/*.js) the way a candidate runs: its ES module text turned
// into a script and evaluated in a fresh vm context that holds only JavaScript built-ins, so a seed
// that reached for a Node API or a global would fail here. Frames are copied back into this realm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vm from 'node:vm';
import { transformSync } from 'esbuild';
import type { Frame, Video } from '../../src/core/codec/contract';
import { packageRoot } from '../../src/core/paths';
import { readY4M } from '../../src/core/video/y4m';
import { TEST_MEDIA } from './media';

export interface SeedCodec {
  meta: { name: string; description: string };
  encode(video: Video, options: { quality: number }): Uint8Array;
  decode(bytes: Uint8Array): { width: number; height: number; frames: Frame[] };
  encodeWithReconstruction(video: Video, options: { quality: number }): { bytes: Uint8Array; frames: Frame[] };
}

export function seedPath(name: string): string {
  return join(packageRoot(), 'src', 'core', 'codec', 'seeds', `${name}.js`);
}

const copyFrame = (f: Frame): Frame => ({ y: Uint8Array.from(f.y), u: Uint8Array.from(f.u), v: Uint8Array.from(f.v) });

export function seedSource(name: string): string {
  return readFileSync(seedPath(name), 'utf8');
}

export function loadSeed(name: string, source = seedSource(name)): SeedCodec {
  const file = seedPath(name);
  const { code } = transformSync(source, { format: 'cjs', loader: 'js', sourcefile: file });
  const module = { exports: {} as Record<string, unknown> };
  const context = vm.createContext(Object.create(null));
  const wrapper = vm.runInContext(`(function (module, exports) { "use strict";${code}\n})`, context, { filename: file });
  wrapper(module, module.exports);
  const m = module.exports as unknown as SeedCodec;
  return {
    meta: m.meta,
    encode: (video, options) => Uint8Array.from(m.encode(video, options)),
    decode: (bytes) => {
      const d = m.decode(bytes);
      return { width: d.width, height: d.height, frames: d.frames.map(copyFrame) };
    },
    encodeWithReconstruction: (video, options) => {
      const r = m.encodeWithReconstruction(video, options);
      return { bytes: Uint8Array.from(r.bytes), frames: r.frames.map(copyFrame) };
    },
  };
}

export const mediaDir = (): string => TEST_MEDIA;

const clipCache = new Map<string, Video>();
/** A test clip, first `frames` frames (cached: several tests read the same clip). */
export async function sharedClip(file: string, frames: number): Promise<Video> {
  const key = `${file}#${frames}`;
  let v = clipCache.get(key);
  if (!v) {
    v = await readY4M(join(mediaDir(), file), frames);
    clipCache.set(key, v);
  }
  return v;
}

/** The top-left w x h window of a video (4:2:0, chroma ceil-sized). */
export function cropVideo(v: Video, w: number, h: number, frames = v.frames.length): Video {
  const cw = (w + 1) >> 1,
    ch = (h + 1) >> 1,
    scw = (v.width + 1) >> 1;
  const crop = (src: Uint8Array, stride: number, pw: number, ph: number): Uint8Array => {
    const out = new Uint8Array(pw * ph);
    for (let y = 0; y < ph; y++) out.set(src.subarray(y * stride, y * stride + pw), y * pw);
    return out;
  };
  return {
    width: w,
    height: h,
    fpsNum: v.fpsNum,
    fpsDen: v.fpsDen,
    frames: v.frames.slice(0, frames).map((f) => ({ y: crop(f.y, v.width, w, h), u: crop(f.u, scw, cw, ch), v: crop(f.v, scw, cw, ch) })),
  };
}

export function framesEqual(a: Frame[], b: Frame[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (f, i) =>
        Buffer.from(f.y).equals(Buffer.from(b[i].y)) &&
        Buffer.from(f.u).equals(Buffer.from(b[i].u)) &&
        Buffer.from(f.v).equals(Buffer.from(b[i].v)),
    )
  );
}
