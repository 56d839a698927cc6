import { strict as assert } from 'node:assert';
import { bdRate, type RatePoint } from '../../src/core/metrics/bdrate';
import { kbps } from '../../src/core/metrics/rd';
import { psnrYuv } from '../../src/core/metrics/psnr';
import { InputError } from '../../src/core/errors';

const pts = (a: number[][]): RatePoint[] => a.map(([k, p]) => ({ kbps: k, psnr: p }));
// JCTVC-E137 case 1, as in Netflix/vmaf's BD-rate tests.
const anchor = pts([
  [108048.8736, 43.6471],
  [61279.976, 40.3953],
  [33905.6656, 37.247],
  [18883.6928, 34.2911],
]);
const test = pts([
  [108061.2784, 43.6768],
  [61299.9936, 40.4232],
  [33928.7472, 37.2761],
  [18910.912, 34.3147],
]);

describe('metrics/bdrate', () => {
  it('PCHIP gives −0.465215420752807 % on JCTVC-E137 case 1 (to 1e-9), with the overlap', () => {
    const r = bdRate(anchor, test);
    assert.ok(Math.abs(r.percent - -0.465215420752807) < 1e-9, String(r.percent));
    assert.deepEqual(r.overlap, { low: 34.3147, high: 43.6471 });
    assert.equal(r.method, 'pchip');
  });

  it('the cubic fit equals numpy polyfit/polyint on the same data (−0.4644154200341588 %)', () => {
    // Reference computed with numpy: polyfit(psnr, log10(rate), 3), integrated over the overlap.
    const r = bdRate(anchor, test, { method: 'cubic' });
    assert.ok(Math.abs(r.percent - -0.4644154200341588) < 1e-9, String(r.percent));
  });

  it('does not depend on point order; the same curve gives 0; a uniformly cheaper curve gives its ratio', () => {
    assert.equal(bdRate([...anchor].reverse(), test).percent, bdRate(anchor, test).percent);
    assert.ok(Math.abs(bdRate(anchor, anchor).percent) < 1e-12);
    const cheaper = anchor.map((p) => ({ kbps: p.kbps * 0.8, psnr: p.psnr }));
    for (const method of ['pchip', 'cubic'] as const) assert.ok(Math.abs(bdRate(anchor, cheaper, { method }).percent - -20) < 1e-9);
  });

  it('integrates only over the overlap and works with more than 4 points', () => {
    const a = pts([
      [100, 30],
      [200, 33],
      [400, 36],
      [800, 39],
      [1600, 42],
      [3200, 45],
    ]);
    const t = pts([
      [150, 34],
      [300, 37],
      [600, 40],
      [1200, 43],
    ]);
    const r = bdRate(a, t);
    assert.deepEqual(r.overlap, { low: 34, high: 43 });
    // Both curves are exactly log-linear (rate doubles every 3 dB), which PCHIP reproduces exactly:
    // the test needs 150 / (100 · 2^(4/3)) of the anchor's rate everywhere.
    assert.ok(Math.abs(r.percent - (150 / (100 * 2 ** (4 / 3)) - 1) * 100) < 1e-9, String(r.percent));
  });

  it('refuses fewer than 4 points and curves that do not overlap, with a remedy', () => {
    assert.throws(
      () => bdRate(anchor.slice(0, 3), test),
      (e: unknown) => e instanceof InputError && /at least 4/.test(e.message) && !!e.remedy,
    );
    const far = anchor.map((p) => ({ kbps: p.kbps, psnr: p.psnr + 20 }));
    assert.throws(
      () => bdRate(anchor, far),
      (e: unknown) => e instanceof InputError && /do not overlap/.test(e.message),
    );
    assert.throws(() => bdRate(anchor, [...test.slice(0, 3), { kbps: 0, psnr: 35 }]), InputError);
  });

  it('computes kbit/s and PSNR-YUV as the common test conditions do', () => {
    assert.equal(kbps(1000, 10, 30, 1), 24); // 1000 B · 8 · 30 fps / 10 frames / 1000
    assert.ok(Math.abs(kbps(1000, 10, 30000, 1001) - 23.976023976) < 1e-9);
    assert.equal(psnrYuv(40, 44, 48), 41.5);
  });
});
