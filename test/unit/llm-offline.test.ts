import { strict as assert } from 'node:assert';
import { parseParameters } from '../../src/core/llm/parameters';
import { OfflineProvider, proposeChanges } from '../../src/core/llm/offline';
import { applyEdits, parseResponse } from '../../src/core/evolution/edits';
import { costUsd, priceFor } from '../../src/core/llm/pricing';

const CODE = `const OUTSIDE = 3;  // @evolve int 1 9
// EVOLVE-BLOCK-START
const LAMBDA_SCALE = 0.85;  // @evolve float 0.2 4
const SEARCH_RANGE = 16;    // @evolve int 4 64
const SUBPEL = true;        // @evolve bool
const INTRA_SET = 'all';    // @evolve choice 'dc' 'planar' 'all'
const BROKEN = ;            // @evolve int 1 2
// EVOLVE-BLOCK-END
export function encode() { return new Uint8Array(); }
export function decode() { return { width: 0, height: 0, frames: [] }; }
`;

describe('llm: offline mutator', () => {
  it('parses @evolve annotations inside EVOLVE-BLOCKs only', () => {
    const ps = parseParameters(CODE);
    assert.deepEqual(
      ps.map((p) => [p.name, p.type, p.value]),
      [
        ['LAMBDA_SCALE', 'float', 0.85],
        ['SEARCH_RANGE', 'int', 16],
        ['SUBPEL', 'bool', true],
        ['INTRA_SET', 'choice', 'all'],
      ],
    );
    assert.deepEqual(ps[3].choices, ['dc', 'planar', 'all']);
    assert.equal(ps[0].min, 0.2);
    assert.equal(ps[0].max, 4);
  });

  it('proposals stay in range, are deterministic per seed, and apply as edits', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const p = proposeChanges(CODE, [], 0.5, seed);
      assert.ok(p.changes.length >= 1);
      for (const c of p.changes) {
        if (c.param.type === 'float' || c.param.type === 'int') {
          assert.ok((c.to as number) >= c.param.min! && (c.to as number) <= c.param.max!, `${c.param.name}=${c.to}`);
          if (c.param.type === 'int') assert.ok(Number.isInteger(c.to));
        }
        if (c.param.type === 'choice') assert.ok(c.param.choices!.includes(c.to as string));
      }
    }
    assert.deepEqual(
      proposeChanges(CODE, [], 0.3, 9).changes.map((c) => c.to),
      proposeChanges(CODE, [], 0.3, 9).changes.map((c) => c.to),
    );
    const provider = new OfflineProvider();
    const res = await provider.complete({
      system: '',
      messages: [],
      context: { parentCode: CODE, inspirations: [], mutationScale: 0.3, strategy: 'refine', seed: 5 },
    });
    assert.equal(res.costUsd, 0);
    const out = applyEdits(CODE, parseResponse(res.text));
    assert.ok(out.ok, JSON.stringify(out));
    assert.notEqual(out.code, CODE);
    assert.match(parseResponse(res.text).hypothesis, /offline parameter search/);
  });

  it('crossover takes values from an inspiration', () => {
    const other = CODE.replace("'all';", "'dc';").replace('16;', '40;');
    let crossed = 0;
    for (let seed = 1; seed <= 100; seed++) {
      if (proposeChanges(CODE, [other], 0.3, seed).changes.some((c) => c.origin === 'crossover')) crossed++;
    }
    assert.ok(crossed > 10 && crossed < 60, `crossover in ${crossed}/100`);
  });
});

describe('llm: pricing', () => {
  it('prices by the longest matching model prefix, with overrides', () => {
    assert.deepEqual(priceFor('claude-sonnet-4-5-20250929'), { inputPerMTok: 3, outputPerMTok: 15 });
    assert.deepEqual(priceFor('claude-opus-4-1-20250805'), { inputPerMTok: 15, outputPerMTok: 75 });
    assert.deepEqual(priceFor('my-local-model'), { inputPerMTok: 0, outputPerMTok: 0 });
    assert.deepEqual(priceFor('claude-sonnet-9'), { inputPerMTok: 3, outputPerMTok: 15 });
    assert.deepEqual(priceFor('claude-opus-4-5-20251101'), { inputPerMTok: 5, outputPerMTok: 25 });
    assert.deepEqual(priceFor('claude-sonnet-4-5', { inputPerMTok: 1, outputPerMTok: 2 }), { inputPerMTok: 1, outputPerMTok: 2 });
    assert.equal(costUsd(1_000_000, 100_000, { inputPerMTok: 3, outputPerMTok: 15 }), 4.5);
  });
});

describe('llm: offline momentum', () => {
  it('repeats the numeric step that improved the parent, never when it made things worse', () => {
    const parent = CODE.replace('LAMBDA_SCALE = 0.85', 'LAMBDA_SCALE = 1').replace('SEARCH_RANGE = 16', 'SEARCH_RANGE = 20');
    let momentum = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const p = proposeChanges(parent, [], 0.3, seed, { code: CODE, score: 10, parentScore: 9 });
      if (p.changes.some((c) => c.origin === 'momentum')) {
        momentum++;
        assert.deepEqual(
          p.changes.map((c) => [c.param.name, c.to]),
          [
            ['LAMBDA_SCALE', 1.15],
            ['SEARCH_RANGE', 24],
          ],
        );
      }
      const worse = proposeChanges(parent, [], 0.3, seed, { code: CODE, score: 9, parentScore: 10 });
      assert.ok(!worse.changes.some((c) => c.origin === 'momentum'));
    }
    assert.ok(momentum > 30 && momentum < 70, `momentum in ${momentum}/100`);
  });
});
