// The frame viewer's choices that need no codec run: which quality represents a codec on a clip, and
// how clips are named. (The decode itself is tested against the real engine child in
// extension-engine-client.test.ts.)
import { strict as assert } from 'node:assert';
import { clipKey, lumaPsnr, representativeQuality } from '../../src/core/evolution/frames';
import type { CandidateRecord } from '../../src/core/store/records';

describe('engine: frames', () => {
  it('uses the quality of the middle RD point the codec reached on that clip', () => {
    const rec = {
      metrics: {
        training: [
          {
            clip: 'tree',
            bdRate: {},
            points: [30, 70, 10, 50, 90].map((quality) => ({ quality, bytes: 1, kbps: 1, psnrY: 30, encodeMs: 1, decodeMs: 1 })),
          },
        ],
      },
    } as unknown as CandidateRecord;
    assert.equal(representativeQuality(rec, 'tree.y4m'), 50);
    assert.equal(representativeQuality(rec, 'other.y4m'), 50, 'no points on that clip: the middle quality');
    assert.equal(representativeQuality(undefined, 'tree.y4m'), 50);
    assert.equal(
      representativeQuality(
        {
          metrics: { training: [{ clip: 'tree.y4m', bdRate: {}, points: [{ quality: 20 }, { quality: 60 }] }] },
        } as unknown as CandidateRecord,
        'tree.y4m',
      ),
      60,
    );
    assert.equal(
      representativeQuality(
        {
          metrics: { heldOut: [{ clip: 'dir/held.y4m', bdRate: {}, points: [{ quality: 10 }, { quality: 30 }, { quality: 80 }] }] },
        } as unknown as CandidateRecord,
        'held',
      ),
      30,
    );
  });

  it('names a clip by its file name without folders or container extension', () => {
    assert.equal(clipKey('/a/b/tree_building_80x44_15f.y4m'), 'tree_building_80x44_15f');
    assert.equal(clipKey('C:\\clips\\x.MKV'), 'x');
    assert.equal(clipKey('plain'), 'plain');
  });

  it('luma PSNR: infinite for identical planes, 10·log10(255²/MSE) otherwise', () => {
    const a = new Uint8Array([10, 20, 30, 40]);
    assert.equal(lumaPsnr(a, a), Infinity);
    const b = new Uint8Array([12, 20, 30, 40]);
    assert.equal(lumaPsnr(a, b), 10 * Math.log10((255 * 255 * 4) / 4));
  });
});
