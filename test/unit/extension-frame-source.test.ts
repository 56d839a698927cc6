// The frame viewer's source: a real workspace, the seed codec run through the real sandbox children.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameSource, lumaPsnr, representativeQuality } from '../../src/extension/frame-source';
import { initWorkspace } from '../../src/core/store/init';
import { readY4M } from '../../src/core/video/y4m';
import type { CandidateRecord } from '../../src/core/store/records';

const clip = join(__dirname, '..', '..', '..', 'shared', 'media', 'tree_building_80x44_15f.y4m');
const worker = join(__dirname, '..', '..', 'dist', 'sandbox-worker.js');

describe('extension frame source (real sandbox)', function () {
  this.timeout(60000);
  let root: string;
  before(function () {
    if (!existsSync(worker) || !existsSync(clip)) { console.log(`    skipped: needs ${worker} (npm run build) and ${clip}`); this.skip(); }
    root = mkdtempSync(join(tmpdir(), 'ce-frames-'));
  });
  after(() => { if (root) rmSync(root, { recursive: true, force: true }); });

  it('decodes frame N of a clip with the best version and pairs it with the original', async () => {
    const { ws } = initWorkspace(root, { clips: [clip], configure: (c) => { c.clips.training = [{ path: c.clips.training[0].path, frames: 3 }]; } });
    const src = new FrameSource(() => ws, () => []);
    const f = await src.frame('tree_building_80x44_15f', 2, { kind: 'best' });
    const video = await readY4M(clip, 3);
    assert.equal(f.frameCount, 3);
    assert.deepEqual([f.width, f.height], [80, 44]);
    assert.deepEqual(f.original.y, video.frames[2].y, 'the original is the clip’s own frame 2');
    assert.equal(f.decoded.y.length, 80 * 44);
    for (const p of [f.original.y, f.original.u, f.decoded.y, f.decoded.u, f.decoded.v]) {
      // What crosses to the webview must be a plain array owning exactly its bytes.
      assert.ok(!Buffer.isBuffer(p) && p.byteOffset === 0 && p.buffer.byteLength === p.length, 'standalone Uint8Array');
    }
    assert.equal(f.decoded.u.length, 40 * 22);
    assert.ok(f.psnrY > 20 && f.psnrY < 80, `PSNR-Y ${f.psnrY} is a lossy codec's`);
    assert.equal(f.psnrY, lumaPsnr(video.frames[2].y, f.decoded.y));
    assert.equal(f.quality, 50, 'no metrics recorded yet: the middle quality');
    // The config names the clip by path: its file name with the extension matches too.
    const again = await src.frame('tree_building_80x44_15f.y4m', 0, { kind: 'best' });
    assert.equal(src.decodes, 1, 'the second frame comes from the decoded clip already held');
    assert.deepEqual(again.original.y, video.frames[0].y);
    await assert.rejects(src.frame('nope.y4m', 0, { kind: 'best' }), /not in this workspace/);
  });

  it('uses the quality of the middle RD point the codec reached on that clip', () => {
    const rec = { metrics: { training: [{ clip: 'tree', bdRate: {}, points: [30, 70, 10, 50, 90].map((quality) => ({ quality, bytes: 1, kbps: 1, psnrY: 30, encodeMs: 1, decodeMs: 1 })) }] } } as unknown as CandidateRecord;
    assert.equal(representativeQuality(rec, 'tree.y4m'), 50);
    assert.equal(representativeQuality(rec, 'other.y4m'), 50);
    assert.equal(representativeQuality({ metrics: { training: [{ clip: 'tree.y4m', bdRate: {}, points: [{ quality: 20 }, { quality: 60 }] }] } } as unknown as CandidateRecord, 'tree.y4m'), 60);
  });
});
