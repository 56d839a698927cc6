// Integration tests inside a real VS Code (Electron) with @vscode/test-electron: the extension is
// loaded from this checkout (extensionDevelopmentPath) and test/electron/*.test.ts run in its
// extension host. Needs a VS Code build:
//   CODEC_VSCODE_EXECUTABLE=/path/to/code   use an installed VS Code (or VSCODE_EXECUTABLE_PATH)
//   CODEC_VSCODE_DOWNLOAD=stable|1.9x.y     download one into .vscode-test/ (needs the VS Code update server)
// Without either it skips with a message; machines that reach only package registries use the
// code-server suite (npm run test:e2e) instead. Linux needs a display: DISPLAY set, or xvfb-run.
import { existsSync, mkdtempSync, readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const skip = (why) => {
  console.log(`integration: skipped — ${why}`);
  console.log('\n0 passed, 0 failed, 1 skipped');
  process.exit(0);
};

let executable = process.env.CODEC_VSCODE_EXECUTABLE || process.env.VSCODE_EXECUTABLE_PATH;
const { runTests, downloadAndUnzipVSCode } = await import('@vscode/test-electron');
if (executable && !existsSync(executable)) {
  console.log(`integration: CODEC_VSCODE_EXECUTABLE=${executable} does not exist`);
  console.log('\n0 passed, 1 failed, 0 skipped');
  process.exit(1);
}
if (!executable && process.env.CODEC_VSCODE_DOWNLOAD) {
  try {
    executable = await downloadAndUnzipVSCode({
      version: process.env.CODEC_VSCODE_DOWNLOAD,
      cachePath: join(repo, '.vscode-test'),
      timeout: 60_000,
    });
  } catch (e) {
    skip(
      `no VS Code build could be downloaded (${e instanceof Error ? e.message : e}); set CODEC_VSCODE_EXECUTABLE, or run npm run test:e2e`,
    );
  }
}
if (!executable)
  skip(
    'no VS Code build: set CODEC_VSCODE_EXECUTABLE=/path/to/code or CODEC_VSCODE_DOWNLOAD=stable (the e2e suite, npm run test:e2e, covers a real VS Code through code-server)',
  );
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
  skip('VS Code (Electron) needs a display: set DISPLAY or run under xvfb-run');

// The extension host loads JavaScript: bundle the suite (vscode and mocha stay external and resolve
// from this checkout's node_modules, which is why the bundle sits inside the repository).
const out = join(repo, 'test', '.tmp', 'integration');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const entries = ['index.ts', ...readdirSync(here).filter((n) => n.endsWith('.test.ts'))];
await esbuild.build({
  entryPoints: entries.map((n) => join(here, n)),
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});

const sandbox = mkdtempSync(join(tmpdir(), 'codec-integration-'));
const workspace = join(sandbox, 'workspace');
mkdirSync(join(workspace, '.vscode'), { recursive: true });
writeFileSync(join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'codecEvolution.provider': 'offline' }));
try {
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(out, 'index.js'),
    extensionTestsEnv: { CODEC_INTEGRATION_WORKSPACE: workspace },
    launchArgs: [
      workspace,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--no-sandbox',
      '--disable-gpu',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir',
      join(sandbox, 'user-data'),
      '--extensions-dir',
      join(sandbox, 'extensions'),
    ],
  });
} catch (e) {
  console.log(`integration: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  rmSync(sandbox, { recursive: true, force: true });
}
