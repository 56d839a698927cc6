// VS Code host: activation only wires commands and views; nothing heavy runs here.
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Codec Evolution', { log: true });
  context.subscriptions.push(log);
  log.info('Codec Evolution activated');
}

export function deactivate(): void {}
