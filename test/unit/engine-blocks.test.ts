import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  blockCoverage,
  blockMap,
  blockNames,
  blockText,
  changedBlocks,
  describeBlockChanges,
  evolveBlocks,
  frameOf,
  getBlock,
  replaceBlock,
} from '../../src/core/codec/blocks';
import { applyEdits, parseResponse } from '../../src/core/evolution/edits';
import { packageRoot } from '../../src/core/paths';

const CODE = `export const meta = { name: 'x', description: 'y' };
// Regions are marked // EVOLVE-BLOCK-START name ... (this prose line opens nothing)
const HEADER = 1;
// EVOLVE-BLOCK-START predict
function predict(a, b) {
  return (a + b) >> 1;
}
// EVOLVE-BLOCK-END
const GLUE = 2;
  // EVOLVE-BLOCK-START
const Q = 10;
  // EVOLVE-BLOCK-END
// EVOLVE-BLOCK-START entropy — adaptive Golomb
function bits(v) { return v * 2; }
// EVOLVE-BLOCK-END
export function encode(video, options) { return new Uint8Array([HEADER, Q, predict(1, 2), bits(GLUE)]); }
export function decode(bytes) { return { width: 0, height: 0, frames: [] }; }
`;

describe('engine: named EVOLVE-BLOCKs', () => {
  it('lists blocks with names, lines and ranges; unnamed ones are block-N; prose mentioning a marker opens nothing', () => {
    const blocks = evolveBlocks(CODE);
    assert.deepEqual(
      blocks.map((b) => [b.name, b.named, b.startLine, b.endLine]),
      [
        ['predict', true, 4, 8],
        ['block-2', false, 10, 12],
        ['entropy', true, 13, 15],
      ],
    );
    assert.equal(CODE.slice(blocks[0].start, blocks[0].end), 'function predict(a, b) {\n  return (a + b) >> 1;\n}\n');
    assert.deepEqual(
      blockMap(CODE).map((b) => [b.name, b.lines]),
      [
        ['predict', 3],
        ['block-2', 1],
        ['entropy', 1],
      ],
    );
    assert.equal(blockText(CODE, 'block-2'), 'const Q = 10;\n');
    assert.equal(getBlock(CODE, 'nope'), undefined);
  });

  it('replaces one block by name, keeping markers and frame', () => {
    const next = replaceBlock(CODE, 'entropy', 'function bits(v) { return v * 3; }')!;
    assert.ok(next.includes('return v * 3;') && !next.includes('return v * 2;'));
    assert.deepEqual(blockNames(next), blockNames(CODE));
    assert.equal(frameOf(next), frameOf(CODE));
    assert.equal(replaceBlock(CODE, 'nope', 'x'), undefined);
  });

  it('names the blocks an edit changed', () => {
    const child = CODE.replace('(a + b) >> 1', '(a + 3 * b) >> 2').replace('const Q = 10;', 'const Q = 12;');
    assert.deepEqual(changedBlocks(CODE, child), [
      { name: 'predict', change: 'modified' },
      { name: 'block-2', change: 'modified' },
    ]);
    assert.equal(describeBlockChanges(CODE, child), 'predict, block-2');
    assert.equal(describeBlockChanges(CODE, CODE.replace('const GLUE = 2;', 'const GLUE = 3;')), 'code outside the blocks');
    assert.equal(describeBlockChanges(CODE, CODE + '\n'), 'no block changed');
  });

  it('counts the share of code lines inside blocks', () => {
    const c = blockCoverage(CODE);
    assert.equal(c.total, 10);
    assert.equal(c.inside, 5);
    const seed = readFileSync(join(packageRoot(), 'src/core/codec/seeds/minimal.js'), 'utf8');
    assert.ok(blockCoverage(seed).inside > 0);
  });
});

describe('engine: REPLACE BLOCK edits', () => {
  const body = 'function predict(a, b) {\n  return Math.max(a, b);\n}';
  it('rewrites a named block and reports the kind', () => {
    const out = applyEdits(CODE, parseResponse(`HYPOTHESIS: max predictor\n\nREPLACE BLOCK predict\n\`\`\`js\n${body}\n\`\`\`\n`));
    assert.ok(out.ok, JSON.stringify(out));
    assert.equal(out.kind, 'replace-block');
    assert.equal(blockText(out.code, 'predict'), body + '\n');
    assert.deepEqual(
      changedBlocks(CODE, out.code).map((c) => c.name),
      ['predict'],
    );
  });

  it('tolerates markdown around the header and marker lines copied into the body', () => {
    const text = `**REPLACE BLOCK \`block-2\`**\n\n\`\`\`javascript\n  // EVOLVE-BLOCK-START\nconst Q = 14;\n  // EVOLVE-BLOCK-END\n\`\`\``;
    const out = applyEdits(CODE, parseResponse(text));
    assert.ok(out.ok, JSON.stringify(out));
    assert.equal(blockText(out.code, 'block-2'), 'const Q = 14;\n');
    const h = applyEdits(CODE, parseResponse(`### REPLACE BLOCK: entropy\n\`\`\`js\nfunction bits(v) { return v; }\n\`\`\``));
    assert.ok(h.ok && blockText(h.code, 'entropy') === 'function bits(v) { return v; }\n');
  });

  it('mixes with SEARCH/REPLACE in the order written', () => {
    const text = `REPLACE BLOCK predict\n\`\`\`js\n${body}\n\`\`\`\n<<<<<<< SEARCH\n  return Math.max(a, b);\n=======\n  return Math.min(a, b);\n>>>>>>> REPLACE\n`;
    const out = applyEdits(CODE, parseResponse(text));
    assert.ok(out.ok && out.kind === 'mixed', JSON.stringify(out));
    assert.match(blockText(out.code, 'predict')!, /Math\.min/);
  });

  it('refuses an unknown block name (listing the real ones), a body with another block in it, and marker lines smuggled in by SEARCH/REPLACE', () => {
    const unknown = applyEdits(CODE, parseResponse('REPLACE BLOCK motion\n```js\nconst x = 1;\n```'));
    assert.ok(
      !unknown.ok && unknown.class === 'edit-failed' && /no EVOLVE-BLOCK named 'motion'.*predict, block-2, entropy/.test(unknown.message),
      JSON.stringify(unknown),
    );
    const nested = applyEdits(
      CODE,
      parseResponse(
        'REPLACE BLOCK predict\n```js\nconst a = 1;\n// EVOLVE-BLOCK-END\nconst HEADER = 5;\n// EVOLVE-BLOCK-START\nconst b = 2;\n```',
      ),
    );
    assert.ok(!nested.ok && /marker/.test(nested.message));
    const smuggled = applyEdits(
      CODE,
      parseResponse(
        '<<<<<<< SEARCH\nconst Q = 10;\n=======\nconst Q = 10;\n  // EVOLVE-BLOCK-END\nconst HEADER2 = 1;\n  // EVOLVE-BLOCK-START\n>>>>>>> REPLACE',
      ),
    );
    assert.ok(!smuggled.ok && /marker|outside the blocks/.test(smuggled.message), JSON.stringify(smuggled));
  });

  it('a REPLACE BLOCK body is never mistaken for a full-file rewrite', () => {
    const p = parseResponse(`REPLACE BLOCK predict\n\`\`\`js\n${body}\n\`\`\``);
    assert.equal(p.fullFile, undefined);
    assert.equal(p.blocks!.length, 1);
    assert.equal(p.edits.length, 0);
  });
});
