import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crfLadder, cropTo, encodedSize, ivfPayloadBytes, padToEven, runReference } from '../../src/core/baseline/reference';
import { readY4M } from '../../src/core/video/y4m';
import { kbps } from '../../src/core/metrics/rd';
import { CancelledError, EnvironmentError } from '../../src/core/errors';
import type { Video } from '../../src/core/codec/contract';
import { TREE_CLIP } from '../helpers/media';

const tree = TREE_CLIP;

describe('baseline/reference', () => {
  let dir: string;
  let clip: Video;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baseline-test-'));
    const full = await readY4M(tree);
    clip = { ...full, frames: full.frames.slice(0, 6) };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs x264, x265 and AV1 on the same frames, then answers the same call from the cache without ffmpeg', async () => {
    const cacheDir = join(dir, 'cache');
    const first = await runReference(clip, { cacheDir, points: 4 });
    assert.deepEqual(
      first.curves.map((c) => c.codec),
      ['x264', 'x265', 'av1'],
    );
    assert.equal(first.ffmpegRuns, 12);
    for (const c of first.curves) {
      assert.equal(c.points.length, 4);
      assert.equal(c.encoded, 4);
      for (const p of c.points) {
        const m = p.metrics as Required<typeof p.metrics>;
        assert.ok(p.bytes > 0 && m.psnrY > 20 && m.psnrY < 60 && m.ssimY > 0.5 && m.ssimY <= 1, JSON.stringify(p));
        assert.equal(p.kbps, kbps(p.bytes, 6, 15, 1));
        assert.equal(m.psnrYuv, (6 * m.psnrY + m.psnrU + m.psnrV) / 8);
        assert.ok(m.psnrU > 20 && m.psnrV > 20, 'the chroma planes are measured too');
      }
      // Lower CRF = more bytes and higher PSNR: the points form a real RD curve.
      for (let i = 1; i < 4; i++) {
        assert.ok(c.points[i].bytes < c.points[i - 1].bytes, `${c.codec} bytes`);
        assert.ok(c.points[i].metrics.psnrY! < c.points[i - 1].metrics.psnrY!, `${c.codec} psnr`);
      }
    }
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 12);
    assert.equal(JSON.parse(readFileSync(join(cacheDir, files[0]), 'utf8')).schemaVersion, 1);

    const second = await runReference(clip, { cacheDir, points: 4 });
    assert.equal(second.ffmpegRuns, 0);
    assert.deepEqual(
      second.curves.map((c) => c.cacheHits),
      [4, 4, 4],
    );
    assert.deepEqual(
      second.curves.map((c) => c.points),
      first.curves.map((c) => c.points),
    );

    // One changed pixel is a different clip: no stale hit.
    const changed = { ...clip, frames: clip.frames.map((f, i) => (i ? f : { ...f, y: f.y.map((v, j) => (j ? v : v ^ 1)) })) };
    const third = await runReference(changed, { cacheDir, codecs: ['x264'], crf: { x264: [30] } });
    assert.equal(third.ffmpegRuns, 1);
  });

  it('encodes odd-sized clips through an edge-replicated even copy and measures the original size', async () => {
    const odd = cropTo(clip, 79, 43);
    assert.deepEqual([odd.width, odd.height, odd.frames[0].u.length], [79, 43, 40 * 22]);
    const padded = padToEven(odd);
    assert.deepEqual([padded.width, padded.height, padded.frames[0].u.length], [80, 44, 40 * 22]);
    assert.deepEqual(cropTo(padded, 79, 43).frames, odd.frames);
    const r = await runReference(odd, { cacheDir: join(dir, 'odd'), codecs: ['x264', 'x265'], crf: { x264: [28], x265: [28] } });
    assert.ok(r.curves.every((c) => c.points[0].metrics.psnrY! > 25));
  });

  it("pads clips below SVT-AV1's 64-sample minimum and measures them at their own size", async () => {
    assert.deepEqual(encodedSize(80, 44, 64), [80, 64]);
    assert.deepEqual(encodedSize(79, 43), [80, 44]);
    const padded = padToEven(clip, 64);
    assert.deepEqual([padded.width, padded.height], [80, 64]);
    assert.deepEqual(padded.frames[0].y.subarray(63 * 80, 64 * 80), clip.frames[0].y.subarray(43 * 80, 44 * 80));
    const r = await runReference(clip, {
      cacheDir: join(dir, 'svt'),
      ffmpeg: '/usr/bin/ffmpeg',
      codecs: ['av1'],
      av1Encoder: 'libsvtav1',
      crf: { av1: [40] },
    });
    assert.equal(r.curves[0].encoder, 'libsvtav1');
    assert.ok(r.curves[0].points[0].metrics.psnrY! > 25, JSON.stringify(r.curves[0].points[0]));
  });

  it('counts AV1 payload bytes without the IVF headers', () => {
    const head = Buffer.alloc(32);
    head.write('DKIF', 0, 'latin1');
    head.writeUInt16LE(32, 6);
    const frame = (n: number) => {
      const b = Buffer.alloc(12 + n);
      b.writeUInt32LE(n, 0);
      return b;
    };
    assert.equal(ivfPayloadBytes(Buffer.concat([head, frame(100), frame(7)])), 107);
  });

  it('spreads CRF points over the range', () => {
    assert.deepEqual(crfLadder(5, [20, 40]), [20, 25, 30, 35, 40]);
    assert.deepEqual(crfLadder(4, [20, 40]), [20, 27, 33, 40]);
  });

  it('stops ffmpeg when cancelled', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    await assert.rejects(
      runReference(clip, { cacheDir: join(dir, 'cancel'), codecs: ['x265'], crf: { x265: [10, 12, 14, 16, 18, 20] }, signal: ac.signal }),
      (e: unknown) => e instanceof CancelledError,
    );
  });

  it('reports a missing ffmpeg as an EnvironmentError', async () => {
    await assert.rejects(runReference(clip, { cacheDir: join(dir, 'x'), ffmpeg: join(dir, 'no-ffmpeg') }), EnvironmentError);
  });
});
