import { strict as assert } from 'node:assert';
import { applyEdits, parseResponse } from '../../src/core/evolution/edits';
import { codeHash, normalizeCode } from '../../src/core/evolution/novelty';

const PARENT = `export const meta = { name: 'x', description: 'y' };
const HEADER = 1;
// EVOLVE-BLOCK-START
const Q = 10;  // @evolve int 1 50
function predict(a, b) {
    return (a + b) >> 1;
}
// EVOLVE-BLOCK-END
export function encode(video, options) { return new Uint8Array([HEADER, Q]); }
export function decode(bytes) { return { width: 0, height: 0, frames: [] }; }
`;

const sr = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;

describe('engine: edit application', () => {
  it('applies an exact SEARCH/REPLACE inside an EVOLVE-BLOCK and reads the hypothesis', () => {
    const text = `HYPOTHESIS: a coarser quantiser saves bits\n\n${sr('const Q = 10;  // @evolve int 1 50', 'const Q = 12;  // @evolve int 1 50')}`;
    const parsed = parseResponse(text);
    assert.equal(parsed.hypothesis, 'a coarser quantiser saves bits');
    const out = applyEdits(PARENT, parsed);
    assert.ok(out.ok);
    assert.equal(out.kind, 'search-replace');
    assert.ok(out.code.includes('const Q = 12;'));
    assert.ok(!out.code.includes('const Q = 10;'));
    assert.equal(out.tolerant, 0);
  });

  it('falls back to a whitespace-tolerant match and keeps the file indentation', () => {
    const text = sr('function predict(a,b) {\n  return (a + b) >> 1;\n}', 'function predict(a, b) {\n  return (a + 3 * b) >> 2;\n}');
    const out = applyEdits(PARENT, parseResponse(text));
    assert.ok(out.ok, JSON.stringify(out));
    assert.equal(out.tolerant, 1);
    assert.ok(out.code.includes('return (a + 3 * b) >> 2;'));
  });

  it('refuses an edit outside the EVOLVE-BLOCKs with a reason', () => {
    const out = applyEdits(PARENT, parseResponse(sr('const HEADER = 1;', 'const HEADER = 2;')));
    assert.equal(out.ok, false);
    assert.ok(!out.ok && out.class === 'edit-failed' && /outside every EVOLVE-BLOCK/.test(out.message));
  });

  it('reports edit-failed with the unmatched text', () => {
    const out = applyEdits(PARENT, parseResponse(sr('const R = 3;', 'const R = 4;')));
    assert.ok(!out.ok);
    assert.equal(out.class, 'edit-failed');
    assert.equal(out.unmatched, 'const R = 3;');
  });

  it('classifies prose without code as no-code', () => {
    const out = applyEdits(PARENT, parseResponse('I think you should use a better transform. Good luck!'));
    assert.ok(!out.ok && out.class === 'no-code');
  });

  it('accepts a full-file rewrite that keeps the frame, refuses one that changes it', () => {
    const good = PARENT.replace('(a + b) >> 1', 'Math.max(a, b)');
    const ok = applyEdits(PARENT, parseResponse('HYPOTHESIS: max predictor\n```js\n' + good + '```'));
    assert.ok(ok.ok && ok.kind === 'full-file' && ok.code === good);
    const bad = PARENT.replace('const HEADER = 1;', 'const HEADER = 9;');
    const no = applyEdits(PARENT, parseResponse('```js\n' + bad + '```'));
    assert.ok(!no.ok && no.class === 'edit-failed' && /outside the EVOLVE-BLOCKs/.test(no.message));
  });

  it('refuses edits that change nothing', () => {
    const out = applyEdits(PARENT, parseResponse(sr('const Q = 10;  // @evolve int 1 50', 'const Q = 10;  // @evolve int 1 50')));
    assert.ok(!out.ok && /change nothing/.test(out.message));
  });
});

describe('engine: novelty', () => {
  it('programs differing only in comments and whitespace share a hash', () => {
    const a = 'const x = 1; // one\nfunction f(a, b) {\n  return a + b;\n}\n';
    const b = '/* header */ const x=1;\nfunction f(a,b){ return a+b; }';
    assert.equal(codeHash(a), codeHash(b));
    assert.equal(normalizeCode("const s = '// not a comment';"), "const s='// not a comment';");
  });
  it('a changed constant or string changes the hash', () => {
    assert.notEqual(codeHash('const x = 1;'), codeHash('const x = 2;'));
    assert.notEqual(codeHash("const s = 'a b';"), codeHash("const s = 'a  b';"));
  });
});
