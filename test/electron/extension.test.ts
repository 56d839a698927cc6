// Runs inside VS Code's extension host (see run.mjs): the manifest and the activated extension agree.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  contributes: { commands: { command: string }[] };
};
const id = `${manifest.publisher}.${manifest.name}`;

describe('Codec Evolution in VS Code', () => {
  it('activates when its view is opened', async () => {
    const ext = vscode.extensions.getExtension(id);
    assert.ok(ext, `${id} is not loaded`);
    await vscode.commands.executeCommand('workbench.view.extension.codecEvolution');
    for (let i = 0; i < 100 && !ext.isActive; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ext.isActive, `${id} did not activate when its view container was opened`);
  });

  it('registers every command its manifest contributes', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('initializes the workspace folder', async () => {
    const workspace = process.env.CODEC_INTEGRATION_WORKSPACE!;
    await vscode.commands.executeCommand('codecEvolution.initialize');
    assert.ok(existsSync(join(workspace, '.codec-evolution')), `${join(workspace, '.codec-evolution')} was not created`);
  });
});
