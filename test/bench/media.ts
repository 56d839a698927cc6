// The benchmark's clips, made once per run in a temp folder from the shared media with ffmpeg:
// foreman looped to ~300 frames as raw yuv420p plus an x264-distorted copy (for the metric race),
// and a 1280x720, 60-frame Y4M scaled from foreman (for the memory figure).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { firstLine, runFfmpeg } from '../../src/core/video/ffmpeg';

export const SHARED_MEDIA = join(packageRoot(), '..', 'shared', 'media');
export const FOREMAN = join(SHARED_MEDIA, 'foreman_352x288_21f.y4m');
export const TALKING_HEADS_320 = join(SHARED_MEDIA, 'talking_heads_320x192_9f.y4m');
export const BUNDLED_CLIP = join(packageRoot(), 'media', 'clips', 'talking_heads_160x96_9f.y4m');

export interface RawPair {
  width: number;
  height: number;
  frames: number;
  reference: string;
  distorted: string;
  /** Bytes of one sequence (4:2:0). */
  bytes: number;
}

export class BenchMedia {
  readonly dir = mkdtempSync(join(tmpdir(), 'codec-evolve-bench-'));
  constructor(readonly ffmpeg: string) {}

  private async ff(args: string[]): Promise<void> {
    const r = await runFfmpeg(this.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
    if (r.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${firstLine(r.stderr)}`);
  }

  /** Foreman looped to `frames` frames, raw, and the same after an x264 encode and decode. */
  async foremanRaw(frames = 300): Promise<RawPair> {
    const reference = join(this.dir, `foreman_${frames}f.yuv`);
    const distorted = join(this.dir, `foreman_${frames}f_x264.yuv`);
    const loops = Math.ceil(frames / 21) - 1;
    await this.ff([
      '-stream_loop',
      String(loops),
      '-i',
      FOREMAN,
      '-frames:v',
      String(frames),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      reference,
    ]);
    const h264 = join(this.dir, 'foreman.264');
    await this.ff([
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      '352x288',
      '-r',
      '30',
      '-i',
      reference,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-crf',
      '32',
      '-threads',
      '1',
      h264,
    ]);
    await this.ff(['-i', h264, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', distorted]);
    return { width: 352, height: 288, frames, reference, distorted, bytes: statSync(reference).size };
  }

  /** A 1280x720 clip of `frames` frames scaled from foreman (Y4M). */
  async foreman720p(frames = 60): Promise<string> {
    const out = join(this.dir, `foreman_1280x720_${frames}f.y4m`);
    await this.ff([
      '-stream_loop',
      String(Math.ceil(frames / 21) - 1),
      '-i',
      FOREMAN,
      '-frames:v',
      String(frames),
      '-vf',
      'scale=1280:720:flags=bicubic',
      '-pix_fmt',
      'yuv420p',
      '-f',
      'yuv4mpegpipe',
      out,
    ]);
    return out;
  }

  sub(name: string): string {
    return mkdtempSync(join(this.dir, `${name}-`));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
