// Serves the real webview bundle with the host's real HTML shell (CSP and all) on 127.0.0.1 and opens
// it in Debian's chromium through playwright-core, with a recording stand-in for acquireVsCodeApi.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { webviewHtml } from '../../src/extension/webview-html';
import type { ViewState } from '../../webview/protocol';

export const CHROMIUM = '/usr/bin/chromium';
const root = join(__dirname, '..', '..');

/** VS Code's Dark Modern values for the variables the views use (VS Code injects them on <html>). */
export const DARK_THEME: Record<string, string> = {
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-errorForeground': '#f85149',
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-font-weight': 'normal',
  '--vscode-sideBar-background': '#181818',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-sideBarSectionHeader-foreground': '#cccccc',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-editorWidget-border': '#313131',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-inputValidation-warningBackground': '#352a05',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-hoverBackground': '#026ec1',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-badge-background': '#616161',
  '--vscode-badge-foreground': '#f8f8f8',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-progressBar-background': '#0078d4',
};

export interface Served {
  origin: string;
  close(): Promise<void>;
}

/** Bundles webview/main.ts from source (so the test sees current code) and serves it. */
export async function serveWebview(): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'ce-webview-'));
  await esbuild.build({
    entryPoints: [join(root, 'webview', 'main.ts')],
    outfile: join(dir, 'webview.js'),
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    logLevel: 'silent',
    sourcemap: false,
  });
  const files: Record<string, [string, string]> = {
    '/dist/webview.js': [join(dir, 'webview.js'), 'text/javascript'],
    '/dist/webview.css': [join(dir, 'webview.css'), 'text/css'],
    '/media/webview.css': [join(root, 'media', 'webview.css'), 'text/css'],
  };
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const f = files[url.pathname];
    if (f && existsSync(f[0])) {
      res.writeHead(200, { 'content-type': f[1] });
      res.end(readFileSync(f[0]));
      return;
    }
    const view = url.pathname === '/dashboard' ? 'dashboard' : url.pathname === '/sidebar' ? 'sidebar' : null;
    if (!view) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      webviewHtml({
        view,
        cspSource: origin,
        scriptUri: `${origin}/dist/webview.js`,
        styleUris: [`${origin}/dist/webview.css`, `${origin}/media/webview.css`],
        title: view,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}

/** Installed before any page script: the fake VS Code API, the theme variables, a CSP-violation log. */
export function initScript(arg: { theme: Record<string, string>; saved: unknown }): void {
  const w = window as unknown as { __posted: unknown[]; __state: unknown; __csp: string[]; acquireVsCodeApi: () => unknown };
  w.__posted = [];
  w.__state = arg.saved;
  w.__csp = [];
  w.acquireVsCodeApi = () => ({
    postMessage: (m: unknown) => {
      w.__posted.push(JSON.parse(JSON.stringify(m)));
    },
    getState: () => w.__state,
    setState: (s: unknown) => {
      w.__state = s;
    },
  });
  document.addEventListener('securitypolicyviolation', (e) => {
    w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`);
  });
  const apply = () => {
    for (const [k, v] of Object.entries(arg.theme)) document.documentElement.style.setProperty(k, v);
    document.body?.classList.add('vscode-dark');
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', apply);
  else apply();
}

/** A state as the host would send it mid-run: a best version, references, a queue of two. */
export function sampleState(): ViewState {
  const curve = (scale: number, shift: number) =>
    [20, 35, 50, 65, 80].map((q, i) => ({
      quality: q,
      kbps: scale * Math.pow(1.9, i),
      psnrY: 30 + shift + 2.6 * i,
      ssimY: 0.9 + 0.018 * i,
      metrics: { psnrY: 30 + shift + 2.6 * i, psnrYuv: 31.5 + shift + 2.4 * i, ssimY: 0.9 + 0.018 * i },
    }));
  return {
    seq: 7,
    trusted: true,
    blockedReason: null,
    initialized: true,
    loading: false,
    running: true,
    status: 'generation 4 of 30: evaluating 2 candidates',
    generation: 4,
    budget: { generations: { used: 4, limit: 30 }, usd: { used: 0, limit: 5 }, minutes: { used: 2.4, limit: 60 } },
    workers: {
      url: 'redis://:***@10.0.0.5:6379',
      connected: true,
      workers: [
        { name: 'gpu-box/4121-a3f0', busy: 1, concurrency: 2 },
        { name: 'laptop/977-0c1d', busy: 1, concurrency: 1 },
      ],
      waiting: 3,
      active: 2,
    },
    primaryReference: 'x264',
    metrics: [
      { id: 'psnrY', label: 'PSNR-Y', unit: 'dB', decimals: 2 },
      { id: 'psnrU', label: 'PSNR-U', unit: 'dB', decimals: 2 },
      { id: 'psnrV', label: 'PSNR-V', unit: 'dB', decimals: 2 },
      { id: 'psnrYuv', label: 'PSNR-YUV', unit: 'dB', decimals: 2 },
      { id: 'ssimY', label: 'SSIM-Y', unit: '', decimals: 4 },
      { id: 'vmaf', label: 'VMAF', unit: 'score', decimals: 2 },
    ],
    objective: { metric: 'psnrYuv', label: 'PSNR-YUV' },
    rdMetric: { metric: 'psnrYuv', label: 'PSNR-YUV', axis: 'PSNR-YUV (dB)' },
    guards: [
      { metric: 'psnrY', label: 'PSNR-Y', tolerancePercent: 1 },
      { metric: 'psnrU', label: 'PSNR-U', tolerancePercent: 1 },
      { metric: 'psnrV', label: 'PSNR-V', tolerancePercent: 1 },
      { metric: 'ssimY', label: 'SSIM-Y', tolerancePercent: 1 },
    ],
    best: {
      version: 3,
      candidateId: 'c0006',
      bdRate: { x264: 41.7, x265: 63.2 },
      bdRates: { psnrY: 40.2, psnrU: 48.9, psnrV: 47.5, psnrYuv: 41.7, ssimY: 37.0 },
    },
    clips: [
      {
        clip: 'talking_heads_160x96_9f.y4m',
        role: 'training',
        bdRate: { x264: 41.7, x265: 63.2 },
        bdRates: { psnrYuv: { x264: 41.7, x265: 63.2 }, psnrY: { x264: 40.2, x265: 61.0 }, psnrU: { x264: 48.9, x265: 70.1 } },
        curves: [
          { label: 'v3', kind: 'best', points: curve(60, -0.4) },
          { label: 'x264', kind: 'reference', points: curve(45, 0) },
          { label: 'x265', kind: 'reference', points: curve(38, 0.3) },
        ],
      },
    ],
    history: [
      { generation: 1, candidate: 58.1, best: 61.0 },
      { generation: 2, candidate: 49.3, best: 49.3 },
      { generation: 3, candidate: 52.0, best: 49.3 },
      { generation: 4, candidate: 41.7, best: 41.7 },
    ],
    queue: [
      {
        id: 'c0009',
        generation: 4,
        hypothesis: 'larger search range finds better motion vectors',
        bdRate: 38.2,
        parentBdRate: 41.7,
        guards: [
          { metric: 'psnrY', label: 'PSNR-Y', change: -3.1, tolerancePercent: 1, ok: true },
          { metric: 'psnrU', label: 'PSNR-U', change: 0.4, tolerancePercent: 1, ok: true },
        ],
      },
      { id: 'c0011', generation: 4, hypothesis: 'lower lambda spends bits on texture', bdRate: 40.9, parentBdRate: 41.7, guards: [] },
    ],
    versions: [
      {
        version: 1,
        candidateId: null,
        parentVersion: null,
        bdRate: 61.0,
        heldOutBdRate: null,
        time: '2026-11-21T20:00:00.000Z',
        message: 'seed',
      },
      {
        version: 2,
        candidateId: 'c0003',
        parentVersion: 1,
        bdRate: 49.3,
        heldOutBdRate: 50.1,
        time: '2026-11-21T20:05:00.000Z',
        message: 'adopted c0003',
      },
      {
        version: 3,
        candidateId: 'c0006',
        parentVersion: 2,
        bdRate: 41.7,
        heldOutBdRate: 44.0,
        time: '2026-11-21T20:09:00.000Z',
        message: 'adopted c0006',
      },
    ],
    failures: [
      { class: 'edit-failed', count: 3, example: 'SEARCH text not found' },
      { class: 'runtime', count: 2 },
      { class: 'timeout', count: 1 },
    ],
    candidates: [{ id: 'c0009', label: 'c0009 (pending review)' }],
    lastError: null,
    evaluation: null,
    directives: [
      { id: 'd1', text: 'try B-frames next', block: 'motion-search', answered: 4 },
      { id: 'd2', text: 'keep chroma untouched', block: null, answered: 0 },
    ],
  };
}
