// The packaged extension in real VS Code (code-server) driven through Chromium, as a person would:
// install the .vsix, open a trusted workspace, use the palette and the side-bar view.
// Run with `npm run test:e2e` (test/e2e/run.mjs installs code-server and builds the .vsix first).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CodeServer, readInstall } from './code-server';
import { launchChromium, Workbench } from './workbench';

const repo = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
const extensionId = `${manifest.publisher}.${manifest.name}`;
const vsix = process.env.CODEC_E2E_VSIX ?? join(repo, `${manifest.name}-${manifest.version}.vsix`);
const shots = join(repo, 'test', '.tmp', 'e2e');
const CATEGORY = 'Codec Evolution';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('VS Code end to end: the .vsix in code-server, driven through Chromium', function () {
  this.timeout(180_000);
  let sandbox: string;
  let workspace: string;
  let server: CodeServer;
  let browser: Browser | undefined;
  let wb: Workbench;

  before(async function () {
    assert.ok(existsSync(vsix), `${vsix} missing — run npm run package`);
    const install = readInstall();
    assert.ok(existsSync(install.chromium), `${install.chromium} missing — run bash test/e2e/setup.sh (it installs Debian's chromium)`);
    rmSync(shots, { recursive: true, force: true });
    sandbox = mkdtempSync(join(tmpdir(), 'codec-e2e-'));
    workspace = join(sandbox, 'workspace');
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    // The offline mutator: no key, no network, deterministic.
    writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'codecEvolution.provider': 'offline' }, null, 2));
    server = new CodeServer(install, sandbox);
    server.writeUserSettings({
      // The workspace is ours and fresh: trust it the way a person who opted out of the prompt would.
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.colorTheme': 'Default Dark Modern',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'window.restoreWindows': 'none',
    });
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (sandbox && !process.env.CODEC_E2E_KEEP) rmSync(sandbox, { recursive: true, force: true });
    else if (sandbox) console.log(`      kept ${sandbox}`);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      const file = await wb.screenshot(`FAILED-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => '');
      if (file) console.log(`      screenshot of the failure: ${file}`);
    }
  });

  it('installs the packaged .vsix into code-server', async () => {
    const out = await server.installExtension(vsix);
    const installed = await server.listExtensions();
    assert.ok(installed.includes(`${extensionId}@${manifest.version}`),
      `expected ${extensionId}@${manifest.version} among installed extensions ${JSON.stringify(installed)}; install said: ${out}`);
  });

  it('serves VS Code on 127.0.0.1 and opens the workspace trusted in Chromium', async () => {
    const url = await server.start();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    browser = await launchChromium(readInstall().chromium);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    wb = new Workbench(page, shots);
    await wb.open(url, workspace);
    await page.locator('.part.sidebar .monaco-list-row, .part.sidebar .pane-header').first().waitFor({ timeout: 60_000 });
    const status = await page.locator('.part.statusbar').innerText();
    assert.doesNotMatch(status, /Restricted Mode/i, 'the workspace opened in Restricted Mode');
    await wb.screenshot('workbench');
  });

  it('lists the extension\'s commands in the palette under its category, as its when-clauses allow', async () => {
    const initialize = `${CATEGORY}: Initialize Workspace`;
    const rows = await wb.paletteUntil(`${CATEGORY}:`, (r) => r.includes(initialize));
    await wb.screenshot('palette');
    await wb.closePalette();
    assert.ok(rows.includes(initialize), `"${initialize}" missing from the palette: ${JSON.stringify(rows)}`);
    assert.ok(rows.includes(`${CATEGORY}: Show Log`), `"${CATEGORY}: Show Log" missing from the palette: ${JSON.stringify(rows)}`);
    // Nothing is pending in a fresh workspace, so review commands must stay out of the palette.
    assert.ok(!rows.includes(`${CATEGORY}: Accept Candidate`), `"Accept Candidate" offered with nothing to review: ${JSON.stringify(rows)}`);
  });

  it('shows the Codec Evolution view in the activity bar and activates the extension', async () => {
    await wb.openViewContainer(CATEGORY);
    // Activation is read from the remote extension host's log and the extension's own log channel
    // (created in activate()): proof that the bundle ran, not merely that the manifest was read.
    const logs = join(server.userDataDir, 'logs');
    const deadline = Date.now() + 60_000;
    let activation: RegExpExecArray | null = null;
    let own: string | undefined;
    while (Date.now() < deadline && !(activation && own)) {
      const files = filesUnder(logs);
      const host = files.find((f) => f.endsWith('remoteexthost.log'));
      activation = host ? new RegExp(`^(\\S+ \\S+) .*_doActivateExtension ${extensionId.replace('.', '\\.')}, .*activationEvent: '([^']+)'`, 'm').exec(readFileSync(host, 'utf8')) : null;
      own = files.find((f) => f.includes(extensionId) && f.endsWith('.log') && readFileSync(f, 'utf8').trim() !== '');
      if (!(activation && own)) await wb.page.waitForTimeout(500);
    }
    assert.ok(activation, `the extension host never activated ${extensionId} (no _doActivateExtension line under ${logs})`);
    assert.ok(own, `${extensionId} activated but wrote no log line under ${logs}`);
    const first = /^(\S+ \S+)/.exec(readFileSync(own, 'utf8'));
    const ms = first ? Date.parse(first[1].replace(' ', 'T')) - Date.parse(activation[1].replace(' ', 'T')) : NaN;
    console.log(`      activated by ${activation[2]}; first log line ${ms} ms after activation began`);
    await wb.screenshot('sidebar');
  });
});
