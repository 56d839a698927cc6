// The sidebar and dashboard in a real browser: Debian's chromium, the real bundle, the host's CSP.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, DARK_THEME, initScript, sampleState, serveWebview, type Served } from '../helpers/webview-page';
import { readY4M } from '../../src/core/video/y4m';
import type { ViewState } from '../../webview/protocol';
import { TREE_CLIP } from '../helpers/media';
import { launchChromium } from '../helpers/chromium';

const shots = join(__dirname, '..', '.tmp');
const clip = TREE_CLIP;

type Win = { __posted: Array<Record<string, unknown>>; __state: unknown; __csp: string[] };

describe('webview views in chromium', function () {
  this.timeout(60000);
  let browser: Browser;
  let served: Served;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`    skipped: ${CHROMIUM} is missing — install it with 'apt-get install -y chromium' (or run .ci/setup)`);
      this.skip();
    }
    served = await serveWebview();
    browser = await launchChromium(CHROMIUM);
    mkdirSync(shots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  async function open(view: 'sidebar' | 'dashboard', size: { width: number; height: number }, saved: unknown = undefined): Promise<Page> {
    const page = await browser.newPage({ viewport: size });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`${e.message} ${e.stack ?? ''}`));
    (page as unknown as { errors: string[] }).errors = errors;
    await page.addInitScript(initScript, { theme: DARK_THEME, saved });
    await page.goto(`${served.origin}/${view}`);
    await page.waitForFunction(() => (window as unknown as Win).__posted.some((m) => m.type === 'ready'));
    return page;
  }
  const send = (page: Page, msg: unknown) => page.evaluate((m) => window.postMessage(m, '*'), msg as never);
  const posted = (page: Page) => page.evaluate(() => (window as unknown as Win).__posted);

  /** Pixels of a canvas that differ from its most common colour: > 0 means something was drawn. */
  const drawnPixels = (page: Page, selector: string) =>
    page.evaluate((sel) => {
      const c = document.querySelector(sel) as HTMLCanvasElement | null;
      if (!c || c.width === 0) return -1;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
      return n;
    }, selector);

  it('sidebar: draws the RD and history plots, lists the queue, Review posts the typed message', async () => {
    const page = await open('sidebar', { width: 380, height: 1250 });
    const state = sampleState();
    await send(page, { type: 'state', state });
    await page.waitForSelector('[data-chart=rd] canvas');
    await page.waitForSelector('[data-chart=history] canvas');
    assert.ok((await drawnPixels(page, '[data-chart=rd] canvas')) > 500, 'RD plot canvas has curves drawn');
    assert.ok((await drawnPixels(page, '[data-chart=history] canvas')) > 200, 'history canvas has points drawn');
    const legend = await page.locator('[data-chart=rd] .u-legend').innerText();
    for (const label of ['v3', 'x264', 'x265']) assert.ok(legend.includes(label), `legend names ${label}: ${legend}`);
    // The RD plot draws the objective (PSNR-YUV here), and says so.
    assert.equal(await page.locator('[data-chart=rd]').getAttribute('aria-label'), 'RD curves: PSNR-YUV (dB) against kbit/s');
    assert.equal(await page.locator('[data-chart=rd]').getAttribute('data-metric'), 'psnrYuv');
    assert.match(await page.locator('[data-section=rd]').innerText(), /RD \(PSNR-YUV\): talking_heads/i);

    const rows = page.locator('vscode-data-grid[data-kind=queue] vscode-data-grid-row:not([row-type=header])');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), /c0009/);
    assert.match(await page.locator('[data-field=status]').innerText(), /generation 4 of 30/);
    // The evaluation queue: connected workers (busy of their slots) and its depth.
    assert.match(await page.locator('[data-field=queue]').innerText(), /queue: 2 workers \(2\/3 busy\) · 3 waiting · 2 running/);
    assert.match(await page.locator('[data-section=best]').innerText(), /\+41\.7 %/);
    const best = await page.locator('[data-section=best]').innerText();
    assert.match(best, /PSNR-YUV:/, 'the objective names its metric');
    assert.match(best, /PSNR-YUV \(objective\)\s*\+41\.7 %/);
    assert.match(best, /PSNR-U \(guard\)\s*\+48\.9 %/);
    assert.equal(await page.locator('.failure').count(), 3);

    await rows.nth(1).locator('vscode-button[data-action=review]').click();
    await page.locator('vscode-button[data-action=stop]').click();
    const msgs = await posted(page);
    assert.deepEqual(msgs[0], { type: 'ready', view: 'sidebar' });
    assert.deepEqual(
      msgs.find((m) => m.type === 'review'),
      { type: 'review', candidateId: 'c0011' },
    );
    assert.deepEqual(
      msgs.find((m) => m.type === 'command'),
      { type: 'command', command: 'stop' },
    );

    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__csp), [], 'no CSP violation');
    assert.deepEqual((page as unknown as { errors: string[] }).errors, []);
    await page.screenshot({ path: join(shots, 'sidebar-dark.png'), fullPage: true });

    // Hide/show: a fresh page with only the persisted state renders the same queue before the host speaks.
    const saved = await page.evaluate(() => (window as unknown as Win).__state);
    const again = await open('sidebar', { width: 380, height: 900 }, saved);
    assert.equal(await again.locator('vscode-data-grid[data-kind=queue] vscode-data-grid-row:not([row-type=header])').count(), 2);
    await again.close();
    await page.close();
  });

  it('the RD plots draw the objective metric: VMAF from each point, curves without it left out, the axis and tables name it', async () => {
    const state = sampleState();
    const vmafState: ViewState = {
      ...state,
      objective: { metric: 'vmaf', label: 'VMAF' },
      rdMetric: { metric: 'vmaf', label: 'VMAF', axis: 'VMAF' },
      clips: state.clips.map((c) => ({
        ...c,
        // Only the codec's own curve was measured with VMAF (the references' cache predates it).
        curves: c.curves.map((k) =>
          k.kind === 'best' ? { ...k, points: k.points.map((p, i) => ({ ...p, metrics: { ...p.metrics, vmaf: 70 + 5 * i } })) } : k,
        ),
      })),
    };
    const side = await open('sidebar', { width: 380, height: 1250 });
    await send(side, { type: 'state', state: vmafState });
    await side.waitForSelector('[data-chart=rd] canvas');
    assert.equal(await side.locator('[data-chart=rd]').getAttribute('aria-label'), 'RD curves: VMAF against kbit/s');
    const legend = await side.locator('[data-chart=rd] .u-legend').innerText();
    assert.ok(legend.includes('v3'), legend);
    assert.ok(!legend.includes('x264') && !legend.includes('x265'), `reference curves without VMAF are not drawn: ${legend}`);
    assert.ok((await drawnPixels(side, '[data-chart=rd] canvas')) > 300, 'the VMAF curve is drawn');
    const numbers = await side.locator('vscode-data-grid[data-kind=rd-numbers]').innerText();
    assert.match(numbers, /VMAF/);
    assert.match(numbers, /\b80\.00\b/, 'the VMAF value of the third point');
    assert.deepEqual((side as unknown as { errors: string[] }).errors, []);
    await side.close();

    const dash = await open('dashboard', { width: 1100, height: 900 });
    await send(dash, { type: 'state', state: vmafState });
    await dash.waitForSelector('[data-chart=rd] canvas');
    assert.equal(await dash.locator('[data-chart=rd]').first().getAttribute('aria-label'), 'RD curves: VMAF against kbit/s');
    assert.match(await dash.locator('[data-section=plots]').innerText(), /RD curves \(VMAF against kbit\/s\)/i);
    assert.match(await dash.locator('vscode-data-grid[data-kind=clips]').innerText(), /VMAF range[\s\S]*70\.00–90\.00/);
    assert.deepEqual((dash as unknown as { errors: string[] }).errors, []);
    await dash.close();
  });

  it('sidebar: lists the directives, Remove and Add post typed messages, and typing survives new states', async () => {
    const page = await open('sidebar', { width: 380, height: 1400 });
    const state = sampleState();
    await send(page, { type: 'state', state });
    const items = page.locator('[data-section=directives] li.directive');
    await items.first().waitFor();
    assert.equal(await items.count(), 2);
    assert.match(await items.nth(0).innerText(), /d1\s*\[motion-search\] try B-frames next\s*4×/);
    await items.nth(1).locator('vscode-button[data-action=removeDirective]').click();
    const text = page.locator('[data-field=directive-text]');
    await text.fill('prefer larger transforms');
    // A state arrives mid-typing (the loop sends one every half second): the text and focus stay.
    await send(page, { type: 'state', state: { ...state, seq: state.seq + 1, directives: state.directives.slice(0, 1) } });
    await page.waitForFunction(() => document.querySelectorAll('[data-section=directives] li.directive').length === 1);
    assert.equal(await text.inputValue(), 'prefer larger transforms');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.dataset.field), 'directive-text');
    await page.locator('[data-field=directive-block]').fill('transform');
    await page.keyboard.press('Enter');
    await page.locator('vscode-button[data-action=addDirective]').click(); // empty now: posts nothing
    const msgs = await posted(page);
    assert.deepEqual(
      msgs.filter((m) => m.type === 'removeDirective' || m.type === 'addDirective'),
      [
        { type: 'removeDirective', id: 'd2' },
        { type: 'addDirective', text: 'prefer larger transforms', block: 'transform' },
      ],
    );
    assert.equal(await text.inputValue(), '');
    // Restricted Mode: the directives show, but adding and removing wait for trust.
    await send(page, { type: 'state', state: { ...state, seq: state.seq + 2, trusted: false } });
    await page.waitForFunction(() => document.querySelector('vscode-button[data-action=addDirective]')?.hasAttribute('disabled'));
    assert.notEqual(await items.nth(0).locator('vscode-button[data-action=removeDirective]').getAttribute('disabled'), null);
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__csp), [], 'no CSP violation');
    assert.deepEqual((page as unknown as { errors: string[] }).errors, []);
    await page.screenshot({ path: join(shots, 'sidebar-directives.png'), fullPage: true });
    await page.close();
  });

  it('sidebar: Restricted Mode says why and offers no Start', async () => {
    const page = await open('sidebar', { width: 380, height: 500 });
    const state: ViewState = {
      ...sampleState(),
      trusted: false,
      running: false,
      blockedReason: 'Restricted Mode: nothing from a candidate runs until you trust this workspace.',
    };
    await send(page, { type: 'state', state });
    await page.waitForSelector('[data-field=blocked]');
    assert.match(await page.locator('[data-field=blocked]').innerText(), /Restricted Mode/);
    assert.ok(await page.locator('vscode-button[data-action=start]').evaluate((b) => b.hasAttribute('disabled')));
    await page.locator('vscode-button[data-action=start]').click({ force: true });
    assert.equal((await posted(page)).filter((m) => m.type === 'command').length, 0, 'a disabled Start posts nothing');
    await page.close();
  });

  it('dashboard: frame viewer draws original, decoded and heatmap of a real clip frame', async function () {
    if (!existsSync(clip)) this.skip();
    const video = await readY4M(clip, 2);
    const f = video.frames[1];
    // A decoded frame as a coarse codec would return it: luma quantized in steps of 24.
    const decoded = { y: f.y.map((v) => Math.min(255, Math.round(v / 24) * 24)), u: f.u, v: f.v };
    const page = await open('dashboard', { width: 1100, height: 900 });
    await send(page, {
      type: 'state',
      state: { ...sampleState(), clips: [{ ...sampleState().clips[0], clip: 'tree_building_80x44_15f.y4m' }] },
    });
    await page.waitForSelector('canvas[data-canvas=original]');
    const req = (await posted(page)).find((m) => m.type === 'requestFrames') as
      { requestId: number; clip: string; frame: number; subject: unknown } | undefined;
    assert.ok(req, 'the dashboard asks for frames of the first clip');
    assert.equal(req.clip, 'tree_building_80x44_15f.y4m');
    assert.deepEqual(req.subject, { kind: 'best' });
    const planes = (p: { y: Uint8Array; u: Uint8Array; v: Uint8Array }) => ({
      width: video.width,
      height: video.height,
      y: Array.from(p.y),
      u: Array.from(p.u),
      v: Array.from(p.v),
    });
    await page.evaluate(
      ([m]) => {
        const typed = (p: { y: number[]; u: number[]; v: number[]; width: number; height: number }) => ({
          ...p,
          y: new Uint8Array(p.y),
          u: new Uint8Array(p.u),
          v: new Uint8Array(p.v),
        });
        window.postMessage({ ...m, original: typed(m.original), decoded: typed(m.decoded) }, '*');
      },
      [
        {
          type: 'frames',
          requestId: req.requestId,
          clip: req.clip,
          frame: 1,
          frameCount: 15,
          original: planes(f),
          decoded: planes(decoded),
          psnrY: 30.5,
        },
      ] as const,
    );
    await page.waitForFunction(() => (document.querySelector('canvas[data-canvas=error]') as HTMLCanvasElement).width > 1);
    for (const k of ['original', 'decoded', 'error']) {
      const size = await page.locator(`canvas[data-canvas=${k}]`).evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
      assert.deepEqual(size, [video.width, video.height], `${k} canvas has the frame's size`);
    }
    const hot = await page.evaluate(() => {
      const c = document.querySelector('canvas[data-canvas=error]') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(hot > 100, `heatmap shows the quantization error (${hot} non-black pixels)`);
    assert.match(await page.locator('[data-field=frame-status]').innerText(), /PSNR-Y 30\.50 dB/);
    assert.match(await page.locator('[data-section=lineage]').innerText(), /v3/);
    const metrics = await page.locator('[data-section=metrics]').innerText();
    assert.match(metrics, /Every metric \(objective PSNR-YUV\)/i);
    assert.match(metrics, /PSNR-U\s+guard \(±1 pp\)\s+\+48\.9 %\s+\+70\.1 %/);
    assert.match(metrics, /PSNR-YUV\s+objective\s+\+41\.7 %/);
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__csp), [], 'no CSP violation');
    await page.screenshot({ path: join(shots, 'dashboard-dark.png'), fullPage: true });
    await page.close();
  });
});
