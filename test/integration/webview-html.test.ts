import { strict as assert } from 'node:assert';
import { makeNonce, webviewHtml } from '../../src/extension/webview-html';

describe('webview HTML shell', () => {
  const html = webviewHtml({
    view: 'sidebar',
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://x/dist/webview.js',
    styleUris: ['https://x/dist/webview.css', 'https://x/media/webview.css?a=1&b=2'],
    nonce: 'abc123',
    title: 'T <1>',
  });
  // The attribute is HTML-escaped; a browser decodes the entities before reading the policy.
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/
    .exec(html)![1]
    .replace(/&#(\d+);/g, (_m, c) => String.fromCharCode(Number(c)));

  it('allows only our own origin and the nonce-tagged bundle', () => {
    assert.equal(
      csp,
      "default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data: blob:; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc123'; font-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123'",
    );
    assert.ok(!/unsafe-(inline|eval)/.test(csp));
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/dist\/webview\.js"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
    assert.match(html, /<meta property="csp-nonce" content="abc123">/, 'FAST reads its style nonce from here');
    assert.match(html, /<body data-view="sidebar">/);
  });

  it('escapes what it interpolates', () => {
    assert.match(html, /<title>T &#60;1&#62;<\/title>/);
    assert.match(html, /href="https:\/\/x\/media\/webview\.css\?a=1&#38;b=2"/);
  });

  it('makes a fresh alphanumeric nonce each time', () => {
    const a = makeNonce(),
      b = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    assert.notEqual(a, b);
  });
});
