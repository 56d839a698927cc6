// One rate–distortion point: what a codec spent and what it gave back, for one clip at one setting.
import type { PsnrResult } from './psnr';
import type { SsimResult } from './ssim';

export interface RdPoint {
  /** The candidate's quality 0..100 (for evolved codecs). */
  quality?: number;
  /** A reference encoder's setting, e.g. 'crf=28' or 'qp=40'. */
  setting?: string;
  bytes: number;
  kbps: number;
  psnrY: number;
  psnrU: number;
  psnrV: number;
  /** (6·Y + U + V) / 8, the common-test-conditions weighting of per-plane PSNR. */
  psnrYuv: number;
  ssimY: number;
  encodeMs: number;
  decodeMs: number;
}

/** kbit/s of `bytes` spread over `frames` frames at fpsNum/fpsDen frames per second. */
export function kbps(bytes: number, frames: number, fpsNum: number, fpsDen: number): number {
  return (bytes * 8 * fpsNum) / fpsDen / frames / 1000;
}

export function psnrYuv(y: number, u: number, v: number): number {
  return (6 * y + u + v) / 8;
}

export function rdPoint(args: {
  bytes: number; frames: number; fpsNum: number; fpsDen: number;
  psnr: PsnrResult; ssim: SsimResult; encodeMs: number; decodeMs: number;
  quality?: number; setting?: string;
}): RdPoint {
  const p: RdPoint = {
    bytes: args.bytes,
    kbps: kbps(args.bytes, args.frames, args.fpsNum, args.fpsDen),
    psnrY: args.psnr.y, psnrU: args.psnr.u, psnrV: args.psnr.v,
    psnrYuv: psnrYuv(args.psnr.y, args.psnr.u, args.psnr.v),
    ssimY: args.ssim.y,
    encodeMs: args.encodeMs, decodeMs: args.decodeMs,
  };
  if (args.quality !== undefined) p.quality = args.quality;
  if (args.setting !== undefined) p.setting = args.setting;
  return p;
}
