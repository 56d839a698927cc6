// VS Code host: activation only registers commands, views and providers (no process, no file read
// beyond one stat); the engine child starts when a command or a view first needs it.
import * as vscode from 'vscode';
import { errorMessage, CancelledError } from '../core/errors';
import { Controller } from './controller';
import { commandHandlers } from './commands';
import { ReviewDocuments } from './review';
import { SCHEME } from './review-uri';
import { CodecValidation } from './validation';
import { StatusBar } from './status-bar';
import { withDelayedProgress } from './progress';
import { DashboardPanel, SidebarView, postToView } from './webviews';
import { registerChatParticipant } from './chat';
import { registerLanguageModelTools } from './lm-tools';
import { isViewCommand, type Handlers, type ViewMessages, type ViewState } from '../../webview/protocol';

let controller: Controller | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const t0 = Date.now();
  const log = vscode.window.createOutputChannel('Codec Evolution', { log: true });
  context.subscriptions.push(log);

  let validation: CodecValidation | undefined;
  const getController = (): Controller => {
    if (!controller) {
      controller = new Controller(context, log, vscode.workspace.workspaceFolders?.[0]);
      controller.onDidChangeState(publish);
    }
    return controller;
  };
  const review = new ReviewDocuments(getController);
  const statusBar = new StatusBar();
  context.subscriptions.push(review, statusBar, { dispose: () => validation?.dispose() });

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', `codecEvolution.${key}`, value);
  const frameRequests = new WeakMap<vscode.Webview, AbortController>();
  const viewHandlers = (webview: vscode.Webview): Handlers<ViewMessages> => ({
    ready: () => {
      publish(getController().state());
      void getController().refresh();
    },
    command: ({ command }) => {
      if (isViewCommand(command)) void vscode.commands.executeCommand(`codecEvolution.${command}`);
    },
    review: ({ candidateId }) =>
      run('review', () => withDelayedProgress(`Codec Evolution: opening the review of ${candidateId}`, () => review.open(candidateId))),
    compare: ({ version }) => void vscode.commands.executeCommand('codecEvolution.compareVersions', version),
    addDirective: ({ text, block }) => run('steer', () => getController().steer(text, block, 'view')),
    removeDirective: ({ id }) => run('clearDirective', () => getController().clearDirective(id)),
    requestFrames: async (req) => {
      // Only the latest frame of a webview matters: the previous request is cancelled once this one is
      // sent, so a decode both need carries on, and one only the old request wanted stops.
      const previous = frameRequests.get(webview);
      const ctl = new AbortController();
      frameRequests.set(webview, ctl);
      try {
        const pending = getController().frames(req.clip, req.frame, req.subject, ctl.signal);
        previous?.abort();
        const f = await pending;
        void postToView(webview, 'frames', {
          requestId: req.requestId,
          clip: req.clip,
          frame: req.frame,
          frameCount: f.frameCount,
          original: f.original,
          decoded: f.decoded,
          psnrY: f.psnrY,
          quality: f.quality,
        });
      } catch (e) {
        if (e instanceof CancelledError) return;
        log.warn(`frame ${req.frame} of ${req.clip}: ${errorMessage(e)}`);
        void postToView(webview, 'framesFailed', { requestId: req.requestId, message: errorMessage(e) });
      }
    },
  });
  const sidebar = new SidebarView(context.extensionUri, viewHandlers, log);
  const dashboard = new DashboardPanel(context.extensionUri, viewHandlers, log);

  function publish(s: ViewState): void {
    setContext('initialized', s.initialized);
    setContext('running', s.running);
    setContext('hasPending', s.queue.length > 0);
    statusBar.update(s);
    sidebar.update(s);
    dashboard.update(s);
  }

  function run(name: string, fn: () => unknown): Promise<void> {
    return Promise.resolve()
      .then(fn)
      .then(
        () => undefined,
        (e) => {
          if (e instanceof CancelledError) {
            log.info(`${name}: cancelled`);
            return;
          }
          const msg = errorMessage(e);
          log.error(`${name}: ${msg}`);
          controller?.setError(e);
          void vscode.window.showErrorMessage(`Codec Evolution: ${msg}`, 'Show Log').then((a) => {
            if (a) log.show();
          });
        },
      );
  }

  const handlers = commandHandlers({
    controller: getController,
    review: () => review,
    dashboard: () => dashboard,
    secrets: context.secrets,
    log,
    validation: () => (validation ??= new CodecValidation(log, context.extensionPath)),
  });
  for (const [name, fn] of Object.entries(handlers)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(`codecEvolution.${name}`, (...args: unknown[]) => run(name, () => fn(...args))),
    );
  }

  registerChatParticipant(context, getController, log);
  registerLanguageModelTools(context, getController, log);

  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider('codecEvolution.sidebar', sidebar),
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, review),
    vscode.languages.registerCodeLensProvider({ scheme: SCHEME }, review),
    vscode.window.onDidChangeActiveTextEditor((ed) =>
      setContext('reviewing', ed?.document.uri.scheme === SCHEME && ed.document.uri.path.startsWith('/candidate/')),
    ),
    // Trust granted: the engine child may now start; it replaces the stored read of Restricted Mode.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (controller) {
        publish(controller.state());
        void controller.refresh();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('codecEvolution') && controller) publish(controller.state());
    }),
    context.secrets.onDidChange((e) => log.info(`secret ${e.key} changed; the next engine start uses it`)),
  );

  // One stat: enough for the when-clauses of the palette, without starting the engine.
  const initialized = getController().initializedOnDisk();
  setContext('initialized', initialized);
  setContext('running', false);
  setContext('hasPending', false);
  if (initialized) statusBar.placeholder();
  log.info(`Codec Evolution activated in ${Date.now() - t0} ms`);
}

/** VS Code awaits this on window close: the loop is stopped and the engine child exits. */
export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  await c?.dispose();
}
