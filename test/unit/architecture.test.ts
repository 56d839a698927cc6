import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const IMPORTS_VSCODE = /(from\s+['"]vscode['"])|(require\(\s*['"]vscode['"]\s*\))|(import\(\s*['"]vscode['"]\s*\))/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|js|mjs|cjs)$/.test(name) ? [p] : [];
  });
}

describe('architecture', () => {
  it('src/core never imports vscode', () => {
    const files = sources(join(root, 'src', 'core'));
    assert.ok(files.length > 0, 'src/core has sources');
    const offenders = files.filter((f) => IMPORTS_VSCODE.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, [], `these core files import vscode: ${offenders.join(', ')}`);
  });

  it('the guard itself catches an import of vscode', () => {
    // Guards against a regex that can never match.
    const re = IMPORTS_VSCODE;
    assert.ok(re.test("import * as vscode from 'vscode';"));
    assert.ok(re.test('const v = require("vscode")'));
    assert.ok(!re.test("import { x } from './vscode-like';"));
  });
});
