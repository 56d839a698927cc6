// The two webviews (sidebar view and dashboard panel) share one bundle, one HTML shell and one
// message handler; only `view` differs. State crosses as typed messages from webview/protocol.ts.
import * as vscode from 'vscode';
import { dispatch, message, type HostMessages, type Handlers, type ViewMessages, type ViewState } from '../../webview/protocol';
import { webviewHtml } from './webview-html';

function configureWebview(webview: vscode.Webview, extensionUri: vscode.Uri, view: 'sidebar' | 'dashboard'): void {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
  webview.html = webviewHtml({
    view,
    cspSource: webview.cspSource,
    title: view === 'sidebar' ? 'Codec Evolution' : 'Codec Evolution Dashboard',
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
    styleUris: [
      webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview.css')).toString(),
    ],
  });
}

export function postToView<K extends keyof HostMessages>(webview: vscode.Webview, type: K, payload: HostMessages[K]): Thenable<boolean> {
  return webview.postMessage(message<HostMessages, K>(type, payload));
}

function listen(webview: vscode.Webview, handlers: Handlers<ViewMessages>, log: vscode.LogOutputChannel): vscode.Disposable {
  return webview.onDidReceiveMessage((m) => {
    if (!dispatch(handlers, m)) log.warn(`webview sent an unknown message: ${JSON.stringify(m).slice(0, 200)}`);
  });
}

export class SidebarView implements vscode.WebviewViewProvider {
  private view?: vscode.WebviewView;
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: (webview: vscode.Webview) => Handlers<ViewMessages>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    // No retainContextWhenHidden: the webview restores from getState() and asks for fresh state on 'ready'.
    configureWebview(view.webview, this.extensionUri, 'sidebar');
    const sub = listen(view.webview, this.handlers(view.webview), this.log);
    // States sent while hidden are dropped; the latest one goes out when the view shows again.
    const vis = view.onDidChangeVisibility(() => {
      if (view.visible && this.last) void postToView(view.webview, 'state', { state: this.last });
    });
    view.onDidDispose(() => {
      sub.dispose();
      vis.dispose();
      this.view = undefined;
    });
  }

  private last?: ViewState;

  update(state: ViewState): void {
    this.last = state;
    if (this.view?.visible) void postToView(this.view.webview, 'state', { state });
  }
}

export class DashboardPanel {
  private panel?: vscode.WebviewPanel;
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: (webview: vscode.Webview) => Handlers<ViewMessages>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('codecEvolution.dashboard', 'Codec Evolution', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    this.panel = panel;
    configureWebview(panel.webview, this.extensionUri, 'dashboard');
    const sub = listen(panel.webview, this.handlers(panel.webview), this.log);
    const vis = panel.onDidChangeViewState(() => {
      if (panel.visible && this.last) void postToView(panel.webview, 'state', { state: this.last });
    });
    panel.onDidDispose(() => {
      sub.dispose();
      vis.dispose();
      this.panel = undefined;
    });
  }

  private last?: ViewState;

  update(state: ViewState): void {
    this.last = state;
    if (this.panel?.visible) void postToView(this.panel.webview, 'state', { state });
  }
}
