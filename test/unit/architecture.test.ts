// The layering is enforced by `npm run lint` (.ci/eslint.config.mjs, run by .ci/run). These tests check
// that its import rules fire where they must — a rule that matches nothing would pass any tree — and
// that the real core and engine child pass them.
import { strict as assert } from 'node:assert';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { packageRoot } from '../../src/core/paths';

const root = packageRoot();

function eslint(): ESLint {
  return new ESLint({ cwd: root, overrideConfigFile: join(root, '.ci', 'eslint.config.mjs') });
}

async function restricted(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint().lintText(code, { filePath: join(root, filePath) });
  return r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

describe('architecture (import rules of npm run lint)', function () {
  this.timeout(300_000);

  it('src/core may not import vscode, a host or the engine child', async () => {
    assert.match(
      (await restricted("import * as vscode from 'vscode';\nexport const x = vscode;\n", 'src/core/metrics/x.ts')).join(),
      /src\/core never imports vscode/,
    );
    assert.match(
      (await restricted("import { a } from '../../extension/settings';\nexport const x = a;\n", 'src/core/metrics/x.ts')).join(),
      /may not import extension/,
    );
    assert.match(
      (await restricted("import { a } from '../../engine-host/protocol';\nexport const x = a;\n", 'src/core/metrics/x.ts')).join(),
      /may not import engine-host/,
    );
    assert.deepEqual(await restricted("import { a } from '../errors';\nexport const x = a;\n", 'src/core/metrics/x.ts'), []);
  });

  it('the engine child and the CLI may not import vscode; the webview only its own catalogue', async () => {
    assert.equal((await restricted("import * as vscode from 'vscode';\nexport const x = vscode;\n", 'src/engine-host/x.ts')).length, 1);
    assert.equal((await restricted("import * as vscode from 'vscode';\nexport const x = vscode;\n", 'src/cli/x.ts')).length, 1);
    assert.match(
      (await restricted("import { a } from '../src/core/errors';\nexport const x = a;\n", 'webview/x.ts')).join(),
      /webview\/protocol\.ts only/,
    );
    assert.deepEqual(await restricted("import type { A } from './protocol';\nexport type X = A;\n", 'webview/x.ts'), []);
    // The extension is the one layer that may.
    assert.deepEqual(await restricted("import * as vscode from 'vscode';\nexport const x = vscode;\n", 'src/extension/x.ts'), []);
  });

  it('the real src/core and src/engine-host pass those rules', async () => {
    const files = [...sources(join(root, 'src', 'core')), ...sources(join(root, 'src', 'engine-host'))].filter((f) => !f.endsWith('.d.ts'));
    assert.ok(files.length > 50, 'src/core has sources');
    const results = await eslint().lintFiles(files);
    const offenders = results.flatMap((r) =>
      r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}:${m.line}: ${m.message}`),
    );
    assert.deepEqual(offenders, []);
  });
});
