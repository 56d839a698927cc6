import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateCandidate, type Evaluation } from '../../src/core/harness/evaluate';
import { runEncode } from '../../src/core/sandbox/runner';
import { prepareCandidate } from '../../src/core/sandbox/validator';
import { main } from '../../src/cli/main';
import { packageRoot } from '../../src/core/paths';
import type { Video } from '../../src/core/codec/contract';
import { SMALL_CLIP, smallVideo, workerBundle } from '../helpers/sandbox-helpers';

const TEMPLATE = readFileSync(join(packageRoot(), 'src', 'core', 'codec', 'template.js'), 'utf8');
const ATTACKS = join(__dirname, '..', 'fixtures', 'candidates', 'attacks');
const attack = (f: string) => readFileSync(join(ATTACKS, f), 'utf8');

function hasPermissionModel(): boolean {
  return process.allowedNodeEnvironmentFlags.has('--permission') || process.allowedNodeEnvironmentFlags.has('--experimental-permission');
}

function ok(e: Evaluation): Extract<Evaluation, { ok: true }> {
  assert.ok(e.ok, JSON.stringify(!e.ok && e.failure));
  return e;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    signal: new AbortController().signal,
    cwd: process.cwd(),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('sandbox evaluate', function () {
  this.timeout(120_000);
  let video: Video;
  let cacheDir: string;
  before(async () => {
    workerBundle();
    video = await smallVideo(3);
    cacheDir = mkdtempSync(join(tmpdir(), 'codec-evolve-eval-'));
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('draws an RD curve whose PSNR range overlaps x264 and reports BD-rate with its overlap', async () => {
    const e = ok(await evaluateCandidate(TEMPLATE, { clips: [{ video, name: 'tree3' }], references: ['x264'], points: 4, cacheDir }));
    const c = e.clips[0];
    assert.ok(c.points.length >= 4, `${c.points.length} points`);
    assert.deepEqual(
      c.points.map((p) => p.quality),
      [...c.points.map((p) => p.quality!)].sort((a, b) => a - b),
    );
    for (const p of c.points) {
      assert.ok(p.bytes > 10 && Number.isFinite(p.metrics.psnrY) && p.metrics.ssimY! > 0 && p.metrics.ssimY! <= 1);
      for (const m of ['psnrU', 'psnrV', 'psnrYuv'] as const) assert.ok(Number.isFinite(p.metrics[m]), `${m} measured`);
      assert.ok(Math.abs(p.kbps - (p.bytes * 8 * video.fpsNum) / video.fpsDen / 3 / 1000) < 1e-9);
    }
    const ref = c.references.x264!.map((p) => p.metrics.psnrY!);
    const ours = c.points.map((p) => p.metrics.psnrY!);
    assert.ok(Math.min(...ours) <= Math.min(...ref) + 0.5 && Math.max(...ours) >= Math.max(...ref) - 0.5, `ours ${ours} vs x264 ${ref}`);
    const d = c.bdRateDetail.psnrY!.x264!;
    assert.ok(d.percent !== undefined && Number.isFinite(d.percent), JSON.stringify(d));
    assert.equal(c.bdRate.psnrY!.x264, d.percent);
    assert.ok(d.overlap!.high > d.overlap!.low);
    assert.equal(e.summary.meanBdRate.psnrY!.x264, d.percent);
    // Every metric has its own BD-rate against the same reference, SSIM on its dB scale.
    for (const m of ['psnrU', 'psnrV', 'psnrYuv', 'ssimY'] as const) {
      const dm = c.bdRateDetail[m]!.x264!;
      assert.equal(c.bdRate[m]?.x264, dm.percent, `${m}: ${JSON.stringify(dm)}`);
    }
    assert.notEqual(c.bdRate.psnrYuv!.x264, c.bdRate.psnrY!.x264);
    assert.ok(
      c.bdRateDetail.ssimY!.x264!.overlap === undefined || c.bdRateDetail.ssimY!.x264!.overlap.low > 3,
      'SSIM BD-rate runs on −10·log10(1−SSIM) dB',
    );
    assert.ok(e.sandboxLevel.layers.length >= 4);
    assert.equal(e.meta?.name, 'template');
  });

  it('measures exactly the qualities asked for, without references', async () => {
    const e = ok(await evaluateCandidate(TEMPLATE, { clips: [{ video, name: 'tree3' }], references: [], qualities: [20, 80] }));
    assert.deepEqual(
      e.clips[0].points.map((p) => p.quality),
      [20, 80],
    );
    assert.ok(e.clips[0].points[1].bytes > e.clips[0].points[0].bytes);
    assert.deepEqual(e.clips[0].bdRate, {});
  });

  it('evaluates a TypeScript candidate (by file name) under a required permission model', async () => {
    const src = readFileSync(join(__dirname, '..', 'fixtures', 'candidates', 'allowed', 'typed.mts'), 'utf8');
    const e = ok(
      await evaluateCandidate(src, {
        filename: 'typed.mts',
        clips: [{ video, name: 'tree3' }],
        references: [],
        qualities: [50],
        run: { requirePermissionModel: hasPermissionModel() },
      }),
    );
    assert.equal(e.meta?.name, 'typed-flat');
    assert.equal(e.clips[0].points[0].bytes, 4 + 3 * 3);
  });

  it('summary.meanStartupMs is the start-up of one child (not half of it)', async () => {
    // A module whose top level computes for a few hundred ms, so start-up is dominated by the same
    // work in every child: an evaluation's mean per child must match one child timed alone
    // (the old mean divided per-point means by 2 children again and came out at ~0.5x).
    const src = `let acc = 0;
for (let i = 0; i < 60000000; i++) acc = (acc + i * 2654435761) >>> 0;
export const meta = { name: 'slow-load', description: String(acc) };
export function encode(video) { return Uint8Array.of(video.width, video.height, video.frames.length); }
export function decode(b) {
  const [width, height, n] = b;
  const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
  const frames = [];
  for (let i = 0; i < n; i++) frames.push({ y: new Uint8Array(width * height), u: new Uint8Array(cw * ch), v: new Uint8Array(cw * ch) });
  return { width, height, frames };
}`;
    const tiny = { ...video, width: 16, height: 16, frames: [{ y: new Uint8Array(256), u: new Uint8Array(64), v: new Uint8Array(64) }] };
    const prepared = prepareCandidate(src, 'slow.js').candidate!;
    const alone: number[] = [];
    const oneChild = async () => {
      const r = await runEncode(prepared, tiny, 50, { limits: { timeoutMs: 30_000 } });
      assert.ok(r.ok, JSON.stringify(!r.ok && r.failure));
      alone.push(r.startupMs);
    };
    await oneChild();
    const e = ok(
      await evaluateCandidate(src, {
        clips: [{ video: tiny, name: 'tiny' }],
        references: [],
        qualities: [50],
        determinism: 'off',
        limits: { timeoutMs: 30_000 },
      }),
    );
    await oneChild();
    await oneChild();
    const single = [...alone].sort((a, b) => a - b)[1];
    const ratio = e.summary.meanStartupMs / single;
    console.log(
      `      mean start-up per child ${e.summary.meanStartupMs.toFixed(0)} ms in the evaluation; one child alone ${alone.map((x) => x.toFixed(0)).join(', ')} ms`,
    );
    assert.ok(ratio > 0.65 && ratio < 1.5, `ratio ${ratio.toFixed(2)}`);
  });

  it('a decoder of random frames scores terribly and gets no BD-rate, without crashing', async () => {
    const e = ok(
      await evaluateCandidate(attack('random-frames.js'), {
        clips: [{ video, name: 'tree3' }],
        references: ['x264'],
        qualities: [10, 40, 70, 90],
        cacheDir,
      }),
    );
    for (const p of e.clips[0].points) assert.ok(p.metrics.psnrY! < 15, `psnrY ${p.metrics.psnrY}`);
    assert.match(e.clips[0].bdRateDetail.psnrY!.x264!.error ?? '', /overlap|curve/i);
  });

  it('returns failures as results with class, position, clip and quality', async () => {
    const v = await evaluateCandidate(attack('read-env.js'), { clips: [{ video, name: 'tree3' }], references: [] });
    assert.ok(!v.ok);
    assert.deepEqual([v.failure.class, v.failure.line, v.failure.column, v.failure.stage], ['forbidden', 4, 53, 'validate']);
    const t = await evaluateCandidate(attack('loop-decode.js'), {
      clips: [{ video, name: 'tree3' }],
      references: [],
      qualities: [50],
      limits: { timeoutMs: 2500 },
    });
    assert.ok(!t.ok);
    assert.deepEqual([t.failure.class, t.failure.stage, t.failure.clip, t.failure.quality], ['timeout', 'decode', 'tree3', 50]);
  });

  describe('CLI', () => {
    const template = join(packageRoot(), 'src', 'core', 'codec', 'template.js');

    it('validate: exit 0 on a clean codec, 3 with file:line:col diagnostics, 2 on usage', async () => {
      assert.equal((await cli(['validate', template])).code, 0);
      const bad = await cli(['validate', join(ATTACKS, 'read-env.js')]);
      assert.equal(bad.code, 3);
      assert.match(bad.out, /read-env\.js:4:53: forbidden: the global `process`/);
      assert.equal((await cli(['validate'])).code, 2);
    });

    /** evaluate on the small clip without reference codecs at given qualities (no search). */
    const quickEvaluate = (codec: string, frames: string, qualities: string, ...more: string[]) => [
      'evaluate',
      codec,
      '--clips',
      SMALL_CLIP,
      '--frames',
      frames,
      '--codecs',
      'none',
      '--qualities',
      qualities,
      ...more,
    ];

    it('evaluate --json: the RD table as one JSON document; exit 3 with the class on failure', async () => {
      const r = await cli(quickEvaluate(template, '3', '30,70', '--json'));
      assert.equal(r.code, 0, r.err);
      const e = JSON.parse(r.out);
      assert.equal(e.ok, true);
      assert.deepEqual(
        e.clips[0].points.map((p: { quality: number }) => p.quality),
        [30, 70],
      );
      const f = await cli(quickEvaluate(join(ATTACKS, 'wrong-plane-size.js'), '3', '50', '--json'));
      assert.equal(f.code, 3);
      assert.equal(JSON.parse(f.out).failure.class, 'bad-output');
      assert.match(f.err, /bad-output \(in decode\): frames\[2\]\.y has 3519 bytes, expected 3520/);
    });

    it('evaluate --memory-mb: a codec holding 300 MB of heap fails memory at 200 and runs at 1024', async () => {
      const heavy = join(packageRoot(), 'test', 'fixtures', 'candidates', 'memory', 'heap-300mb.js');
      const args = (mb: string) => quickEvaluate(heavy, '2', '50', '--memory-mb', mb, '--json');
      const low = await cli(args('200'));
      assert.equal(low.code, 3, low.err);
      assert.equal(JSON.parse(low.out).failure.class, 'memory');
      assert.match(low.err, /200 MB JavaScript heap cap/);
      const high = await cli(args('1024'));
      assert.equal(high.code, 0, high.err);
      assert.equal((await cli(args('0'))).code, 2);
    });

    it('evaluate: usage errors exit 2', async () => {
      assert.equal((await cli(['evaluate'])).code, 2);
      assert.equal((await cli(['evaluate', template, '--qualities', 'high'])).code, 2);
      assert.equal((await cli(['evaluate', template, '--codecs', 'mpeg2'])).code, 2);
    });

    /** The template on 3 frames of the small clip against x264 at 4 points, references cached for the run. */
    const evaluateTemplate = () => [
      'evaluate',
      template,
      '--clips',
      SMALL_CLIP,
      '--frames',
      '3',
      '--codecs',
      'x264',
      '--points',
      '4',
      '--cache-dir',
      cacheDir,
    ];

    it('evaluate prints the RD table and BD-rate vs x264', async () => {
      const r = await cli(evaluateTemplate());
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /quality\s+bytes\s+kbps\s+PSNR-Y\s+PSNR-U\s+PSNR-V\s+PSNR-YUV\s+SSIM-Y/);
      assert.match(r.out, /BD-rate vs x264 \(PCHIP/);
      for (const label of ['PSNR-Y', 'PSNR-U', 'PSNR-V', 'PSNR-YUV'])
        assert.match(r.out, new RegExp(`\\n\\s+${label}\\s+[+-]\\d+\\.\\d+ % over \\d+\\.\\d+\\.\\.\\d+\\.\\d+ dB`), label);
      assert.match(r.out, /SSIM-Y\s+[+-]\d+\.\d+ % over [\d.]+ dB of −10·log10\(1−SSIM\)/);
      assert.match(r.out, /sandbox (full|reduced)/);
    });

    it('evaluate --json keys BD-rate by metric, then reference: bdRate.psnrYuv.x264', async () => {
      const r = await cli([...evaluateTemplate(), '--json']);
      assert.equal(r.code, 0, r.err);
      const e = JSON.parse(r.out);
      const c = e.clips[0];
      for (const m of ['psnrY', 'psnrU', 'psnrV', 'psnrYuv', 'ssimY']) {
        assert.equal(typeof c.bdRate[m].x264, 'number', `bdRate.${m}.x264`);
        assert.equal(c.bdRateDetail[m].x264.percent, c.bdRate[m].x264);
        assert.equal(typeof e.summary.meanBdRate[m].x264, 'number');
        for (const p of c.points) assert.equal(typeof p.metrics[m], 'number', `points[].metrics.${m}`);
      }
      for (const p of c.points)
        assert.ok(Math.abs(p.metrics.psnrYuv - (6 * p.metrics.psnrY + p.metrics.psnrU + p.metrics.psnrV) / 8) < 1e-9);
      assert.deepEqual(e.summary.metrics, ['psnrY', 'psnrU', 'psnrV', 'psnrYuv', 'ssimY']);
    });
  });
});
