import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPrompt, estimateTokens, inspirationBody } from '../../src/core/evolution/prompts';
import { blockText, replaceBlock } from '../../src/core/codec/blocks';
import { packageRoot } from '../../src/core/paths';
import { DEFAULT_PROMPT_TOKEN_BUDGET } from '../../src/core/store/config';
import { proposeBlockCrossover, OfflineProvider } from '../../src/core/llm/offline';
import { applyEdits, parseResponse } from '../../src/core/evolution/edits';

const seed = readFileSync(join(packageRoot(), 'src/core/codec/seeds/minimal.js'), 'utf8');
const noFailures = { window: 20, total: 0, failures: 0, byClass: [], guidance: '' };
const someFailures = {
  window: 20,
  total: 4,
  failures: 2,
  guidance: '2 of the last 4 attempts failed.',
  byClass: [
    {
      class: 'runtime',
      count: 2,
      messages: [{ message: 'TypeError: cannot read properties of undefined (reading "length") at encodePlane', count: 2 }],
    },
  ],
};
// Relatives of the seed: each changes one block a little, as evolved programs do.
const names = ['quantiser', 'transform', 'entropy-coding'];
const relatives = names.map((n, i) => replaceBlock(seed, n, blockText(seed, n)! + `// relative ${i}\nconst UNUSED_${i} = ${i};\n`)!);
const base = {
  parent: { id: 'g0002-0', code: seed, trainingBdRate: 40 },
  rejections: [],
  strategy: 'refine' as const,
  primaryReference: 'x264',
};

describe('engine: prompt economy', () => {
  it('sends the parent once in full and other programs as diffs against it', () => {
    const p = buildPrompt({
      ...base,
      failures: noFailures,
      inspirations: relatives.map((code, i) => ({ id: `g0001-${i}`, code, trainingBdRate: 41 })),
    });
    const all = p.system + p.user;
    const firstLine = seed.split('\n').find((l) => l.includes('export function encode'))!;
    assert.equal(all.split(firstLine).length - 1, 1, 'the parent appears exactly once');
    for (let i = 0; i < 3; i++) assert.match(p.user, new RegExp(`\\+const UNUSED_${i} = ${i};`));
    assert.ok(p.stats.tokens <= 1.5 * estimateTokens(seed) + estimateTokens(p.system), JSON.stringify(p.stats));
    assert.equal(p.stats.inspirationsShown, 3);
    // The stable prefix is cacheable: system text (with the edit format) and the parent, each ending a part.
    assert.ok(p.systemParts.at(-1)!.cache && p.userParts[0].cache);
    assert.match(p.systemParts[0].text, /REPLACE BLOCK <name>/);
    assert.ok(p.userParts[0].text.includes(firstLine));
    assert.match(p.userParts[0].text, /EVOLVE-BLOCKs \(name: lines\): quantiser: \d+-\d+, transform/);
    assert.equal(inspirationBody(seed, seed, 'x'), '(the same code as the parent)');
  });

  it('the default budget holds the hybrid seed in full and three programs that each rewrote a whole block', () => {
    const hybrid = readFileSync(join(packageRoot(), 'src/core/codec/seeds/hybrid.js'), 'utf8');
    // Every line of the block changed: the diff carries the block twice (removed and added).
    const rewrite = (block: string, i: number) =>
      replaceBlock(hybrid, block, blockText(hybrid, block)!.replace(/\n/g, ` // rewritten ${i}\n`))!;
    const insp = ['motion-search', 'entropy-coding', 'rate-control'].map((b, i) => ({ id: `g0001-${i}`, code: rewrite(b, i) }));
    const p = buildPrompt({
      ...base,
      parent: { ...base.parent, code: hybrid },
      failures: someFailures,
      inspirations: insp,
      tokenBudget: DEFAULT_PROMPT_TOKEN_BUDGET,
    });
    assert.equal(p.stats.inspirationsShown, 3, JSON.stringify(p.stats));
    assert.ok(!p.stats.failureDetailsDropped, JSON.stringify(p.stats));
    assert.ok(p.stats.tokens <= DEFAULT_PROMPT_TOKEN_BUDGET);
  });

  it('over the token budget drops the lowest-ranked programs first, then failure details, never the parent', () => {
    const insp = relatives.map((code, i) => ({ id: `g0001-${i}`, code }));
    const full = buildPrompt({ ...base, failures: someFailures, inspirations: insp });
    assert.equal(full.stats.inspirationsShown, 3);
    const tight = buildPrompt({ ...base, failures: someFailures, inspirations: insp, tokenBudget: full.stats.tokens - 10 });
    assert.equal(tight.stats.inspirationsShown, 2);
    assert.deepEqual(tight.stats.inspirationsDropped, ['g0001-2']);
    assert.ok(tight.stats.tokens <= tight.stats.budget);
    const tiny = buildPrompt({ ...base, failures: someFailures, inspirations: insp, tokenBudget: 100 });
    assert.equal(tiny.stats.inspirationsShown, 0);
    assert.deepEqual(tiny.stats.inspirationsDropped, ['g0001-2', 'g0001-1', 'g0001-0']);
    assert.ok(tiny.stats.failureDetailsDropped);
    assert.doesNotMatch(tiny.user, /TypeError/);
    assert.match(tiny.user, /runtime ×2/);
    assert.ok(tiny.user.includes(seed.trimEnd()), 'the parent stays in full');
  });

  it('names the focus block in the task', () => {
    const p = buildPrompt({ ...base, failures: noFailures, inspirations: [], focus: { block: 'entropy-coding', reason: 'rotation' } });
    assert.match(p.user, /## Focus\nWork on the EVOLVE-BLOCK named "entropy-coding"/);
  });
});

describe('llm: offline block crossover', () => {
  it('takes one whole block from an inspiration on the same frame, prefers the focus, and applies as REPLACE BLOCK', async () => {
    const c = proposeBlockCrossover(seed, relatives, 7, 'transform')!;
    assert.equal(c.block, 'transform');
    assert.equal(c.from, 1);
    const seen = new Set<string>();
    for (let s = 1; s <= 40; s++) seen.add(proposeBlockCrossover(seed, relatives, s)!.block);
    assert.deepEqual([...seen].sort(), [...names].sort());
    // Another frame (code outside the blocks differs): nothing to cross.
    const alien = relatives[0].replace('export function encode', 'export function  encodeX() {}\nexport function encode');
    assert.equal(proposeBlockCrossover(seed, [alien, seed], 3), undefined);
    // Through the provider, in the model's edit format, onto the same path.
    let crossed = 0;
    for (let s = 1; s <= 30; s++) {
      const res = await new OfflineProvider().complete({
        system: '',
        messages: [],
        context: {
          parentCode: seed,
          inspirations: relatives,
          mutationScale: 1,
          strategy: 'large-mutation',
          seed: s,
          focusBlock: 'quantiser',
        },
      });
      const out = applyEdits(seed, parseResponse(res.text));
      assert.ok(out.ok, res.text.slice(0, 200));
      if (out.kind === 'replace-block') {
        crossed++;
        assert.equal(out.code, relatives[0]);
      }
    }
    assert.ok(crossed >= 5 && crossed < 30, `crossovers: ${crossed}`);
  });
});
