// Shared by the metrics tests: clip pairs (a reference and a lossy copy: x264 decoded back, or noise) and
// ffmpeg's own psnr/ssim summary lines for them. Built once per process, removed at exit.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { TEST_MEDIA } from './media';

export const media = TEST_MEDIA;

export interface Pair {
  name: string;
  reference: string;
  distorted: string;
  width: number;
}

let dir: string | undefined;
let pairs: Pair[] | undefined;

export interface Binary {
  path: string;
  label: string;
  /** The 2018 build summed SSIM in single precision: same SSIM figures, dB differing in the 6th decimal. */
  singlePrecisionSsim: boolean;
}

export function ffmpegBinaries(): Binary[] {
  const installer = join(packageRoot(), 'node_modules', '@ffmpeg-installer', `${process.platform}-${process.arch}`, 'ffmpeg');
  return [
    { path: '/usr/bin/ffmpeg', label: 'Debian ffmpeg', singlePrecisionSsim: false },
    { path: installer, label: '@ffmpeg-installer (2018)', singlePrecisionSsim: true },
  ].filter((b) => existsSync(b.path));
}

/**
 * ffmpeg's x86 SSE4 ssim_end_line mishandles a row whose window count is 1 mod 4: it drops the last
 * valid window and adds one computed from stale scratch memory. Its C code (and -cpuflags 0) does not;
 * we follow the C code, so for such plane widths ffmpeg is asked to run its C path.
 */
export function ssimSimdBugWidth(width: number): boolean {
  const planes = [width, (width + 1) >> 1];
  return planes.some((w) => ((w >> 2) - 1) % 4 === 1);
}

export function encodedPairs(): Pair[] {
  if (pairs) return pairs;
  dir = mkdtempSync(join(tmpdir(), 'metrics-fixture-'));
  process.on('exit', () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const ff = (...args: string[]) => execFileSync('/usr/bin/ffmpeg', ['-v', 'error', '-y', ...args]);
  const heads = join(media, 'talking_heads_320x192_9f.y4m');
  ff('-i', heads, '-frames:v', '8', '-c:v', 'libx264', '-crf', '32', '-f', 'h264', join(dir, 'heads.264'));
  ff('-i', join(dir, 'heads.264'), '-f', 'yuv4mpegpipe', join(dir, 'heads-x264.y4m'));
  ff('-i', heads, '-frames:v', '8', join(dir, 'heads-8.y4m'));
  // Odd size exercises ceil chroma and the partial 4x4 blocks SSIM skips.
  ff('-i', join(media, 'tree_building_80x44_15f.y4m'), '-vf', 'scale=79:43', join(dir, 'tree-79x43.y4m'));
  // x264 refuses odd sizes; ffmpeg's noise filter (fixed seed) distorts deterministically instead.
  ff('-i', join(dir, 'tree-79x43.y4m'), '-vf', 'noise=alls=12:allf=t+u', join(dir, 'tree-noisy.y4m'));
  pairs = [
    { name: 'talking heads vs x264 crf 32', reference: join(dir, 'heads-8.y4m'), distorted: join(dir, 'heads-x264.y4m'), width: 320 },
    { name: 'tree 79x43 vs noise', reference: join(dir, 'tree-79x43.y4m'), distorted: join(dir, 'tree-noisy.y4m'), width: 79 },
  ];
  return pairs;
}

/** ffmpeg's own summary lines (distorted first, reference second, as ffmpeg's docs order them). */
export function ffmpegLines(ffmpeg: string, pair: Pair, cOnly = false): { psnr: string; ssim: string } {
  const r = spawnSync(
    ffmpeg,
    [
      '-hide_banner',
      ...(cOnly ? ['-cpuflags', '0'] : []),
      '-i',
      pair.distorted,
      '-i',
      pair.reference,
      '-lavfi',
      '[0:v][1:v]psnr;[0:v][1:v]ssim',
      '-f',
      'null',
      '-',
    ],
    { encoding: 'utf8' },
  );
  const psnr = /PSNR y:.*$/m.exec(r.stderr)?.[0];
  const ssim = /SSIM Y:.*$/m.exec(r.stderr)?.[0];
  if (!psnr || !ssim) throw new Error(`ffmpeg printed no psnr/ssim lines:\n${r.stderr}`);
  return { psnr: psnr.trim(), ssim: ssim.trim() };
}
