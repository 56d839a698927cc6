// The objective cannot be gamed by moving bits between planes: a candidate that only raises the
// chroma QP offset (+6 on the hybrid seed) wins on PSNR-Y, loses on PSNR-YUV and badly on U and V,
// and must not reach the review queue. Real engine, real sandbox, real x264, a scripted model.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSession } from '../../src/core/evolution/session';
import { judge } from '../../src/core/evolution/adoption';
import { initWorkspace } from '../../src/core/store/init';
import { seedSource } from '../../src/core/store/seed-files';
import { startMockAnthropic, type MockAnthropic } from '../helpers/anthropic-server';
import { testClip } from '../helpers/media';
import type { CandidateRecord } from '../../src/core/store/records';
import type { MetricId } from '../../src/core/metrics/registry';

const SR = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;

describe('objective and guards: bits moved from chroma to luma', function () {
  this.timeout(900_000);
  let server: MockAnthropic | undefined;
  let dir: string | undefined;
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a chroma QP offset of +6 is not queued for review; its record shows the PSNR-YUV and chroma regressions', async () => {
    // Found by name: the seed's blocks move, the constant keeps its name.
    const line = /^[ \t]*const CHROMA_QP_OFFSET = [^\n]*$/m.exec(seedSource('hybrid'))![0];
    const edited = line.replace(/=\s*-?\d+\s*;/, '= 6;');
    assert.notEqual(edited, line);
    server = await startMockAnthropic(() => ({
      kind: 'text',
      text: `HYPOTHESIS: a coarser chroma quantiser frees bits for luma\n\n${SR(line, edited)}`,
    }));
    dir = mkdtempSync(join(tmpdir(), 'ce-objective-'));
    const { ws } = initWorkspace(dir, {
      seed: 'hybrid',
      clips: [testClip('talking_heads_320x192_9f.y4m')],
      configure: (c) => {
        c.clips.smoke.frames = 2;
        c.clips.training[0].frames = 3;
        c.references = ['x264'];
        c.primaryReference = 'x264';
        c.evolution.concurrency = 1;
        c.evolution.candidatesPerGeneration = 1;
        c.evolution.gitCommit = false;
        c.provider = { kind: 'anthropic', baseUrl: server!.baseURL, model: 'claude-sonnet-4-6' };
      },
    });
    const cfg = ws.readConfig();
    assert.equal(cfg.evolution.objective, 'psnrYuv', 'the default objective is PSNR-YUV');
    assert.deepEqual(
      cfg.evolution.guards.map((g) => [g.metric, g.tolerancePercent]),
      [
        ['psnrY', 1],
        ['psnrU', 1],
        ['psnrV', 1],
        ['ssimY', 1],
      ],
    );

    await runSession(ws, { generations: 1, providerRuntime: { apiKey: 'test', maxRetries: 1, timeoutMs: 60_000 } });
    const recs = new Map(ws.listCandidates().map((r) => [r.id, r]));
    const root = recs.get('v0001-root')!;
    const cand = recs.get('g0001-0')!;
    assert.ok(cand.metrics, JSON.stringify(cand.failure));
    const bd = (r: CandidateRecord, m: MetricId) => r.metrics!.trainingBdRates![m]!.x264!;
    const margin = cfg.evolution.noiseMarginPercent;

    // What the edit does: luma gains beyond the noise margin, chroma loses far more, the 6:1:1 sum loses.
    assert.ok(bd(cand, 'psnrY') < bd(root, 'psnrY') - margin, `PSNR-Y ${bd(cand, 'psnrY')} vs ${bd(root, 'psnrY')}`);
    assert.ok(bd(cand, 'psnrU') > bd(root, 'psnrU') + 1, `PSNR-U ${bd(cand, 'psnrU')} vs ${bd(root, 'psnrU')}`);
    assert.ok(bd(cand, 'psnrV') > bd(root, 'psnrV') + 1, `PSNR-V ${bd(cand, 'psnrV')} vs ${bd(root, 'psnrV')}`);
    assert.ok(bd(cand, 'psnrYuv') > bd(root, 'psnrYuv'), `PSNR-YUV ${bd(cand, 'psnrYuv')} vs ${bd(root, 'psnrYuv')}`);

    // The engine's verdict: not queued, the objective did not gain, and the record names the chroma guards.
    assert.equal(cand.state, 'evaluated');
    assert.equal(cand.metrics!.objective, 'psnrYuv');
    assert.equal(cand.metrics!.trainingBdRate, bd(cand, 'psnrYuv'), "the training score is the objective's BD-rate");
    const v = cand.verdict!;
    assert.equal(v.improved, false);
    assert.equal(v.stoppedBy, 'objective');
    assert.match(v.reason, /PSNR-YUV BD-rate/);
    assert.match(v.reason, /PSNR-U .*PSNR-V/);
    const guard = (m: MetricId) => v.guards!.find((g) => g.metric === m)!;
    assert.equal(guard('psnrU').ok, false);
    assert.equal(guard('psnrV').ok, false);
    assert.equal(guard('psnrY').ok, true);
    assert.ok(Math.abs(guard('psnrU').change! - (bd(cand, 'psnrU') - bd(root, 'psnrU'))) < 1e-9);
    assert.equal(ws.listCandidates().filter((r) => r.state === 'pending-review').length, 0);

    // The model was told the objective, the guards and every metric of its parent.
    const prompt = ws.readCandidateFile(cand.id, 'prompt.md')!;
    assert.match(
      prompt,
      /The score is PSNR-YUV BD-rate\. A change is only kept if PSNR-Y \(1 pp\), PSNR-U \(1 pp\), PSNR-V \(1 pp\), SSIM-Y \(1 pp\)/,
    );
    assert.match(
      prompt,
      /BD-rate vs x264: PSNR-Y [+-]?\d+\.\d\d %, PSNR-U [+-]?\d+\.\d\d %, PSNR-V [+-]?\d+\.\d\d %, PSNR-YUV [+-]?\d+\.\d\d %, SSIM-Y/,
    );

    // The same measured numbers under the old luma-only objective: the chroma guard stops it, and
    // without guards it would have been queued (the gaming this closes).
    const scores = (r: CandidateRecord, m: MetricId) => ({ training: bd(r, m), bdRates: r.metrics!.trainingBdRates });
    const luma = judge(scores(cand, 'psnrY'), scores(root, 'psnrY'), {
      margin,
      objective: 'psnrY',
      guards: cfg.evolution.guards,
      reference: 'x264',
    });
    assert.equal(luma.improved, false);
    assert.deepEqual(luma.stoppedBy, { guard: 'psnrU' });
    assert.match(luma.reason, /guards regress beyond tolerance: PSNR-U/);
    assert.equal(
      judge(scores(cand, 'psnrY'), scores(root, 'psnrY'), { margin, objective: 'psnrY', guards: [], reference: 'x264' }).improved,
      true,
    );

    // Changing the objective re-reads the stored tables instead of measuring again: the version's
    // score follows, the root is not re-evaluated, and the candidate ranks by its PSNR-Y gain.
    ws.writeConfig({ ...cfg, evolution: { ...cfg.evolution, objective: 'psnrY' } });
    await runSession(ws, { generations: 1, providerRuntime: { apiKey: 'test', maxRetries: 1, timeoutMs: 60_000 } });
    const v1 = ws.listVersions()[0];
    assert.equal(v1.objective, 'psnrY');
    assert.equal(v1.trainingBdRate, bd(root, 'psnrY'));
    const evaluations = ws.events.read().events.filter((e) => e.type === 'evaluation-started' && e.id === root.id);
    assert.equal(evaluations.length, 1, 'the root was measured once');
    const status = JSON.parse(readFileSync(join(ws.dir, 'status.json'), 'utf8'));
    assert.deepEqual(status.best, { id: cand.id, trainingBdRate: bd(cand, 'psnrY') });
  });
});
