// Runs the unit suite (test/unit/**/*.test.ts) with mocha and ends with a plain
// "N passed, N failed, N skipped" line. Usage: node test/run.mjs [--grep PATTERN] [files...]
import { createRequire } from 'node:module';
import { readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';

const require = createRequire(import.meta.url);
require('./register.cjs');
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let grep;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--grep') grep = args[++i];
  else files.push(resolve(args[i]));
}
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const mocha = new Mocha({ reporter: 'spec', timeout: 120000, grep });
for (const f of files.length ? files : walk(join(here, 'unit')).sort()) mocha.addFile(f);
await mocha.loadFilesAsync();
const runner = mocha.run((failures) => {
  const s = runner.stats;
  console.log(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
  process.exitCode = failures ? 1 : 0;
  // Tests wait on events, bounded by mocha's timeout; a wait left polling by a timed-out test must not
  // keep the process alive after the summary (unref: a clean run exits at once).
  setTimeout(() => process.exit(process.exitCode), 5000).unref();
});
