import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fpsFraction, probeVideo, readVideo } from '../../src/core/video/read';
import { readY4M } from '../../src/core/video/y4m';
import { psnrVideo } from '../../src/core/metrics/psnr';
import { EnvironmentError, InputError } from '../../src/core/errors';
import { TEST_MEDIA } from '../helpers/media';

const media = TEST_MEDIA;
const tree = join(media, 'tree_building_80x44_15f.y4m');

describe('video/read', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads Y4M natively, with probe counting frames from the file size', async () => {
    const p = await probeVideo(tree);
    assert.deepEqual(p, { width: 80, height: 44, fpsNum: 15, fpsDen: 1, frames: 15, codec: 'y4m', pixFmt: 'yuv420p' });
    assert.equal((await readVideo(tree, { maxFrames: 4 })).frames.length, 4);
  });

  it('decodes a raw .h264 stream through ffmpeg, every frame, paired by index', async () => {
    // Lossless x264 (qp 0): frame i decoded must equal source frame i exactly — any mis-pairing shows.
    const file = join(dir, 'tree.264');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', tree, '-c:v', 'libx264', '-qp', '0', '-f', 'h264', file]);
    const src = await readY4M(tree);
    const dec = await readVideo(file);
    assert.equal(dec.frames.length, 15);
    assert.deepEqual([dec.width, dec.height], [80, 44]);
    for (let i = 0; i < 15; i++) assert.deepEqual(dec.frames[i], src.frames[i], `frame ${i}`);
    assert.equal(psnrVideo(src, dec).y, Infinity);
    const p = await probeVideo(file, { countFrames: true });
    assert.equal(p.codec, 'h264');
    assert.equal(p.frames, 15);
    assert.equal(p.pixFmt, 'yuv420p');
  });

  it('turns ffmpeg frame rates into fractions', () => {
    assert.deepEqual(fpsFraction('29.97'), { fpsNum: 30000, fpsDen: 1001 });
    assert.deepEqual(fpsFraction('23.98'), { fpsNum: 24000, fpsDen: 1001 });
    assert.deepEqual(fpsFraction('25'), { fpsNum: 25, fpsDen: 1 });
    assert.deepEqual(fpsFraction('12.5'), { fpsNum: 12500, fpsDen: 1000 });
  });

  it('gives one clear InputError for a text file named .mp4', async () => {
    const file = join(dir, 'notes.mp4');
    writeFileSync(file, 'this is not a video\n');
    await assert.rejects(
      readVideo(file),
      (e: unknown) => e instanceof InputError && /not a video ffmpeg can read/.test(e.message) && !!e.remedy,
    );
  });

  it('refuses 10-bit video in other containers', async () => {
    const file = join(dir, 'ten.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', tree, '-frames:v', '2', '-c:v', 'ffv1', '-pix_fmt', 'yuv420p10le', file]);
    await assert.rejects(readVideo(file), (e: unknown) => e instanceof InputError && /more than 8 bits/.test(e.message));
  });

  it('reports a missing file as InputError and a bad ffmpegPath as EnvironmentError', async () => {
    await assert.rejects(readVideo(join(dir, 'missing.mp4')), (e: unknown) => e instanceof InputError && /does not exist/.test(e.message));
    const file = join(dir, 'x.264');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', tree, '-frames:v', '1', '-c:v', 'libx264', '-f', 'h264', file]);
    await assert.rejects(
      readVideo(file, { ffmpegPath: join(dir, 'no-such-ffmpeg') }),
      (e: unknown) => e instanceof EnvironmentError && /ffmpeg not found/.test(e.message),
    );
  });
});
