// Bundles every entry point that exists into dist/. Run by `npm run build` and by npm's `prepare`.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = { platform: 'node', target: 'node20', format: 'cjs', bundle: true, sourcemap: true, external: ['vscode'], logLevel: 'warning' };
const entries = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', ...node },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', ...node, banner: { js: '#!/usr/bin/env node' } },
  { in: 'src/core/sandbox/worker.ts', out: 'dist/sandbox-worker.js', ...node },
  { in: 'src/core/evolution/engine-host.ts', out: 'dist/engine-host.js', ...node },
  { in: 'webview/main.ts', out: 'dist/webview.js', platform: 'browser', target: 'es2022', format: 'iife', bundle: true, sourcemap: true, logLevel: 'warning' },
];
mkdirSync(join(root, 'dist'), { recursive: true });
const minify = process.argv.includes('--minify');
await Promise.all(entries.filter((e) => existsSync(join(root, e.in))).map(({ in: entry, out, ...opts }) =>
  esbuild.build({ ...opts, minify, entryPoints: [join(root, entry)], outfile: join(root, out) })));
if (existsSync(join(root, 'dist/cli.js'))) chmodSync(join(root, 'dist/cli.js'), 0o755);
