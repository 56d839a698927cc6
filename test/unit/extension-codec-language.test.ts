// TypeScript codecs in the extension: where esbuild cannot be resolved from the extension's folder (the
// packaged .vsix ships no node_modules), Validate / Evaluate Codec refuse a .ts file with one
// environment error that says what to do; JavaScript codecs never need esbuild.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, errorMessage, EXIT_CODES } from '../../src/core/errors';
import { packageRoot } from '../../src/core/paths';
import { esbuildResolves, isTypeScriptCodec, requireCodecLanguage } from '../../src/extension/codec-language';

describe('extension: codec language (TypeScript needs esbuild)', () => {
  let bare: string;
  before(() => {
    // An installed extension's layout without node_modules, like the unpacked .vsix.
    bare = mkdtempSync(join(tmpdir(), 'ce-ext-noesbuild-'));
    mkdirSync(join(bare, 'dist'));
  });
  after(() => rmSync(bare, { recursive: true, force: true }));

  it('tells TypeScript codec files from JavaScript ones', () => {
    for (const f of ['codec.ts', '/w/x/Codec.MTS', 'a.cts']) assert.equal(isTypeScriptCodec(f), true, f);
    for (const f of ['codec.js', 'codec.mjs', 'codec.ts.js', 'notes.txt']) assert.equal(isTypeScriptCodec(f), false, f);
  });

  it('a .ts codec where esbuild does not resolve: one EnvironmentError naming esbuild and both ways out', () => {
    assert.equal(esbuildResolves(bare), false, `${bare} has no esbuild above it`);
    let err: unknown;
    try {
      requireCodecLanguage('/work/codecs/my-codec.ts', bare);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof EnvironmentError, `an EnvironmentError, got ${String(err)}`);
    assert.equal(EXIT_CODES[err.kind], 5);
    assert.match(err.message, /^my-codec\.ts is TypeScript, and TypeScript codecs need esbuild/);
    assert.match(err.remedy ?? '', /save the codec as a \.js file/);
    assert.ok((err.remedy ?? '').includes(`npm install esbuild\` in ${bare}`), err.remedy);
    // What the notification shows: the message and what to do, in one line.
    assert.match(errorMessage(err), /TypeScript codecs need esbuild.*save the codec as a \.js file/);
    // JavaScript codecs are never refused for it.
    assert.doesNotThrow(() => requireCodecLanguage('/work/codecs/my-codec.js', bare));
  });

  it('a .ts codec where esbuild resolves (this checkout) is accepted', () => {
    assert.equal(esbuildResolves(packageRoot()), true);
    assert.doesNotThrow(() => requireCodecLanguage('codec.ts', packageRoot()));
  });
});
