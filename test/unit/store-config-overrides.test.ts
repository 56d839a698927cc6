// The merge of a host's overrides (explicit codecEvolution.* settings) into config.json, which the engine
// child writes for the extension (engine-host applyConfig).
import { strict as assert } from 'node:assert';
import { defaultConfig } from '../../src/core/store/config';
import { mergeConfigOverrides } from '../../src/core/store/config-overrides';

describe('store: config overrides', () => {
  it('applies each override, keeps the rest, and leaves the given config alone', () => {
    const cfg = defaultConfig('clip.y4m');
    const copy = JSON.parse(JSON.stringify(cfg));
    const next = mergeConfigOverrides(cfg, {
      references: ['x265', 'x264'],
      limits: { memoryMb: 123 },
      adoptionPolicy: 'auto',
      guards: [],
      gitCommit: false,
      promptTokenBudget: 9000,
      training: ['a.y4m'],
      heldOut: ['b.y4m'],
    });
    assert.deepEqual(cfg, copy);
    assert.deepEqual(next.references, ['x265', 'x264']);
    assert.equal(next.primaryReference, 'x264', 'x264 is primary by default and still listed');
    assert.equal(next.limits?.memoryMb, 123);
    assert.equal(next.limits?.timeoutMs, cfg.limits?.timeoutMs);
    assert.equal(next.evolution.adoptionPolicy, 'auto');
    assert.deepEqual(next.evolution.guards, []);
    assert.equal(next.evolution.gitCommit, false);
    assert.equal(next.evolution.promptTokenBudget, 9000);
    assert.deepEqual(next.clips.training, [{ path: 'a.y4m' }]);
    assert.deepEqual(next.clips.heldOut, [{ path: 'b.y4m' }]);
    assert.equal(next.codecFile, cfg.codecFile);
  });

  it('a reference list without the primary reference makes its first entry primary; no overrides, no change', () => {
    const cfg = defaultConfig('clip.y4m');
    const next = mergeConfigOverrides(cfg, { references: ['av1'] });
    assert.equal(next.primaryReference, 'av1');
    assert.deepEqual(mergeConfigOverrides(cfg, {}), cfg);
  });
});
