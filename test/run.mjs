// Runs the test tiers with mocha and ends with one plain "N passed, N failed, N skipped" line:
//   test/unit        pure and fast: no child process may start (a guard makes one fail the test)
//   test/integration real processes: sandbox children, ffmpeg, the engine child, redis, chromium
// Each tier runs in its own node process and prints its time.
// Usage: node test/run.mjs [--tier unit|integration] [--grep PATTERN] [files...]
import { createRequire } from 'node:module';
import { readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const TIERS = ['unit', 'integration'];
const args = process.argv.slice(2);
let grep;
let tier;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--grep') grep = args[++i];
  else if (args[i] === '--tier') tier = args[++i];
  else files.push(resolve(args[i]));
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const tierOf = (f) => relative(here, f).split(sep)[0];

if (tier === undefined) {
  // The parent: one child per tier that has files, then the totals.
  const want = files.length ? TIERS.filter((t) => files.some((f) => tierOf(f) === t)) : TIERS;
  const totals = { passed: 0, failed: 0, skipped: 0 };
  let code = 0;
  for (const t of want) {
    const started = Date.now();
    const own = files.filter((f) => tierOf(f) === t);
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--tier', t, ...(grep ? ['--grep', grep] : []), ...own], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      last = (last + d.toString()).slice(-400);
    });
    const exit = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
    const m = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(last);
    if (m) {
      totals.passed += +m[1];
      totals.failed += +m[2];
      totals.skipped += +m[3];
    } else totals.failed++;
    console.log(
      `tier ${t}: ${m ? `${m[1]} passed, ${m[2]} failed, ${m[3]} skipped` : `ended without a summary (exit ${exit})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    if (exit !== 0) code = 1;
  }
  console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(code);
}

if (!TIERS.includes(tier)) {
  console.error(`unknown tier ${tier}: use ${TIERS.join(' or ')}`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
if (tier === 'unit') {
  // Pure tier: starting a process here is a test in the wrong folder, said plainly.
  const cp = require('node:child_process');
  for (const name of ['spawn', 'spawnSync', 'fork', 'exec', 'execSync', 'execFile', 'execFileSync']) {
    cp[name] = () => {
      throw new Error(`test/unit starts no processes (${name} was called): move this test to test/integration`);
    };
  }
}
require('./register.cjs');
const { default: Mocha } = await import('mocha');
const mocha = new Mocha({ reporter: 'spec', timeout: 120000, grep });
for (const f of files.length ? files : walk(join(here, tier)).sort()) mocha.addFile(f);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const s = runner.stats;
  console.log(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
  process.exitCode = failures ? 1 : 0;
});
