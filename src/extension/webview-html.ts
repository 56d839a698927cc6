// The HTML shell of both webviews. Strict CSP: nothing but our bundle (by nonce) and our own styles
// and images from localResourceRoots; no inline script, no remote origin.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlOptions {
  view: 'sidebar' | 'dashboard';
  /** webview.cspSource */
  cspSource: string;
  scriptUri: string;
  styleUris: string[];
  nonce?: string;
  title: string;
}

export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function webviewHtml(o: WebviewHtmlOptions): string {
  const nonce = o.nonce ?? makeNonce();
  // No 'unsafe-inline' for styles: element.style (uPlot, our bars) goes through CSSOM, which CSP
  // does not govern, and FAST's one probing <style> carries the nonce it reads from csp-nonce.
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data: blob:`,
    `style-src ${o.cspSource} 'nonce-${nonce}'`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.styleUris.map((u) => `<link rel="stylesheet" href="${esc(u)}">`).join('\n')}
<title>${esc(o.title)}</title>
</head>
<body data-view="${o.view}">
<div id="root"></div>
<script nonce="${nonce}" src="${esc(o.scriptUri)}"></script>
</body>
</html>`;
}
