import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_MAX_LITERAL_BYTES,
  DEFAULT_MAX_SOURCE_BYTES,
  embeddedDataBytes,
  prepareCandidate,
  validateSource,
  type Diagnostic,
} from '../../src/core/sandbox/validator';
import { packageRoot } from '../../src/core/paths';

const ALLOWED = join(__dirname, '..', 'fixtures', 'candidates', 'allowed');
const CODEC_TAIL = '\nexport function decode(b) { return { width: 0, height: 0, frames: [] }; }\n';

function only(diags: Diagnostic[]): Diagnostic {
  assert.equal(diags.length, 1, JSON.stringify(diags, null, 1));
  return diags[0];
}

describe('sandbox validator', () => {
  it('refuses embedded data (string, array and template literals) beyond 32 KB in total, naming the largest literal', () => {
    // The shape of the attack: the training clip memorised as one base64 string.
    const clip = Buffer.alloc(30 * 1024, 7).toString('base64');
    const src =
      `const table = [1, 2, 3];\nexport function encode(v, o) {\n  const clip = '${clip}';\n  return new Uint8Array(clip.length + table.length);\n}` +
      CODEC_TAIL;
    const d = only(validateSource(src, 'codec.js'));
    assert.deepEqual([d.class, d.line, d.column], ['forbidden', 3, 16]);
    assert.match(d.message, /codec\.js:3:16/);
    assert.match(d.message, /over the 32768-byte cap/);
    // Many literals add up: three arrays of ~12 KB, the largest (the second) named.
    const arr = (n: number) => `[${Array.from({ length: n }, (_, i) => i % 251).join(',')}]`;
    const many =
      `const a = ${arr(3000)};\nconst b = ${arr(3400)};\nconst c = \`${'x'.repeat(12000)}\`;\nexport function encode(v, o) { return new Uint8Array(a.length + b.length + c.length); }` +
      CODEC_TAIL;
    const m = only(validateSource(many, 'codec.js'));
    assert.deepEqual([m.class, m.line, m.column], ['forbidden', 2, 11]);
    assert.match(m.message, /array literal at codec\.js:2:11/);
    // The cap is a setting.
    assert.deepEqual(validateSource(src, 'codec.js', { maxLiteralBytes: 64 * 1024 }), []);
    assert.equal(
      only(
        validateSource(
          'const t = "' + 'y'.repeat(2000) + '";\nexport function encode(v, o) { return new Uint8Array(t.length); }' + CODEC_TAIL,
          'c.js',
          { maxLiteralBytes: 1024 },
        ),
      ).class,
      'forbidden',
    );
  });

  it('the seeds embed far less than the default cap (their totals are printed)', () => {
    const files = ['seeds/hybrid.js', 'seeds/minimal.js', 'template.js'].map((f) => join(packageRoot(), 'src', 'core', 'codec', f));
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      const bytes = embeddedDataBytes(src);
      console.log(`      ${f.split('/codec/')[1].padEnd(18)} ${bytes} bytes of literals (cap ${DEFAULT_MAX_LITERAL_BYTES})`);
      assert.ok(bytes < DEFAULT_MAX_LITERAL_BYTES / 4, `${f}: ${bytes}`);
      assert.deepEqual(validateSource(src, f), []);
    }
  });

  for (const file of readdirSync(ALLOWED).sort()) {
    it(`accepts allowed/${file} with zero diagnostics`, () => {
      assert.deepEqual(validateSource(readFileSync(join(ALLOWED, file), 'utf8'), file), []);
    });
  }

  it('accepts method calls and properties named like forbidden globals', () => {
    const src =
      'export function encode(v, o) { const model = { eval: () => 1 }; model.eval(); v.process; ({ require: 1 }).require; return new Uint8Array(model.eval()); }' +
      CODEC_TAIL;
    assert.deepEqual(validateSource(src, 'c.js'), []);
  });

  it('refuses a global eval call at its exact position, and not a method eval', () => {
    const src = 'export function encode(v, o) {\n  model.eval(1);\n  return eval("1");\n}' + CODEC_TAIL;
    const d = only(validateSource(src, 'c.js'));
    assert.deepEqual([d.class, d.line, d.column, d.endLine, d.endColumn], ['forbidden', 3, 10, 3, 14]);
    assert.match(d.message, /global `eval`/);
  });

  it('resolves scopes: a parameter, a catch binding, a hoisted var and a later function shadow globals', () => {
    const src =
      [
        'function a(process) { return process.env; }',
        'function b() { try { x(); } catch (fetch) { return fetch; } }',
        'function c() { if (1) { var module = 2; } return module; }',
        'function d() { return setTimeout(); function setTimeout() { return 1; } }',
        'function x() { return 1; }',
        'export function encode(v, o) { return new Uint8Array(a({ env: 1 }) + b() + c() + d()); }',
      ].join('\n') + CODEC_TAIL;
    assert.deepEqual(validateSource(src, 'c.js'), []);
  });

  it('refuses the global when the local binding is in a different block', () => {
    const src = 'export function encode(v, o) {\n  { const process = 1; }\n  return process;\n}' + CODEC_TAIL;
    const d = only(validateSource(src, 'c.js'));
    assert.deepEqual([d.line, d.column], [3, 10]);
  });

  it('allows typeof feature tests but not calls of the same global', () => {
    const src = 'const r = typeof require;\nexport function encode() { return require("fs"); }' + CODEC_TAIL;
    const d = only(validateSource(src, 'c.js'));
    assert.deepEqual([d.line, d.column], [2, 35]);
    assert.match(d.message, /require\(\.\.\.\)/);
  });

  it('refuses static, dynamic and re-export imports, import.meta and globalThis', () => {
    const src =
      [
        "import fs from 'fs';",
        "export * from './other.js';",
        "export function encode() { import('x'); return globalThis.a + import.meta.url; }",
      ].join('\n') + CODEC_TAIL;
    const diags = validateSource(src, 'c.js');
    assert.deepEqual(
      diags.map((d) => [d.class, d.line, d.column]),
      [
        ['forbidden', 1, 1],
        ['forbidden', 2, 1],
        ['forbidden', 3, 28],
        ['forbidden', 3, 48],
        ['forbidden', 3, 63],
      ],
    );
  });

  it('reports syntax errors with line and column', () => {
    const d = only(validateSource('export function encode() {\n  return 1 +;\n}', 'c.js'));
    assert.deepEqual([d.class, d.line, d.column], ['syntax', 2, 13]);
  });

  it('checks the exports: missing, default, async, not a function, meta not an object', () => {
    assert.match(only(validateSource('export function encode() {}', 'c.js')).message, /missing export `decode`/);
    const def = validateSource('export default { encode() {}, decode() {} };', 'c.js');
    assert.ok(def.some((d) => d.class === 'contract' && /default export/.test(d.message)));
    assert.match(only(validateSource('export async function encode() {}' + CODEC_TAIL, 'c.js')).message, /synchronous/);
    assert.match(only(validateSource('export const encode = 42;' + CODEC_TAIL, 'c.js')).message, /must be a function/);
    assert.match(only(validateSource("export const meta = 'x'; export function encode() {}" + CODEC_TAIL, 'c.js')).message, /meta/);
    assert.match(only(validateSource('function encode() {}' + CODEC_TAIL, 'c.js')).message, /not exported/);
  });

  it('accepts exports through specifiers and arrow functions', () => {
    const src = 'const enc = (v, o) => new Uint8Array(1);\nfunction dec(b) { return null; }\nexport { enc as encode, dec as decode };';
    const r = prepareCandidate(src, 'c.js');
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.candidate!.exports, { encode: 'enc', decode: 'dec' });
    assert.ok(!/export/.test(r.candidate!.script), 'export syntax is blanked out of the runnable script');
    assert.equal(r.candidate!.script.split('\n').length, src.split('\n').length, 'line layout is preserved');
  });

  it('refuses top-level await but not await inside an async helper', () => {
    const d = only(
      validateSource('const t = await Promise.resolve(1);\nexport function encode() { return new Uint8Array(t); }' + CODEC_TAIL, 'c.js'),
    );
    assert.deepEqual([d.class, d.line, d.column], ['contract', 1, 11]);
    assert.deepEqual(
      validateSource(
        'async function later() { await 1; }\nexport function encode() { void later; return new Uint8Array(1); }' + CODEC_TAIL,
        'c.js',
      ),
      [],
    );
  });

  it('refuses a source over the size cap', () => {
    const big = 'export function encode() {}' + CODEC_TAIL + '//' + 'x'.repeat(DEFAULT_MAX_SOURCE_BYTES);
    const d = only(validateSource(big, 'c.js'));
    assert.equal(d.class, 'contract');
    assert.match(d.message, /over the \d+-byte cap/);
    assert.deepEqual(
      validateSource('export function encode() {}' + CODEC_TAIL, 'c.js', { maxSourceBytes: 10 }).map((x) => x.class),
      ['contract'],
    );
  });

  describe('TypeScript', () => {
    it('maps a forbidden reference back to the original line and column past stripped types', () => {
      const src = [
        'interface Opts { quality: number }',
        'type Pair = [number, number];',
        'export function encode(video: { width: number }, options: Opts): Uint8Array {',
        '  const pair: Pair = [1, 2] as Pair;',
        '  const key: string = (process.env.KEY as string) ?? "";',
        '  return new Uint8Array(pair[0] + key.length);',
        '}',
        'export function decode(b: Uint8Array): { width: number; height: number; frames: [] } { return { width: 0, height: 0, frames: [] }; }',
      ].join('\n');
      const d = only(validateSource(src, 'codec.ts'));
      assert.deepEqual([d.class, d.line, d.column, d.endColumn], ['forbidden', 5, 24, 31]);
    });

    it('reports TypeScript syntax errors at their original position', () => {
      const d = only(validateSource('export function encode(v: number): number {\n  let x: = 1;\n}', 'codec.ts'));
      assert.deepEqual([d.class, d.line, d.column], ['syntax', 2, 10]);
    });

    it('refuses a value import but accepts a type-only import', () => {
      const typeOnly =
        "import type { Video } from './codec';\nexport function encode(v: Video): Uint8Array { return new Uint8Array(1); }\nexport function decode(b: Uint8Array) { return { width: 0, height: 0, frames: [] }; }";
      assert.deepEqual(validateSource(typeOnly, 'c.ts'), []);
      const value = typeOnly.replace('import type', 'import');
      const d = only(validateSource(value, 'c.ts'));
      assert.deepEqual([d.class, d.line], ['forbidden', 1]);
    });
  });
});
