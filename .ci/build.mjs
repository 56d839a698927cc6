// Bundles every entry point that exists into dist/. Run by `npm run build` and by npm's `prepare`.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, chmodSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The seed codecs, template and codec.d.ts travel inside the bundles (src/core/store/seed-files.ts),
// because the packaged extension ships only dist/ and media/.
const codecDir = join(root, 'src/core/codec');
const codecSeeds = {};
for (const f of ['template.js', 'codec.d.ts']) if (existsSync(join(codecDir, f))) codecSeeds[f] = readFileSync(join(codecDir, f), 'utf8');
if (existsSync(join(codecDir, 'seeds')))
  for (const f of readdirSync(join(codecDir, 'seeds')).filter((n) => n.endsWith('.js')))
    codecSeeds[`seeds/${f}`] = readFileSync(join(codecDir, 'seeds', f), 'utf8');
const node = {
  define: { __CODEC_SEEDS__: JSON.stringify(codecSeeds) },
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  bundle: true,
  sourcemap: true,
  external: ['vscode'],
  logLevel: 'warning',
};
const entries = [
  { in: 'src/extension/extension.ts', out: 'dist/extension.js', ...node },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', ...node, banner: { js: '#!/usr/bin/env node' } },
  { in: 'src/core/sandbox/worker.ts', out: 'dist/sandbox-worker.js', ...node },
  { in: 'src/engine-host/engine-host.ts', out: 'dist/engine-host.js', ...node },
  {
    in: 'webview/main.ts',
    out: 'dist/webview.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    bundle: true,
    sourcemap: true,
    logLevel: 'warning',
  },
];
mkdirSync(join(root, 'dist'), { recursive: true });
const minify = process.argv.includes('--minify');
await Promise.all(
  entries
    .filter((e) => existsSync(join(root, e.in)))
    .map(({ in: entry, out, ...opts }) => esbuild.build({ ...opts, minify, entryPoints: [join(root, entry)], outfile: join(root, out) })),
);
if (existsSync(join(root, 'dist/cli.js'))) chmodSync(join(root, 'dist/cli.js'), 0o755);
