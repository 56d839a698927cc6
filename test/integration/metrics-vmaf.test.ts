// VMAF is a metric only where the chosen ffmpeg can really compute it; otherwise it is absent with a
// one-line note, never estimated. Debian 12's ffmpeg 5.1 has no libvmaf filter; the 2018 static
// @ffmpeg-installer build lists the filter but lacks its model file. Each ffmpeg found here is
// checked against what it really does, so the test holds on a machine whose ffmpeg has libvmaf too.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateCandidate } from '../../src/core/harness/evaluate';
import { main } from '../../src/cli/main';
import { packageRoot } from '../../src/core/paths';
import { EnvironmentError } from '../../src/core/errors';
import { VmafAccumulator, probeVmaf, vmafFromLog } from '../../src/core/metrics/vmaf';
import { locateFfmpeg, type FfmpegLocation } from '../../src/core/video/ffmpeg';
import { readY4M } from '../../src/core/video/y4m';
import { TEST_MEDIA } from '../helpers/media';
import { SMALL_CLIP, workerBundle } from '../helpers/sandbox-helpers';

async function ffmpegs(): Promise<FfmpegLocation[]> {
  const out: FfmpegLocation[] = [];
  if (existsSync('/usr/bin/ffmpeg')) out.push(await locateFfmpeg({ ffmpegPath: '/usr/bin/ffmpeg' }));
  const located = await locateFfmpeg().catch(() => undefined);
  if (located && !out.some((f) => f.path === located.path)) out.push(located);
  return out;
}

const listsLibvmaf = (path: string) =>
  /^\s*\S+\s+libvmaf\s/m.test(spawnSync(path, ['-hide_banner', '-filters'], { encoding: 'utf8' }).stdout);

describe('metrics: VMAF where ffmpeg has it, a note where it has not', function () {
  this.timeout(300_000);

  it('the probe answers what each ffmpeg really does with two videos', async () => {
    const all = await ffmpegs();
    assert.ok(all.length > 0, 'no ffmpeg to check');
    const ref = await readY4M(join(TEST_MEDIA, 'trees_640x360_3f_reference.y4m'));
    const dist = await readY4M(join(TEST_MEDIA, 'trees_640x360_3f_distorted.y4m'));
    for (const ff of all) {
      const support = await probeVmaf(ff);
      if (!listsLibvmaf(ff.path)) {
        assert.equal(support.available, false, ff.path);
        assert.match(support.note!, /^VMAF not measured: .* has no libvmaf filter; an ffmpeg built with --enable-libvmaf adds it/);
        assert.ok(!support.note!.includes('\n'), 'one line');
        continue;
      }
      const score = async (d: typeof dist) => {
        const acc = new VmafAccumulator(ff.path, ref.width, ref.height, { num: ref.fpsNum, den: ref.fpsDen });
        for (let i = 0; i < ref.frames.length; i++) acc.add(ref.frames[i], d.frames[i]);
        assert.equal(acc.frames, ref.frames.length);
        return acc.finish();
      };
      if (support.available) {
        const lossy = await score(dist),
          same = await score(ref);
        assert.ok(lossy >= 0 && lossy <= 100 && same > lossy, `${ff.path}: VMAF ${lossy} (identical ${same})`);
      } else {
        // Listed but unusable: the measurement itself fails the same way, so nothing is made up.
        assert.match(support.note!, /^VMAF not measured: .* has a libvmaf filter but it fails \(.+\)$/);
        await assert.rejects(score(dist), (e: unknown) => e instanceof EnvironmentError && /libvmaf failed/.test(e.message));
      }
    }
  });

  it('an evaluation with an ffmpeg without VMAF has no vmaf values and says why once', async () => {
    workerBundle();
    const ff = await locateFfmpeg({ ffmpegPath: (await ffmpegs())[0].path });
    const support = await probeVmaf(ff);
    const template = readFileSync(join(packageRoot(), 'src', 'core', 'codec', 'template.js'), 'utf8');
    const e = await evaluateCandidate(template, {
      clips: [{ path: SMALL_CLIP, frames: 2 }],
      references: [],
      qualities: [30, 70],
      ffmpeg: ff,
    });
    assert.ok(e.ok, JSON.stringify(!e.ok && e.failure));
    if (support.available) {
      assert.ok(e.summary.metrics.includes('vmaf'));
      for (const p of e.clips[0].points) assert.ok(p.metrics.vmaf! >= 0 && p.metrics.vmaf! <= 100);
    } else {
      assert.deepEqual(e.summary.metrics, ['psnrY', 'psnrU', 'psnrV', 'psnrYuv', 'ssimY']);
      for (const p of e.clips[0].points) assert.equal(p.metrics.vmaf, undefined);
      assert.deepEqual(e.summary.notes, [support.note]);
    }
    const none = await evaluateCandidate(template, {
      clips: [{ path: SMALL_CLIP, frames: 2 }],
      references: [],
      qualities: [50],
      ffmpeg: ff,
      vmaf: false,
    });
    assert.ok(none.ok && none.summary.notes === undefined, 'vmaf: false neither measures nor notes');
  });

  it('doctor reports VMAF as a metric or the one-line note', async () => {
    const ff = (await ffmpegs())[0];
    const out: string[] = [];
    const code = await main(['doctor', '--json', '--ffmpeg', ff.path], {
      out: (l) => out.push(l),
      err: () => undefined,
      signal: new AbortController().signal,
      cwd: process.cwd(),
    });
    assert.equal(code, 0);
    const d = JSON.parse(out.join('\n'));
    const support = await probeVmaf(ff);
    assert.deepEqual(d.vmaf, { available: support.available, note: support.note ?? null });
  });

  it('reads the pooled mean from libvmaf 2 and 1.x logs, and nothing from a log without one', () => {
    assert.equal(vmafFromLog({ pooled_metrics: { vmaf: { min: 80, mean: 91.25 } } }), 91.25);
    assert.equal(vmafFromLog({ aggregate: { VMAF_score: 88.5 }, 'VMAF score': 88.5 }), 88.5);
    assert.equal(vmafFromLog({ frames: [] }), undefined);
  });
});
