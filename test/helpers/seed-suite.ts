// The behaviour every seed codec must show, as one mocha suite per seed: the decoder rebuilds exactly
// what the encoder reconstructed, at any size, for one frame or a scene cut; quality orders rate and
// PSNR; output is deterministic; every @evolve parameter at either end of its range still decodes.
import { strict as assert } from 'node:assert';
import type { Video } from '../../src/core/codec/contract';
import { EVOLVE_BLOCK_END, EVOLVE_BLOCK_START } from '../../src/core/codec/contract';
import { parseParameters, renderLine } from '../../src/core/llm/parameters';
import { psnrVideo } from '../../src/core/metrics/psnr';
import { runDecode, runEncode } from '../../src/core/sandbox/runner';
import { prepareCandidate, validateSource } from '../../src/core/sandbox/validator';
import { workerBundle } from './sandbox-helpers';
import { cropVideo, framesEqual, loadSeed, seedSource, sharedClip, type SeedCodec } from './seed-codec';

const TREE = 'tree_building_80x44_15f.y4m';
const HEADS = 'talking_heads_320x192_9f.y4m';

function roundTrip(codec: SeedCodec, video: Video, quality: number): { bytes: Uint8Array; psnrY: number } {
  const r = codec.encodeWithReconstruction(video, { quality });
  const d = codec.decode(r.bytes);
  assert.equal(d.width, video.width);
  assert.equal(d.height, video.height);
  assert.equal(d.frames.length, video.frames.length);
  assert.ok(framesEqual(d.frames, r.frames), `decode(bytes) differs from the encoder's reconstruction at quality ${quality}`);
  for (const f of d.frames) {
    assert.equal(f.y.length, video.width * video.height);
    assert.equal(f.u.length, ((video.width + 1) >> 1) * ((video.height + 1) >> 1));
  }
  return { bytes: r.bytes, psnrY: psnrVideo(video, { ...video, frames: d.frames }).y };
}

export function seedSuite(name: string, opts: { minPsnrAtQ50: number }): void {
  describe(`seed codec ${name}`, function () {
    let codec: SeedCodec;
    let tree: Video;
    before(async () => {
      codec = loadSeed(name);
      tree = await sharedClip(TREE, 6);
    });

    it('runs with JavaScript built-ins only and declares meta', () => {
      assert.equal(codec.meta.name, name);
      assert.ok(codec.meta.description.length > 0);
    });

    it('decodes exactly what the encoder reconstructed, at several qualities', () => {
      for (const q of [5, 50, 95]) roundTrip(codec, tree, q);
    });

    it('handles odd sizes by cropping on output', async () => {
      const heads = await sharedClip(HEADS, 3);
      for (const [w, h] of [
        [33, 17],
        [1, 1],
        [2, 3],
        [81, 43],
      ] as const) {
        const src = w <= 80 && h <= 44 ? cropVideo(tree, w, h, 3) : cropVideo(heads, w, h, 3);
        const { psnrY } = roundTrip(codec, src, 60);
        if (w * h > 16) assert.ok(psnrY > 28, `${w}x${h} decodes to a recognisable picture (PSNR-Y ${psnrY.toFixed(2)})`);
      }
    });

    it('codes a 1-frame clip', () => {
      const one = cropVideo(tree, 80, 44, 1);
      const { psnrY } = roundTrip(codec, one, 50);
      assert.ok(psnrY > opts.minPsnrAtQ50, `PSNR-Y ${psnrY.toFixed(2)}`);
    });

    it('survives a scene cut', async () => {
      const heads = cropVideo(await sharedClip(HEADS, 3), 80, 44);
      const cut: Video = { ...tree, frames: [...tree.frames.slice(0, 3), ...heads.frames] };
      const r = codec.encodeWithReconstruction(cut, { quality: 50 });
      const d = codec.decode(r.bytes);
      assert.ok(framesEqual(d.frames, r.frames));
      const after = psnrVideo({ ...heads, frames: heads.frames.slice(0, 1) }, { ...heads, frames: d.frames.slice(3, 4) }).y;
      assert.ok(after > opts.minPsnrAtQ50, `the first frame after the cut is coded afresh (PSNR-Y ${after.toFixed(2)})`);
    });

    it('more quality gives more bytes and higher PSNR, spanning 30..42 dB', () => {
      const qs = [0, 20, 40, 60, 80, 100];
      const pts = qs.map((q) => ({ q, ...roundTrip(codec, tree, q) }));
      for (let i = 1; i < pts.length; i++) {
        assert.ok(
          pts[i].bytes.length > pts[i - 1].bytes.length,
          `bytes grow from q${qs[i - 1]} to q${qs[i]}: ${pts.map((p) => p.bytes.length)}`,
        );
        assert.ok(
          pts[i].psnrY > pts[i - 1].psnrY - 0.05,
          `PSNR grows from q${qs[i - 1]} to q${qs[i]}: ${pts.map((p) => p.psnrY.toFixed(2))}`,
        );
      }
      assert.ok(pts[0].psnrY <= 30, `quality 0 reaches down to 30 dB (${pts[0].psnrY.toFixed(2)})`);
      assert.ok(pts[pts.length - 1].psnrY >= 42, `quality 100 reaches up to 42 dB (${pts[pts.length - 1].psnrY.toFixed(2)})`);
    });

    it('is deterministic', () => {
      const a = codec.encode(tree, { quality: 40 });
      const b = loadSeed(name).encode(tree, { quality: 40 });
      assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'two encodes give the same bytes');
      assert.ok(framesEqual(codec.decode(a).frames, codec.decode(a).frames), 'two decodes give the same frames');
    });

    it("runs in the real sandbox: encode and decode in separate children rebuild the encoder's reconstruction", async function () {
      this.timeout(60_000);
      workerBundle();
      const source = seedSource(name);
      assert.deepEqual(validateSource(source, `${name}.js`), [], 'the validator accepts the seed');
      const prepared = prepareCandidate(source, `${name}.js`);
      assert.ok(prepared.candidate, JSON.stringify(prepared.diagnostics));
      const clip = cropVideo(tree, 80, 44, 4);
      const enc = await runEncode(prepared.candidate, clip, 60, { limits: { timeoutMs: 30_000 } });
      assert.ok(enc.ok, JSON.stringify(!enc.ok && enc.failure));
      const local = codec.encodeWithReconstruction(clip, { quality: 60 });
      assert.ok(Buffer.from(enc.bytes).equals(Buffer.from(local.bytes)), 'the sandboxed encoder gives the same bytes as in-process');
      assert.equal(enc.meta?.name, name);
      const dec = await runDecode(prepared.candidate, enc.bytes, { width: 80, height: 44, frames: 4 }, { limits: { timeoutMs: 30_000 } });
      assert.ok(dec.ok, JSON.stringify(!dec.ok && dec.failure));
      assert.ok(framesEqual(dec.video.frames, local.frames), 'the sandboxed decoder rebuilds the reconstruction byte for byte');
    });

    it('declares @evolve parameters inside EVOLVE-BLOCKs, and decodes at both ends of every range', () => {
      const source = seedSource(name);
      const params = parseParameters(source);
      const annotated = source.split('\n').filter((l) => l.includes('// @evolve')).length;
      assert.ok(params.length >= 3, 'has tunable parameters');
      assert.equal(params.length, annotated, 'every annotation parses and lies inside an EVOLVE-BLOCK');
      assert.ok(source.includes(EVOLVE_BLOCK_START) && source.includes(EVOLVE_BLOCK_END));
      for (const p of params) {
        if (p.type === 'float' || p.type === 'int')
          assert.ok((p.value as number) >= p.min! && (p.value as number) <= p.max!, `${p.name} default inside its range`);
        if (p.type === 'choice') assert.ok(p.choices!.includes(p.value as string), `${p.name} default is one of its choices`);
      }
      const small = cropVideo(tree, 37, 21, 3);
      const extremes = (pick: 0 | 1): string =>
        params.reduce((src, p) => {
          const v =
            p.type === 'bool' ? pick === 1 : p.type === 'choice' ? p.choices![pick ? p.choices!.length - 1 : 0] : pick ? p.max! : p.min!;
          return src.replace(p.line, renderLine(p, v));
        }, source);
      for (const pick of [0, 1] as const) {
        const mutated = loadSeed(name, extremes(pick));
        for (const q of [10, 90]) roundTrip(mutated, small, q);
      }
    });
  });
}
