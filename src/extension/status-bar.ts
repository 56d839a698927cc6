// The status bar item: generation and the best codec's BD-rate at a glance; a click opens the dashboard.
import * as vscode from 'vscode';
import type { ViewState } from '../../webview/protocol';
import { statusText } from './status-bar-text';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('codecEvolution.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Codec Evolution';
    this.item.command = 'codecEvolution.openDashboard';
  }

  /** Before the first snapshot: say the workspace is there without starting the engine to ask. */
  placeholder(): void {
    this.item.text = '$(pulse) Codec Evolution';
    this.item.tooltip = 'Codec Evolution — click for the dashboard';
    this.item.show();
  }

  update(s: ViewState): void {
    if (!s.initialized) {
      this.item.hide();
      return;
    }
    if (s.loading) {
      this.placeholder();
      return;
    }
    this.item.text = statusText(s);
    this.item.tooltip = `Codec Evolution — ${s.status}\nBD-rate: negative means fewer bits than the reference at equal PSNR-Y.\nClick for the dashboard.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
