// The VS Code workbench as a person sees it in Chromium: palette, notifications, views, screenshots.
// Selectors are VS Code's own DOM classes (stable across releases for years: quick-input-widget,
// monaco-list-row, notification-toast, activitybar action-item).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';

// Numbered across pages, so a run's screenshots sort in the order they were taken.
let shot = 0;

export class Workbench {
  constructor(
    readonly page: Page,
    private readonly shotsDir: string,
  ) {
    mkdirSync(shotsDir, { recursive: true });
  }

  /** Opens a folder and waits until the workbench, its explorer and the remote extension host are up. */
  async open(serverUrl: string, folder: string): Promise<void> {
    await this.page.goto(`${serverUrl}/?folder=${encodeURIComponent(folder)}`, { timeout: 90_000 });
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await this.page.locator('.part.activitybar, .part.sidebar .composite-bar').first().waitFor({ state: 'visible', timeout: 60_000 });
  }

  /** Runs a command by its palette title ("Codec Evolution: Run One Generation"), as a person would.
   * `asks`: the command opens an input box or quick pick in the same widget, so it never hides. */
  async runCommand(title: string, opts: { asks?: boolean } = {}): Promise<void> {
    const input = await this.openPalette();
    await input.fill(`>${title}`);
    const row = this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: title }) })
      .first();
    try {
      await row.waitFor({ state: 'visible', timeout: 20_000 });
    } catch {
      const shown = await this.paletteRows();
      await this.page.keyboard.press('Escape');
      throw new Error(`"${title}" is not in the command palette; it shows: ${JSON.stringify(shown.slice(0, 10))}`);
    }
    await row.click();
    if (!opts.asks)
      await this.page
        .locator('.quick-input-widget')
        .waitFor({ state: 'hidden', timeout: 10_000 })
        .catch(() => undefined);
  }

  async openPalette() {
    const widget = this.page.locator('.quick-input-widget');
    if (!(await widget.isVisible())) {
      // Focus the workbench first: F1 typed into a webview iframe never reaches the palette.
      await this.page
        .locator('.part.statusbar')
        .click({ position: { x: 2, y: 2 } })
        .catch(() => undefined);
      await this.page.keyboard.press('F1');
    }
    await widget.waitFor({ state: 'visible', timeout: 20_000 });
    return widget.locator('.quick-input-box input');
  }

  /**
   * Types a filter into the palette until the listed commands satisfy `ok` (the remote extension
   * host registers contributions a few seconds after the workbench shows), then returns them.
   */
  async paletteUntil(filter: string, ok: (rows: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      const input = await this.openPalette();
      await input.fill(`>${filter}`);
      await this.page.waitForTimeout(400);
      rows = await this.paletteRows();
      if (ok(rows)) return rows;
      await input.fill('>');
      await this.page.waitForTimeout(600);
    }
    return rows;
  }

  async paletteRows(): Promise<string[]> {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts();
  }

  async closePalette(): Promise<void> {
    if (await this.page.locator('.quick-input-widget').isVisible()) await this.page.keyboard.press('Escape');
  }

  /** Texts of the notification toasts on screen now. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** Waits for a toast whose text matches; fails listing the toasts that did appear. */
  async waitForNotification(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await this.notifications();
      const hit = seen.find((t) => pattern.test(t));
      if (hit) return hit;
      await this.page.waitForTimeout(500);
    }
    throw new Error(`no notification matching ${pattern} within ${timeoutMs} ms; on screen: ${JSON.stringify(seen)}`);
  }

  /** Error toasts on screen now (VS Code marks them with the error codicon). */
  async errors(): Promise<string[]> {
    return this.page
      .locator('.notification-toast:has(.notification-list-item-icon.codicon-error) .notification-list-item-message')
      .allInnerTexts();
  }

  /**
   * Waits while a progress toast whose text matches is on screen (it may appear a moment after
   * the command), failing on the first error toast or at the deadline.
   */
  async waitForProgressToEnd(pattern: RegExp, timeoutMs: number, appearMs = 15_000): Promise<number> {
    const t0 = Date.now();
    let seen = false;
    while (Date.now() - t0 < timeoutMs) {
      const errors = await this.errors();
      if (errors.length) throw new Error(`error notification: ${errors.join(' | ')}`);
      const showing = (await this.notifications()).some((t) => pattern.test(t));
      if (showing) seen = true;
      else if (seen || Date.now() - t0 > appearMs) return Date.now() - t0;
      await this.page.waitForTimeout(500);
    }
    throw new Error(`${pattern} still in progress after ${timeoutMs} ms; on screen: ${JSON.stringify(await this.notifications())}`);
  }

  /** Waits until `done()` holds (an event on disk, say), failing on the first error toast or at the deadline. */
  async waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<number> {
    const t0 = Date.now();
    while (!done()) {
      const errors = await this.errors();
      if (errors.length) throw new Error(`error notification while waiting for ${what}: ${errors.join(' | ')}`);
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`${what}: not after ${timeoutMs} ms; on screen: ${JSON.stringify(await this.notifications())}`);
      await this.page.waitForTimeout(500);
    }
    return Date.now() - t0;
  }

  async clearNotifications(): Promise<void> {
    // A toast's close button shows only while the toast is hovered; a plain click on a hidden one
    // waits out Playwright's 30 s default, which once made Initialize and Reject look 30 s slow.
    for (const toast of await this.page.locator('.notification-toast').all()) {
      await toast.hover({ timeout: 2000 }).catch(() => undefined);
      await toast
        .locator('.codicon-notifications-clear, .codicon-close')
        .first()
        .click({ timeout: 2000 })
        .catch(() => undefined);
    }
  }

  /** Clicks a view container in the activity bar by its title. */
  async openViewContainer(title: string): Promise<void> {
    const item = this.page
      .locator(`.part.activitybar .action-item a[aria-label^="${title}"], .composite-bar .action-item a[aria-label^="${title}"]`)
      .first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    const expanded = await item
      .locator('xpath=..')
      .getAttribute('aria-expanded')
      .catch(() => null);
    if (expanded !== 'true') await item.click();
    await this.page
      .locator('.part.sidebar .composite.title')
      .filter({ hasText: new RegExp(title, 'i') })
      .waitFor({ state: 'visible', timeout: 30_000 });
  }

  /**
   * The content frame of an extension's webview. VS Code hosts webviews in iframes laid over the
   * workbench, outside the part that shows them, so they are found by extension and purpose:
   * 'view' for a side-bar webview view, 'panel' for an editor-area webview panel.
   */
  webview(extensionId: string, kind: 'view' | 'panel'): FrameLocator {
    const purpose = kind === 'view' ? '[src*="purpose=webviewView"]' : ':not([src*="purpose=webviewView"])';
    return this.page
      .frameLocator(`iframe.webview[src*="extensionId=${extensionId}"]${purpose}`)
      .first()
      .frameLocator('iframe#active-frame');
  }

  async screenshot(name: string): Promise<string> {
    const file = join(this.shotsDir, `${String(++shot).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
