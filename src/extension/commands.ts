// The palette commands (category "Codec Evolution"). Each handler is thin: ask the person what is
// needed, call the controller, report the outcome; errors become one notification with a remedy.
import * as vscode from 'vscode';
import { basename, extname } from 'node:path';
import { CancelledError, errorMessage } from '../core/errors';
import { abortSignalOf } from './engine-client';
import type { Controller } from './controller';
import { SECTION } from './settings-sync';
import type { ReviewDocuments } from './review';
import { candidateFromUri } from './review';
import type { CodecValidation } from './validation';
import { secretFor, type ProviderSetting } from './settings';
import type { DashboardPanel } from './webviews';
import { formatBdRate, type ViewCommand } from '../../webview/protocol';
import { pickDescription } from './view-model';
import { withDelayedProgress } from './progress';
import { PROVIDERS } from '../core/llm/registry';
import { parseDirective } from './chat-text';

export interface CommandDeps {
  controller(): Controller;
  review(): ReviewDocuments;
  validation(): CodecValidation;
  dashboard(): DashboardPanel;
  secrets: vscode.SecretStorage;
  log: vscode.LogOutputChannel;
}

type Handler = (...args: unknown[]) => unknown;

const CODEC_LANGS = new Set(['javascript', 'typescript']);

function codecEditor(): vscode.TextEditor {
  const ed = vscode.window.activeTextEditor;
  if (!ed || !CODEC_LANGS.has(ed.document.languageId))
    throw new Error('open a codec file (.js or .ts with encode/decode exports) in the editor first');
  return ed;
}

async function pickCandidate(c: Controller, arg: unknown, verb: string): Promise<string | undefined> {
  const fromUri = candidateFromUri(arg);
  if (fromUri) return fromUri;
  if (typeof arg === 'string') return arg;
  const s = c.state();
  const queue = s.queue;
  if (queue.length === 0) {
    void vscode.window.showInformationMessage('No candidate waits for review.');
    return undefined;
  }
  if (queue.length === 1) return queue[0].id;
  const pick = await vscode.window.showQuickPick(
    queue.map((q) => ({ label: q.id, description: pickDescription(q.bdRate, s), detail: q.hypothesis })),
    { title: `${verb} which candidate?` },
  );
  return pick?.label;
}

export function commandHandlers(
  d: CommandDeps,
): Record<
  ViewCommand | 'validate' | 'evaluate' | 'accept' | 'reject' | 'compareVersions' | 'steer' | 'clearDirective' | 'openCandidate',
  Handler
> {
  const c = () => d.controller();
  return {
    initialize: async () => {
      const ctl = c();
      if (!ctl.root) throw new Error('open a folder first: Codec Evolution keeps its workspace in the folder’s .codec-evolution/');
      // Writing the files takes a moment; the reference curves then run in the engine child with their own progress.
      await withDelayedProgress('Codec Evolution: initializing the workspace', () => ctl.initialize());
      void vscode.window.showInformationMessage(
        'Codec Evolution: workspace initialized (.codec-evolution/ and the seed codec). Run One Generation or Start Evolution next.',
      );
    },
    start: () => {
      const ctl = c();
      // The loop outlives this command: it runs until budgets, Stop, or the window closes.
      ctl.run().catch((e) => {
        if (!(e instanceof CancelledError)) void vscode.window.showErrorMessage(`Codec Evolution: ${errorMessage(e)}`);
      });
    },
    stop: () => c().stop(),
    runGeneration: () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Codec Evolution: one generation', cancellable: true },
        async (_p, token) => {
          const ctl = c();
          token.onCancellationRequested(() => void ctl.stop());
          await ctl.run(1);
        },
      ),
    validate: () => {
      const ed = codecEditor();
      const n = d.validation().validate(ed.document);
      const msg =
        n === 0
          ? `${basename(ed.document.fileName)}: no problems — the validator accepts it.`
          : `${basename(ed.document.fileName)}: ${n} problem(s) — see the Problems panel.`;
      void vscode.window.showInformationMessage(msg);
      if (n) void vscode.commands.executeCommand('workbench.actions.view.problems');
    },
    evaluate: async () => {
      const ed = codecEditor();
      const file = vscode.workspace.asRelativePath(ed.document.uri);
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Codec Evolution: evaluating ${basename(file)}`, cancellable: true },
        (_progress, token) => c().evaluate(file, ed.document.getText(), abortSignalOf(token)!),
      );
      void vscode.window.showInformationMessage(
        `Evaluate ${basename(file)}: ${r.message}${
          r.ok && r.clips[0]
            ? ` · BD-rate ${Object.entries(r.clips[0].bdRate)
                .map(([k, v]) => `vs ${k} ${formatBdRate(v)}`)
                .join(', ')} (+ = more bits than the reference for the same quality)`
            : ''
        }`,
      );
    },
    runBaselines: async () => {
      const summary = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Codec Evolution: running reference encoders', cancellable: true },
        (progress, token) => c().baselines(abortSignalOf(token)!, (message) => progress.report({ message })),
      );
      void vscode.window.showInformationMessage(`Codec Evolution: ${summary}.`);
    },
    reviewNext: async () => {
      const ctl = c();
      await withDelayedProgress('Codec Evolution: opening the next review', async () => {
        await ctl.refresh();
        const next = ctl.state().queue[0];
        if (!next) {
          void vscode.window.showInformationMessage('No candidate waits for review.');
          return;
        }
        await d.review().open(next.id);
      });
    },
    accept: async (arg?: unknown) => {
      const ctl = c();
      ctl.requireDecisionTrust('Accepting');
      const id = await pickCandidate(ctl, arg, 'Accept');
      if (!id) return;
      const v = await withDelayedProgress(`Codec Evolution: adopting ${id}`, async () => {
        const version = await ctl.accept(id);
        await d.review().closeReview(id);
        return version;
      });
      void vscode.window.showInformationMessage(
        `Codec Evolution: ${id} adopted as version ${v.version}${v.gitCommit ? ` (commit ${v.gitCommit.slice(0, 8)})` : ''}.`,
      );
    },
    reject: async (arg?: unknown) => {
      const ctl = c();
      ctl.requireDecisionTrust('Rejecting');
      const id = await pickCandidate(ctl, arg, 'Reject');
      if (!id) return;
      const reason = await vscode.window.showInputBox({
        title: `Reject ${id}`,
        prompt: 'Why? The reason reaches the model in later prompts.',
        placeHolder: 'e.g. the gain comes from dropping chroma detail',
        validateInput: (v) => (v.trim() ? undefined : 'Give a reason: it steers the next candidates'),
      });
      if (reason === undefined) return;
      await withDelayedProgress(`Codec Evolution: rejecting ${id}`, async () => {
        await ctl.reject(id, reason.trim());
        await d.review().closeReview(id);
      });
      void vscode.window.showInformationMessage(`Codec Evolution: ${id} rejected.`);
    },
    compareVersions: async (arg?: unknown) => {
      const versions = c()
        .state()
        .versions.map((v) => v.version);
      if (typeof arg === 'number' && arg > 1) return d.review().compare(arg - 1, arg);
      if (versions.length < 2) {
        void vscode.window.showInformationMessage('Only one version so far: adopt a candidate to have something to compare.');
        return;
      }
      const items = [...versions].reverse().map((v) => ({ label: `v${v}`, v }));
      const b = await vscode.window.showQuickPick(items, { title: 'Compare Versions: newer version' });
      if (!b) return;
      const a = await vscode.window.showQuickPick(
        items.filter((i) => i.v !== b.v),
        { title: `Compare v${b.v} with` },
      );
      if (!a) return;
      await d.review().compare(Math.min(a.v, b.v), Math.max(a.v, b.v));
    },
    openDashboard: async () => {
      d.dashboard().show();
    },
    setApiKey: async () => {
      const current = c().settings.providerSetting();
      const providers = PROVIDERS.filter((p) => 'secret' in p).map((p) => p.kind);
      const pick = await vscode.window.showQuickPick(
        providers.map((p) => ({ label: p, description: p === current ? 'current provider' : undefined })),
        { title: 'Set API Key for' },
      );
      if (!pick) return;
      const slot = secretFor(pick.label as ProviderSetting)!;
      const key = await vscode.window.showInputBox({
        title: `${pick.label} API key`,
        prompt: 'Stored in VS Code SecretStorage only (never in settings or logs). Leave empty to delete.',
        password: true,
        ignoreFocusOut: true,
      });
      if (key === undefined) return;
      if (key.trim()) await d.secrets.store(slot.secret, key.trim());
      else await d.secrets.delete(slot.secret);
      d.log.info(`API key for ${pick.label} ${key.trim() ? 'stored' : 'deleted'}`);
      void vscode.window.showInformationMessage(`Codec Evolution: ${pick.label} API key ${key.trim() ? 'stored' : 'deleted'}.`);
    },
    selectModel: async () => {
      const cfg = vscode.workspace.getConfiguration(SECTION, c().folder?.uri);
      const provider = cfg.get<ProviderSetting>('provider', 'offline');
      const providerPick = await vscode.window.showQuickPick(
        PROVIDERS.map((p) => ({ label: p.kind, description: p.kind === provider ? `current — ${p.label}` : p.label })),
        { title: 'Select Model: provider' },
      );
      if (!providerPick) return;
      const p = providerPick.label as ProviderSetting;
      let model: string | undefined = '';
      if (p === 'vscode-lm') {
        const models = await vscode.lm.selectChatModels({});
        if (models.length === 0)
          throw new Error('VS Code offers no chat model — install and sign in to a chat extension such as GitHub Copilot');
        const m = await vscode.window.showQuickPick(
          models.map((x) => ({ label: `${x.vendor}/${x.family}`, description: x.name, detail: `${x.maxInputTokens} input tokens` })),
          { title: 'Select Model: VS Code chat model' },
        );
        model = m?.label;
      } else if (p === 'anthropic' || p === 'openai-compatible') {
        // Asked of the provider itself (a hard-coded list goes stale); the built-in list is the fallback.
        const key = await d.secrets.get(secretFor(p)!.secret);
        // Loaded on first use: the SDK is not needed to activate the extension.
        const { anthropicModels, openAiCompatibleModels } = await import('../core/llm/models');
        const list = await withDelayedProgress(`Codec Evolution: asking ${p} for its models`, () =>
          p === 'anthropic'
            ? anthropicModels({ apiKey: key, baseUrl: cfg.get<string>('anthropic.baseUrl', '') || undefined })
            : openAiCompatibleModels({ baseUrl: cfg.get<string>('openaiCompatible.baseUrl', 'http://127.0.0.1:11434/v1'), apiKey: key }),
        );
        if (list.note) d.log.info(`Select Model: ${list.note}`);
        const current = cfg.get<string>('model', '');
        const items: vscode.QuickPickItem[] = list.models.map((m, i) => ({
          label: m.id,
          description:
            [m.label, m.id === current ? 'current' : '', p === 'anthropic' && i === 0 && list.source === 'fallback' ? 'default' : '']
              .filter(Boolean)
              .join(' · ') || undefined,
        }));
        const title = `Select Model: ${p} — ${list.source === 'provider' ? `${list.models.length} models listed by the provider` : `built-in list: ${list.note}`}`;
        const m = await vscode.window.showQuickPick([...items, { label: 'Other…', description: 'type a model id' }], { title });
        model = m?.label === 'Other…' ? await vscode.window.showInputBox({ title: `${p} model id`, value: current }) : m?.label;
      }
      if (model === undefined) return;
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await cfg.update('provider', p, target);
      await cfg.update('model', model || undefined, target);
      void vscode.window.showInformationMessage(`Codec Evolution: provider ${p}${model ? `, model ${model}` : ''}.`);
    },
    addClip: async () => {
      const files = await vscode.window.showOpenDialog({
        canSelectMany: false,
        title: 'Add Clip',
        filters: { Video: ['y4m', 'mp4', 'mkv', 'mov', 'webm', 'avi', 'yuv'], 'All files': ['*'] },
      });
      if (!files?.[0]) return;
      const role = await vscode.window.showQuickPick(
        [
          { label: 'training', description: 'the model sees its numbers' },
          { label: 'held-out', description: 'only checked for regressions; never shown to the model' },
        ],
        { title: `Add ${basename(files[0].fsPath)} as` },
      );
      if (!role) return;
      if (extname(files[0].fsPath).toLowerCase() === '.yuv')
        throw new Error('raw .yuv has no size or frame rate — convert it to .y4m (ffmpeg -s WxH -i in.yuv out.y4m)');
      await c().addClip(files[0].fsPath, role.label as 'training' | 'held-out');
      void vscode.window.showInformationMessage(`Codec Evolution: ${basename(files[0].fsPath)} added as a ${role.label} clip.`);
    },
    showLog: () => d.log.show(),
    steer: async (arg?: unknown) => {
      const text =
        typeof arg === 'string'
          ? arg
          : await vscode.window.showInputBox({
              title: 'Steer the search',
              prompt: 'A directive every following prompt quotes until you remove it. Start with "block NAME:" to focus one EVOLVE-BLOCK.',
              placeHolder: 'e.g. try B-frames next',
              ignoreFocusOut: true,
              validateInput: (v) => (v.trim() ? undefined : 'Say what the next candidates should try'),
            });
      if (!text?.trim()) return;
      const { text: t, block } = parseDirective(text);
      const dir = await c().steer(t, block, 'view');
      void vscode.window.showInformationMessage(
        `Codec Evolution: directive ${dir.id} added${dir.block ? ` (block ${dir.block})` : ''}; the next prompts quote it.`,
      );
    },
    clearDirective: async (arg?: unknown) => {
      const ctl = c();
      let id = typeof arg === 'string' ? arg : undefined;
      if (!id) {
        const active = ctl.state().directives;
        if (!active.length) {
          void vscode.window.showInformationMessage('No active directive.');
          return;
        }
        const pick = await vscode.window.showQuickPick(
          active.map((x) => ({
            label: x.id,
            description: x.text,
            detail: `${x.block ? `block ${x.block} · ` : ''}${x.answered} candidate(s) answered`,
          })),
          { title: 'Remove which directive?' },
        );
        id = pick?.label;
      }
      if (!id) return;
      const cleared = await ctl.clearDirective(id);
      void vscode.window.showInformationMessage(
        cleared.length ? `Codec Evolution: directive ${id} removed.` : `Codec Evolution: directive ${id} was already cleared.`,
      );
    },
    /** The review diff of any candidate (links in @codec answers and tool results). */
    openCandidate: async (arg?: unknown) => {
      const id = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
      if (!id) throw new Error('openCandidate needs a candidate id');
      await withDelayedProgress(`Codec Evolution: opening ${id}`, () => d.review().open(id));
    },
  };
}
