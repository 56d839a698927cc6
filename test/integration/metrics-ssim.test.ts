import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { readY4M } from '../../src/core/video/y4m';
import { SsimAccumulator, formatSsim, ssimVideo } from '../../src/core/metrics/ssim';
import { encodedPairs, ffmpegBinaries, ffmpegLines, media, ssimSimdBugWidth } from '../helpers/metrics-fixture';

describe('metrics/ssim', () => {
  it("reproduces ffmpeg's line on the trees pair (values printed by ffmpeg 5.1, test/fixtures/media/README.md) to every printed digit", async () => {
    const ref = await readY4M(join(media, 'trees_640x360_3f_reference.y4m'));
    const dist = await readY4M(join(media, 'trees_640x360_3f_distorted.y4m'));
    assert.equal(
      formatSsim(ssimVideo(ref, dist)),
      'SSIM Y:0.951853 (13.174296) U:0.923780 (11.179299) V:0.947788 (12.822267) All:0.946496 (12.716177)',
    );
  });

  for (const ff of ffmpegBinaries()) {
    it(`equals ${ff.label}'s ssim filter on lossy pairs (x264, noise; odd size)`, async () => {
      for (const pair of encodedPairs()) {
        const ours = formatSsim(ssimVideo(await readY4M(pair.reference), await readY4M(pair.distorted)));
        const theirs = ffmpegLines(ff.path, pair, ssimSimdBugWidth(pair.width)).ssim;
        if (!ff.singlePrecisionSsim) {
          assert.equal(ours, theirs, pair.name);
        } else {
          const nums = (s: string) => [...s.matchAll(/-?\d+\.\d+/g)].map((m) => m[0]);
          const [a, b] = [nums(ours), nums(theirs)];
          for (const i of [0, 2, 4, 6]) assert.equal(a[i], b[i], `${pair.name}: SSIM value ${i / 2}`);
          for (const i of [1, 3, 5, 7]) assert.ok(Math.abs(Number(a[i]) - Number(b[i])) < 1e-5, `${pair.name}: dB ${a[i]} vs ${b[i]}`);
        }
      }
    });
  }

  it("matches ffmpeg's C path (-cpuflags 0) on a width where its x86 SIMD path reads stale memory", async () => {
    const pair = encodedPairs().find((p) => ssimSimdBugWidth(p.width))!;
    const ours = formatSsim(ssimVideo(await readY4M(pair.reference), await readY4M(pair.distorted)));
    assert.equal(ffmpegLines('/usr/bin/ffmpeg', pair, true).ssim, ours);
    assert.equal(ssimSimdBugWidth(352) || ssimSimdBugWidth(640), false);
  });

  it('is 1 for identical frames and symmetric in its inputs', async () => {
    const v = await readY4M(join(media, 'tree_building_80x44_15f.y4m'), 3);
    const acc = new SsimAccumulator(v.width, v.height);
    const same = acc.add(v.frames[0], v.frames[0]);
    assert.deepEqual([same.y, same.u, same.v], [1, 1, 1]);
    assert.ok(Math.abs(same.all - 1) < 1e-12);
    const other = { ...v, frames: [v.frames[2], v.frames[1], v.frames[0]] };
    assert.equal(ssimVideo(v, other).all, ssimVideo(other, v).all);
    assert.ok(ssimVideo(v, other).y < 1);
  });
});
