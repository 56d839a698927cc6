import { strict as assert } from 'node:assert';
import type { Video } from '../../src/core/codec/contract';
import { cropVideo, framesEqual, loadSeed, seedSource, sharedClip, type SeedCodec } from '../helpers/seed-codec';
import { seedSuite } from '../helpers/seed-suite';

seedSuite('hybrid', { minPsnrAtQ50: 32 });

// The hybrid seed's coding tools, each switchable by its @evolve constant: every tool, off and on one at
// a time, keeps the decoder's output identical to the encoder's reconstruction.
const TOOLS: Array<[name: string, off: string, on: string]> = [
  ['RDOQ', 'false', 'true'],
  ['NUM_REFS', '1', '4'],
  ['CHROMA_DC', 'false', 'true'],
  ['TRANSFORM_8X8', 'false', 'true'],
  ['INTRA4_MODES', '1', '9'],
  ['INTRA_8X8', 'false', 'true'],
  ['CHROMA_ME', 'false', 'true'],
  ['CHROMA_MODE_RD', 'false', 'true'],
  ['CHROMA_CFL', 'false', 'true'],
  ['CHROMA_DM', 'false', 'true'],
  ['MBTREE', 'false', 'true'],
  ['B_FRAMES', '0', '3'],
  ['B_ADAPT', 'false', 'true'],
  ['B_PYRAMID', 'false', 'true'],
  ['LONG_TERM_REF', 'false', 'true'],
  ['CHROMA_4TAP', 'false', 'true'],
  ['B_PARTITIONS', 'false', 'true'],
  ['B_SEARCH_REFS', '1', '4'],
  ['PROB_COUNT', 'false', 'true'],
  ['PROB_SLOW_SHIFT', '0', '7'],
  ['RECT_PARTITIONS', 'false', 'true'],
  ['MERGE_CANDS', '1', '4'],
  ['ALF', 'false', 'true'],
  ['ALF_LUMA_7X7', 'false', 'true'],
  ['TRANSFORM_16X16', 'false', 'true'],
  ['PROB_INIT', 'false', 'true'],
  ['MERGE_TEMPORAL', 'false', 'true'],
  ['RECT_SEARCH', 'false', 'true'],
  ['MV_COST_ADAPT', 'false', 'true'],
  ['INTRA_ANGULAR', 'false', 'true'],
];

function withConstant(source: string, name: string, value: string): string {
  const re = new RegExp(`(const ${name} = )[^;]*;`);
  assert.ok(re.test(source), `the seed declares ${name}`);
  return source.replace(re, `$1${value};`);
}

function roundTrip(codec: SeedCodec, video: Video, quality: number): Uint8Array {
  const r = codec.encodeWithReconstruction(video, { quality });
  const d = codec.decode(r.bytes);
  assert.equal(d.frames.length, video.frames.length);
  assert.ok(framesEqual(d.frames, r.frames), "decode(bytes) equals the encoder's reconstruction");
  return r.bytes;
}

describe('hybrid seed coding tools', () => {
  let tree: Video;
  let heads: Video;
  before(async () => {
    tree = await sharedClip('tree_building_80x44_15f.y4m', 6);
    heads = cropVideo(await sharedClip('talking_heads_320x192_9f.y4m', 3), 80, 44);
  });

  for (const [name, off, on] of TOOLS) {
    it(`${name} off and on: odd sizes, one frame and a scene cut decode exactly`, () => {
      for (const value of [off, on]) {
        const codec = loadSeed('hybrid', withConstant(seedSource('hybrid'), name, value));
        roundTrip(codec, cropVideo(tree, 37, 21, 5), 30);
        roundTrip(codec, cropVideo(tree, 80, 44, 1), 70);
        roundTrip(codec, { ...tree, frames: [...tree.frames.slice(0, 3), ...heads.frames, tree.frames[1]] }, 50);
      }
    });
  }

  it('multiple references: a picture that returns after a cut is predicted from the older reference', () => {
    // t0 t1 h0 t1 t2: with one reference the second t1 sees only h0; with three it finds the first t1.
    const clip: Video = { ...tree, frames: [tree.frames[0], tree.frames[1], heads.frames[0], tree.frames[1], tree.frames[2]] };
    // B-frames and the long-term reference would find it too: off here, to see the reference count alone.
    const plain = withConstant(withConstant(seedSource('hybrid'), 'B_FRAMES', '0'), 'LONG_TERM_REF', 'false');
    const one = roundTrip(loadSeed('hybrid', withConstant(plain, 'NUM_REFS', '1')), clip, 60);
    const three = roundTrip(loadSeed('hybrid', withConstant(plain, 'NUM_REFS', '3')), clip, 60);
    assert.ok(three.length < 0.9 * one.length, `three references: ${three.length} B, one: ${one.length} B`);
  });

  it('long-term reference: a scene that returns after a longer cut is predicted from the picture kept at the cut', () => {
    // t0 t1 h0 h1 h2 t1 t2: at the cut (an intra h0) t1 becomes long-term; three short-term references
    // hold only h0..h2 when t1 returns.
    const clip: Video = { ...tree, frames: [tree.frames[0], tree.frames[1], ...heads.frames, tree.frames[1], tree.frames[2]] };
    const plain = withConstant(withConstant(seedSource('hybrid'), 'B_FRAMES', '0'), 'NUM_REFS', '3');
    const off = roundTrip(loadSeed('hybrid', withConstant(plain, 'LONG_TERM_REF', 'false')), clip, 60);
    const on = roundTrip(loadSeed('hybrid', withConstant(plain, 'LONG_TERM_REF', 'true')), clip, 60);
    assert.ok(on.length < 0.9 * off.length, `long-term reference: ${on.length} B, without: ${off.length} B`);
  });
});
