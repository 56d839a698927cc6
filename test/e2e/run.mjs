// End-to-end suite: installs code-server (cached), packages the .vsix, then runs test/e2e/*.e2e.ts
// with mocha and ends with a plain "N passed, N failed, N skipped" line.
// Usage: node test/e2e/run.mjs [--grep PATTERN] [--no-setup] [--no-package]
//   CODEC_E2E_VSIX=path  test that .vsix instead of packaging one
//   CODEC_E2E_KEEP=1     keep the temp workspace, user-data and logs
//   CODEC_E2E_MAX_GENERATIONS=n  generations the extension suite runs per step, unless one queues a candidate
//                        first, before it queues the best-scored one by hand (default 2)
//   --update-screenshots after a fully passing run, copy the README's screenshots into media/screenshots/
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args[grepAt + 1] : undefined;

function step(what, cmd, cmdArgs) {
  const t0 = Date.now();
  console.log(`e2e: ${what}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`e2e: ${what} failed (exit ${r.status ?? r.signal})`);
    console.log('\n0 passed, 1 failed, 0 skipped');
    process.exit(1);
  }
  console.log(`e2e: ${what} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (!args.includes('--no-setup')) step('set up code-server, Node 24 and Chromium', 'bash', [join(here, 'setup.sh')]);
if (!args.includes('--no-package') && !process.env.CODEC_E2E_VSIX) step('package the .vsix', 'npm', ['run', '--silent', 'package']);

require('../register.cjs');
const mocha = new Mocha({ reporter: 'spec', timeout: 180000, grep, bail: true });
for (const f of readdirSync(here)
  .filter((n) => n.endsWith('.e2e.ts'))
  .sort())
  mocha.addFile(join(here, f));
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const s = runner.stats;
  if (!failures && args.includes('--update-screenshots')) {
    const shots = join(repo, 'test', '.tmp', 'e2e');
    const media = join(repo, 'media', 'screenshots');
    mkdirSync(media, { recursive: true });
    for (const [suffix, name] of [
      ['review-diff', 'review-diff'],
      ['dashboard', 'dashboard'],
      ['adopted-sidebar', 'sidebar'],
      ['chat-status', 'chat-status'],
      ['chat-explain', 'chat-explain'],
    ]) {
      const from = readdirSync(shots).find((n) => n.endsWith(`-${suffix}.png`));
      if (from) {
        copyFileSync(join(shots, from), join(media, `${name}.png`));
        console.log(`e2e: media/screenshots/${name}.png updated`);
      }
    }
  }
  console.log(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
  process.exitCode = failures ? 1 : 0;
});
