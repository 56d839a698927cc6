// Stored JSON is checked when read: a wrong field is named with the file, what was expected and what
// was found; fields a reader does not know pass through.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors';
import { initWorkspace } from '../../src/core/store/init';
import { mismatch, num, obj, str, arr, map } from '../../src/core/store/schema';
import { TREE_CLIP } from '../helpers/media';

describe('store: shapes checked on read', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the first field that does not fit, with its path', () => {
    const s = obj({ a: num({ int: true, min: 1 }), b: arr(obj({ c: str({ oneOf: ['x', 'y'] }) })), m: map(num(), { optional: true }) });
    assert.equal(mismatch({ a: 2, b: [{ c: 'x' }], extra: true }, s), undefined);
    assert.equal(mismatch({ a: 0, b: [] }, s), 'a: expected an integer ≥ 1, found 0');
    assert.equal(mismatch({ a: 1, b: [{ c: 'x' }, { c: 'z' }] }, s), 'b[1].c: expected one of "x", "y", found "z"');
    assert.equal(mismatch({ a: 1 }, s), 'b: missing (expected a list of an object)');
    assert.equal(mismatch({ a: 1, b: [], m: { k: 'no' } }, s), 'm.k: expected a number, found "no"');
  });

  it('a hand-edited config.json with a wrong field fails on read, naming the file and the field', () => {
    const { ws } = initWorkspace(dir, {
      seed: 'minimal',
      clips: [TREE_CLIP],
      configure: (c) => {
        c.evolution.gitCommit = false;
      },
    });
    assert.equal(ws.readConfig().evolution.islands, 3);
    const raw = JSON.parse(readFileSync(ws.configPath, 'utf8'));
    raw.evolution.islands = 'three';
    writeFileSync(ws.configPath, JSON.stringify(raw));
    assert.throws(
      () => ws.readConfig(),
      (e: Error) =>
        e instanceof InputError &&
        e.message === `${ws.configPath}: evolution.islands: expected an integer ≥ 1, found "three"` &&
        /delete it to use the default/.test((e as InputError).remedy ?? ''),
    );
    raw.evolution.islands = 2;
    raw.references = ['x264', 'vp9'];
    writeFileSync(ws.configPath, JSON.stringify(raw));
    assert.throws(() => ws.readConfig(), /references\[1\]: expected one of "x264", "x265", "av1", found "vp9"/);
  });

  it('a damaged version record fails on read, naming the field', () => {
    const { ws } = initWorkspace(dir, {
      seed: 'minimal',
      clips: [TREE_CLIP],
      configure: (c) => {
        c.evolution.gitCommit = false;
      },
    });
    assert.equal(ws.latestVersion()?.version, 1);
    const p = join(ws.versionDir(1), 'version.json');
    const v = JSON.parse(readFileSync(p, 'utf8'));
    writeFileSync(p, JSON.stringify({ ...v, version: 'one' }));
    assert.throws(
      () => ws.latestVersion(),
      (e: Error) => e instanceof InputError && e.message.includes('version.json: version: expected an integer ≥ 1, found "one"'),
    );
  });
});
