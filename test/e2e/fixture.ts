// What every e2e suite does around its tests: code-server's user settings, starting code-server with
// the extension(s) installed and the workbench open in Chromium, and the hooks that screenshot a
// failed test with the last lines of the logs and stop and clean up everything at the end.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './code-server';
import { extensionId, filesUnder, shots } from './package-under-test';
import { launchChromium } from '../helpers/chromium';
import { Workbench } from './workbench';

/** A quiet, deterministic workbench; `chat.disableAIFeatures` is each suite's own choice. */
export const WORKBENCH_SETTINGS: Record<string, unknown> = {
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
  'window.restoreWindows': 'none',
};

/** Installs the .vsix files, starts code-server and opens `folder` in Chromium. */
export async function openWorkbench(
  server: CodeServer,
  chromium: string,
  vsixes: string[],
  folder: string,
  viewport: { width: number; height: number },
): Promise<{ browser: Browser; wb: Workbench }> {
  for (const v of vsixes) await server.installExtension(v);
  const url = await server.start();
  const browser = await launchChromium(chromium);
  const wb = new Workbench(await browser.newPage({ viewport }), shots);
  await wb.open(url, folder);
  return { browser, wb };
}

interface SuiteParts {
  server?: CodeServer;
  browser?: Browser;
  wb?: Workbench;
  /** Temporary folders removed at the end (kept with CODEC_E2E_KEEP=1). */
  dirs: Array<string | undefined>;
}

/**
 * The suite's after and afterEach hooks. `parts` is read when a hook runs (the suite's before sets
 * them). After a failed test: a screenshot named `failurePrefix` + the test's title, and the last
 * lines of the logs `logs` picks (default: the extension's own). At the end: Chromium and
 * code-server stopped, the temporary folders removed.
 */
export function e2eHooks(parts: () => SuiteParts, o: { failurePrefix: string; logs?: (file: string) => boolean }): void {
  after(async function () {
    this.timeout(60_000);
    const p = parts();
    await p.browser?.close().catch(() => undefined);
    await p.server?.stop();
    const dirs = p.dirs.filter((d): d is string => !!d);
    if (!process.env.CODEC_E2E_KEEP) for (const d of dirs) rmSync(d, { recursive: true, force: true });
    else if (dirs.length) console.log(`      kept ${dirs.join(' and ')}`);
  });

  afterEach(async function () {
    const { wb, server } = parts();
    if (this.currentTest?.state !== 'failed' || !wb) return;
    const file = await wb.screenshot(`${o.failurePrefix}${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => '');
    if (file) console.log(`      screenshot of the failure: ${file}`);
    if (!server) return;
    // The extension's own log usually says why (an engine error, a refused candidate).
    const pick = o.logs ?? ((f: string) => f.includes(extensionId));
    for (const f of filesUnder(join(server.userDataDir, 'logs')).filter((f) => f.endsWith('.log') && pick(f)))
      console.log(
        `      last lines of ${f}:\n${readFileSync(f, 'utf8')
          .trim()
          .split('\n')
          .slice(-15)
          .map((l) => `        ${l}`)
          .join('\n')}`,
      );
  });
}
