import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { readY4M } from '../../src/core/video/y4m';
import { PsnrAccumulator, formatPsnr, planeSse, psnrVideo } from '../../src/core/metrics/psnr';
import { InputError } from '../../src/core/errors';
import { encodedPairs, ffmpegBinaries, ffmpegLines, media } from '../helpers/metrics-fixture';

describe('metrics/psnr', () => {
  it("reproduces ffmpeg's line on the trees pair (values printed by ffmpeg 5.1, test/fixtures/media/README.md) to every printed digit", async () => {
    const ref = await readY4M(join(media, 'trees_640x360_3f_reference.y4m'));
    const dist = await readY4M(join(media, 'trees_640x360_3f_distorted.y4m'));
    assert.equal(
      formatPsnr(psnrVideo(ref, dist)),
      'PSNR y:32.528071 u:36.408348 v:39.823766 average:33.686135 min:33.346383 max:34.162774',
    );
  });

  for (const ff of ffmpegBinaries()) {
    it(`equals ${ff.label}'s psnr filter on lossy pairs (x264, noise; odd size)`, async () => {
      for (const pair of encodedPairs()) {
        const ours = psnrVideo(await readY4M(pair.reference), await readY4M(pair.distorted));
        assert.equal(formatPsnr(ours), ffmpegLines(ff.path, pair).psnr, pair.name);
      }
    });
  }

  it('streams: per-frame accumulation equals the whole-video figure; identical frames are infinite', async () => {
    const ref = await readY4M(join(media, 'tree_building_80x44_15f.y4m'));
    const acc = new PsnrAccumulator(ref.width, ref.height);
    const f = acc.add(ref.frames[0], ref.frames[0]);
    assert.equal(f.psnrY, Infinity);
    assert.equal(f.mse, 0);
    // +2 on every luma sample (less where it clips at 255): MSE ≤ 4, so PSNR-Y ≥ 10·log10(255²/4) = 42.11 dB.
    const shifted = ref.frames.map((x) => ({ y: x.y.map((v) => Math.min(255, v + 2)), u: x.u, v: x.v }));
    const whole = psnrVideo(ref, { ...ref, frames: shifted });
    assert.ok(whole.y >= 42.11, String(whole.y));
    assert.equal(whole.u, Infinity);
    const streamed = new PsnrAccumulator(ref.width, ref.height);
    ref.frames.forEach((f, i) => streamed.add(f, shifted[i]));
    assert.deepEqual(streamed.result(), whole);
  });

  it('counts SSE exactly, also past the int32 chunk size', () => {
    const a = new Uint8Array(100000).fill(255),
      b = new Uint8Array(100000);
    assert.equal(planeSse(a, b), 100000 * 255 * 255);
  });

  it('refuses videos of different sizes', async () => {
    const ref = await readY4M(join(media, 'tree_building_80x44_15f.y4m'), 1);
    assert.throws(() => psnrVideo(ref, { ...ref, width: 40 }), InputError);
  });
});
