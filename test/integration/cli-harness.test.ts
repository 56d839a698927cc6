// The harness commands as a user runs them: `node dist/cli.js ...` in a child process.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { EXIT_CODES } from '../../src/core/errors';
import { TEST_MEDIA, writeTenBitY4M } from '../helpers/media';

const root = packageRoot();
const cli = join(root, 'dist', 'cli.js');
const media = TEST_MEDIA;

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('CLI harness commands', () => {
  let dir: string;
  before(() => {
    // `npm test` builds first; a lone run of this file builds only when the bundle is missing.
    if (!existsSync(cli)) execFileSync(process.execPath, [join(root, '.ci', 'build.mjs')], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'cli-harness-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("metrics prints ffmpeg's lines for the trees pair, and --json has the same figures", () => {
    const ref = join(media, 'trees_640x360_3f_reference.y4m'),
      dist = join(media, 'trees_640x360_3f_distorted.y4m');
    const t = run(['metrics', ref, dist]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /^PSNR y:32\.528071 u:36\.408348 v:39\.823766 average:33\.686135 min:33\.346383 max:34\.162774$/m);
    assert.match(
      t.out,
      /^SSIM Y:0\.951853 \(13\.174296\) U:0\.923780 \(11\.179299\) V:0\.947788 \(12\.822267\) All:0\.946496 \(12\.716177\)$/m,
    );
    const j = run(['metrics', ref, dist, '--json']);
    const doc = JSON.parse(j.out);
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.frames, 3);
    assert.equal(doc.psnr.y.toFixed(6), '32.528071');
    assert.equal(doc.ssim.all.toFixed(6), '0.946496');
  });

  it('bdrate reads CSV and JSON curves (PCHIP and cubic)', () => {
    const a = join(dir, 'anchor.csv'),
      t = join(dir, 'test.json');
    writeFileSync(a, 'kbps,psnr\n108048.8736,43.6471\n61279.976,40.3953\n33905.6656,37.247\n18883.6928,34.2911\n');
    writeFileSync(
      t,
      JSON.stringify(
        [
          [108061.2784, 43.6768],
          [61299.9936, 40.4232],
          [33928.7472, 37.2761],
          [18910.912, 34.3147],
        ].map(([kbps, psnr]) => ({ kbps, psnr })),
      ),
    );
    const r = run(['bdrate', '--anchor', a, '--test', t, '--json']);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.ok(Math.abs(doc.percent - -0.465215420752807) < 1e-9);
    assert.deepEqual(doc.overlap, { low: 34.3147, high: 43.6471 });
    const c = run(['bdrate', '--anchor', a, '--test', t, '--method', 'cubic']);
    assert.match(c.out, /BD-rate \(cubic\): -0\.4644 %/);
    const short = join(dir, 'short.csv');
    writeFileSync(short, 'kbps,psnr\n1,30\n2,33\n');
    const bad = run(['bdrate', '--anchor', a, '--test', short]);
    assert.equal(bad.code, EXIT_CODES.input);
    assert.match(bad.err, /at least 4/);
    assert.equal(run(['bdrate', '--anchor', a]).code, EXIT_CODES.usage);
  });

  it('baseline runs the reference codecs and hits its cache on the second run', () => {
    const cache = join(dir, 'cache');
    const args = [
      'baseline',
      join(media, 'tree_building_80x44_15f.y4m'),
      '--codecs',
      'x264,x265',
      '--points',
      '4',
      '--cache-dir',
      cache,
      '--json',
    ];
    const first = run(args);
    assert.equal(first.code, 0, first.err);
    const a = JSON.parse(first.out);
    assert.equal(a.clips[0].ffmpegRuns, 8);
    assert.equal(typeof a.clips[0].bdRateVsX264.psnrY.x265.percent, 'number');
    assert.equal(typeof a.clips[0].bdRateVsX264.psnrYuv.x265.percent, 'number');
    const second = JSON.parse(run(args).out);
    assert.equal(second.clips[0].ffmpegRuns, 0);
    assert.deepEqual(
      second.clips[0].curves,
      a.clips[0].curves.map((c: { cacheHits: number; encoded: number }) => ({ ...c, cacheHits: 4, encoded: 0 })),
    );
    assert.equal(run(['baseline', join(media, 'tree_building_80x44_15f.y4m'), '--codecs', 'vp9']).code, EXIT_CODES.usage);
  });

  it('doctor names the ffmpeg, why it was chosen, its encoders and the sandbox level', () => {
    const r = run(['doctor', '--json']);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.match(doc.ffmpeg.version, /^ffmpeg version/);
    assert.ok(doc.ffmpeg.reason.length > 10);
    assert.equal(doc.encoders.libx264, true);
    assert.equal(doc.node, process.version);
    // The sandbox level is a probe's finding: every layer it names is either active or listed missing.
    assert.match(doc.sandbox.level, /^(full|reduced)$/);
    assert.ok(
      doc.sandbox.layers.some((l: string) => l.startsWith('vm context')),
      doc.sandbox.summary,
    );
    assert.equal(doc.sandbox.level === 'full', doc.sandbox.missing.length === 0);
    const viaEnv = JSON.parse(run(['doctor', '--json'], { CODEC_EVOLVE_FFMPEG: '/usr/bin/ffmpeg' }).out);
    assert.equal(viaEnv.ffmpeg.source, 'env');
    assert.equal(viaEnv.encoders.libsvtav1, true);
  });

  describe('bad inputs: one clear error line and the right exit code', () => {
    const cases: [string, () => string[], number, RegExp][] = [
      [
        'a missing file',
        () => ['metrics', join(dir, 'missing.y4m'), join(media, 'tree_building_80x44_15f.y4m')],
        EXIT_CODES.input,
        /does not exist/,
      ],
      [
        'a truncated Y4M',
        () => {
          const p = join(dir, 'trunc.y4m');
          writeFileSync(p, readFileSync(join(media, 'tree_building_80x44_15f.y4m')).subarray(0, 30000));
          return ['metrics', p, p];
        },
        EXIT_CODES.input,
        /truncated/,
      ],
      [
        'a 10-bit Y4M',
        () => {
          const p = writeTenBitY4M(join(dir, 'ten.y4m'));
          return ['metrics', p, p];
        },
        EXIT_CODES.input,
        /10-bit/,
      ],
      [
        'a text file named .mp4',
        () => {
          const p = join(dir, 'notes.mp4');
          writeFileSync(p, 'not a video at all\n');
          return ['metrics', p, join(media, 'tree_building_80x44_15f.y4m')];
        },
        EXIT_CODES.input,
        /not a video ffmpeg can read/,
      ],
      [
        'a missing ffmpeg (bad --ffmpeg)',
        () => [
          'baseline',
          join(media, 'tree_building_80x44_15f.y4m'),
          '--ffmpeg',
          join(dir, 'nope', 'ffmpeg'),
          '--cache-dir',
          join(dir, 'c2'),
        ],
        EXIT_CODES.environment,
        /ffmpeg not found/,
      ],
      ['a missing ffmpeg (doctor)', () => ['doctor', '--ffmpeg', join(dir, 'nope', 'ffmpeg')], EXIT_CODES.environment, /ffmpeg not found/],
    ];
    for (const [name, argsOf, code, pattern] of cases) {
      it(name, () => {
        const r = run(argsOf());
        assert.equal(r.code, code, r.err + r.out);
        assert.match(r.err + r.out, pattern);
        if (!name.includes('doctor')) assert.equal(r.err.trim().split('\n').length, 1, r.err);
      });
    }
  });
});
