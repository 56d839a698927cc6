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

/** The part both views share: the shell, the message handler, and the last ViewState — posted while the
 * webview is visible, and again when it shows after being hidden (states sent while hidden are dropped).
 * No retainContextWhenHidden: the webview restores from getState() (webview/host.ts) and asks for fresh
 * state on 'ready'. */
abstract class StateView {
  private last?: ViewState;
  private shown?: { webview: vscode.Webview; visible(): boolean };
  constructor(
    protected readonly extensionUri: vscode.Uri,
    private readonly handlers: (webview: vscode.Webview) => Handlers<ViewMessages>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  protected mount(
    view: 'sidebar' | 'dashboard',
    webview: vscode.Webview,
    visible: () => boolean,
    onDidChangeVisibility: vscode.Event<unknown>,
    onDidDispose: vscode.Event<void>,
    disposed?: () => void,
  ): void {
    configureWebview(webview, this.extensionUri, view);
    const shown = { webview, visible };
    this.shown = shown;
    const sub = listen(webview, this.handlers(webview), this.log);
    const vis = onDidChangeVisibility(() => {
      if (visible() && this.last) void postToView(webview, 'state', { state: this.last });
    });
    onDidDispose(() => {
      sub.dispose();
      vis.dispose();
      if (this.shown === shown) this.shown = undefined;
      disposed?.();
    });
  }

  update(state: ViewState): void {
    this.last = state;
    if (this.shown?.visible()) void postToView(this.shown.webview, 'state', { state });
  }
}

export class SidebarView extends StateView implements vscode.WebviewViewProvider {
  resolveWebviewView(view: vscode.WebviewView): void {
    this.mount('sidebar', view.webview, () => view.visible, view.onDidChangeVisibility, view.onDidDispose);
  }
}

export class DashboardPanel extends StateView {
  private panel?: vscode.WebviewPanel;

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
    this.mount(
      'dashboard',
      panel.webview,
      () => panel.visible,
      panel.onDidChangeViewState,
      panel.onDidDispose,
      () => (this.panel = undefined),
    );
  }
}
