// One metric model: the registry is what settings, CLI and view offer; every metric streams through
// the one accumulator shape; records written before the registry still open.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { FrameMetrics } from '../../src/core/metrics/accumulator';
import { rateCurve } from '../../src/core/metrics/bdrate';
import { PsnrAccumulator, psnrYuv } from '../../src/core/metrics/psnr';
import { readRdPoint } from '../../src/core/metrics/rd';
import { DEFAULT_GUARDS, METRIC_IDS, METRICS } from '../../src/core/metrics/registry';
import { SsimAccumulator } from '../../src/core/metrics/ssim';
import { rescored } from '../../src/core/evolution/engine';
import { parseGuards } from '../../src/cli/commands/evolve';
import { main } from '../../src/cli/main';
import { initWorkspace } from '../../src/core/store/init';
import { writeJsonAtomic } from '../../src/core/store/atomic';
import { Workspace } from '../../src/core/store/workspace';
import { readY4M } from '../../src/core/video/y4m';
import { TEST_MEDIA, TREE_CLIP } from '../helpers/media';

describe('metrics: the registry and the one metric model', () => {
  it("the settings in package.json offer exactly the registry's metrics, with its defaults", () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties;
    assert.deepEqual(props['codecEvolution.objective'].enum, [...METRIC_IDS]);
    assert.equal(props['codecEvolution.objective'].default, 'psnrYuv');
    assert.equal(props['codecEvolution.objective'].enumDescriptions.length, METRIC_IDS.length);
    assert.deepEqual(props['codecEvolution.guards'].items.properties.metric.enum, [...METRIC_IDS]);
    assert.deepEqual(props['codecEvolution.guards'].default, DEFAULT_GUARDS);
  });

  it("FrameMetrics streams PSNR per plane, PSNR-YUV (6:1:1, not ffmpeg's 4:1:1 average) and SSIM-Y", async () => {
    const ref = await readY4M(join(TEST_MEDIA, 'trees_640x360_3f_reference.y4m'));
    const dist = await readY4M(join(TEST_MEDIA, 'trees_640x360_3f_distorted.y4m'));
    const acc = new FrameMetrics(ref.width, ref.height);
    const psnr = new PsnrAccumulator(ref.width, ref.height);
    const ssim = new SsimAccumulator(ref.width, ref.height);
    for (let i = 0; i < ref.frames.length; i++) {
      acc.add(ref.frames[i], dist.frames[i]);
      psnr.add(ref.frames[i], dist.frames[i]);
      ssim.add(ref.frames[i], dist.frames[i]);
    }
    const v = acc.values();
    const p = psnr.result();
    assert.deepEqual(Object.keys(v), ['psnrY', 'psnrU', 'psnrV', 'psnrYuv', 'ssimY']);
    assert.deepEqual(acc.metrics, ['psnrY', 'psnrU', 'psnrV', 'psnrYuv', 'ssimY']);
    assert.equal(acc.frames, 3);
    assert.deepEqual([v.psnrY, v.psnrU, v.psnrV, v.ssimY], [p.y, p.u, p.v, ssim.result().y]);
    assert.equal(v.psnrYuv, psnrYuv(p.y, p.u, p.v));
    assert.ok(
      Math.abs(v.psnrYuv! - p.average) > 0.01,
      `6:1:1 of the dB values (${v.psnrYuv}) is not ffmpeg's MSE-weighted average (${p.average})`,
    );
  });

  it('BD-rate reads SSIM on −10·log10(1−SSIM) dB and leaves unmeasured points out', () => {
    const pts = [0.9, 0.99].map((s, i) =>
      readRdPoint({ kbps: 100 * (i + 1), bytes: 1, metrics: { ssimY: s, psnrY: 30 + i }, encodeMs: 0, decodeMs: 0 }),
    );
    assert.deepEqual(
      rateCurve(pts, 'ssimY').map((p) => Math.round(p.psnr * 1e9) / 1e9),
      [10, 20],
    );
    assert.equal(METRICS.psnrU.bdQuality(37.5), 37.5);
    assert.deepEqual(rateCurve(pts, 'vmaf'), []);
  });

  it('a workspace written before the registry opens: flat points and bdRate keyed by reference are read as PSNR-Y', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-registry-'));
    try {
      const ws = new Workspace(dir);
      const old = {
        id: 'g0003-0',
        generation: 3,
        slot: 0,
        island: 0,
        parentId: 'v0001-root',
        inspirationIds: [],
        state: 'evaluated',
        createdAt: 't',
        updatedAt: 't',
        provider: 'offline',
        strategy: 'refine',
        hypothesis: 'h',
        tokens: { input: 0, output: 0 },
        costUsd: 0,
        repairRounds: 0,
        metrics: {
          trainingBdRate: 4.5,
          smokeOk: true,
          encodeMs: 1,
          decodeMs: 1,
          evaluationMs: 1,
          training: [
            {
              clip: 'foreman',
              bdRate: { x264: 4.5, x265: 30 },
              points: [{ quality: 40, bytes: 900, kbps: 120, psnrY: 33.1, psnrYuv: 34.2, ssimY: 0.91, encodeMs: 5, decodeMs: 2 }],
              references: { x264: [{ kbps: 110, psnrY: 33.4, setting: 'crf=30' }] },
            },
          ],
        },
      };
      writeJsonAtomic(join(ws.candidateDir(old.id), 'candidate.json'), old);
      const r = ws.readCandidate(old.id);
      assert.equal(r.metrics!.objective, 'psnrY');
      assert.deepEqual(r.metrics!.training[0].bdRate, { psnrY: { x264: 4.5, x265: 30 } });
      assert.deepEqual(r.metrics!.training[0].points[0], {
        quality: 40,
        bytes: 900,
        kbps: 120,
        metrics: { psnrY: 33.1, psnrYuv: 34.2, ssimY: 0.91 },
        encodeMs: 5,
        decodeMs: 2,
      });
      assert.deepEqual(r.metrics!.training[0].references!.x264[0], {
        kbps: 110,
        bytes: 0,
        metrics: { psnrY: 33.4 },
        encodeMs: 0,
        decodeMs: 0,
        setting: 'crf=30',
      });
      assert.deepEqual(
        ws.listCandidates().map((c) => c.metrics!.training[0].bdRate),
        [{ psnrY: { x264: 4.5, x265: 30 } }],
      );

      // Under the PSNR-YUV objective an old record has no score to re-read: it leaves selection
      // rather than being compared on another metric; under PSNR-Y it keeps its score.
      assert.equal(rescored(r, 'psnrYuv', 'x264').metrics!.trainingBdRate, undefined);
      assert.equal(rescored(r, 'psnrY', 'x264').metrics!.trainingBdRate, 4.5);
      const fresh = {
        ...r,
        metrics: {
          ...r.metrics!,
          objective: 'psnrYuv' as const,
          trainingBdRate: 2,
          trainingBdRates: { psnrYuv: { x264: 2 }, psnrY: { x264: 1.5 } },
        },
      };
      assert.equal(rescored(fresh, 'psnrY', 'x264').metrics!.trainingBdRate, 1.5, 'a new record is re-read under another objective');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('evolve --objective / --guards are checked against the registry and saved in the workspace config', async () => {
    assert.deepEqual(parseGuards('psnrY:0.5,psnrU,ssimY:2'), [
      { metric: 'psnrY', tolerancePercent: 0.5 },
      { metric: 'psnrU', tolerancePercent: 1 },
      { metric: 'ssimY', tolerancePercent: 2 },
    ]);
    assert.deepEqual(parseGuards('none'), []);
    assert.throws(() => parseGuards('psnrQ:1'), /not a metric/);
    assert.throws(() => parseGuards('psnrU:-1'), /not a non-negative number/);
    const dir = mkdtempSync(join(tmpdir(), 'ce-objective-flags-'));
    try {
      const { ws } = initWorkspace(dir, { seed: 'minimal', clips: [TREE_CLIP] });
      const run = async (...argv: string[]) => {
        const err: string[] = [];
        const code = await main(argv, { out: () => undefined, err: (l) => err.push(l), signal: new AbortController().signal, cwd: dir });
        return { code, err: err.join('\n') };
      };
      assert.equal((await run('evolve', '--objective', 'psnrQ', '--generations', '0')).code, 2);
      assert.equal(ws.readConfig().evolution.objective, 'psnrYuv', 'a refused flag changes nothing');
      const r = await run('evolve', '--objective', 'ssimY', '--guards', 'psnrYuv:0.5', '--generations', '0');
      assert.match(r.err, /objective: SSIM-Y BD-rate; guards: PSNR-YUV ±0\.5 pp/);
      assert.equal(ws.readConfig().evolution.objective, 'ssimY');
      assert.deepEqual(ws.readConfig().evolution.guards, [{ metric: 'psnrYuv', tolerancePercent: 0.5 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
