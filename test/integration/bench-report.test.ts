// The benchmark's verdicts and table: a missed goal must read MISSED, a failed section must show.
import assert from 'node:assert/strict';
import { formatNumber, formatTable, met } from '../bench/report';

describe('bench report', () => {
  it('judges goals in both directions and leaves goal-less or non-finite figures unjudged', () => {
    assert.equal(met({ id: 'a', label: 'a', value: 0.49, unit: 'x', goal: { op: '>=', value: 0.5 } }), false);
    assert.equal(met({ id: 'a', label: 'a', value: 0.5, unit: 'x', goal: { op: '>=', value: 0.5 } }), true);
    assert.equal(met({ id: 'b', label: 'b', value: 51, unit: 'ms', goal: { op: '<=', value: 50 } }), false);
    assert.equal(met({ id: 'c', label: 'c', value: NaN, unit: 'x', goal: { op: '>=', value: 1 } }), undefined);
    assert.equal(met({ id: 'd', label: 'd', value: 3, unit: 'ms' }), undefined);
  });

  it('keeps about three significant digits', () => {
    assert.deepEqual([0.04123, 1.234, 12.34, 1234.5, 0].map(formatNumber), ['0.0412', '1.23', '12.3', '1235', '0']);
  });

  it('prints one row per figure with its verdict, and the reason a section did not run', () => {
    const t = formatTable({
      metrics: { figures: [{ id: 'p', label: 'PSNR ratio', value: 0.8, unit: 'x', goal: { op: '>=', value: 1 } }], detail: {} },
      memory: { figures: [{ id: 'm', label: 'peak', value: 300, unit: 'MiB' }], detail: {} },
      evolution: { figures: [], detail: {}, error: 'ffmpeg missing' },
    }).split('\n');
    assert.equal(t.length, 5);
    assert.match(t[2], /^PSNR ratio\s+0\.800x\s+>= 1\.00x\s+MISSED$/);
    assert.match(t[3], /^peak\s+300 MiB$/);
    assert.match(t[4], /^evolution: not measured.*\(ffmpeg missing\)$/);
  });
});
