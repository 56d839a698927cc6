// One workspace folder's evolution as the commands, views, chat and tools see it: a facade over the
// engine session (engine-session.ts), the settings (settings-sync.ts) and the view state (view-state.ts).
// What it adds: the trust checks, the engine or — in Restricted Mode — the stored files (snapshot.ts),
// a refresh after bursts of events, and one shared run of the reference encoders.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errorMessage, CancelledError } from '../core/errors';
import { evaluationView, framesView, type EngineSnapshot, type EvaluationResult, type FramesView } from './view-model';
import type { ViewState, FrameSubject, EvaluationView } from '../../webview/protocol';
import type { VersionRecord } from '../core/store/records';
import type { FactsParams, ResultOf } from '../engine-host/protocol';
import type { Directive } from '../core/store/directives';
import { factsFor } from '../core/evolution/facts';
import type { ClipRole } from '../core/store/clips';
import { Workspace } from '../core/store/workspace';
import { answerLmRequest } from './lm-bridge';
import { withDelayedProgress } from './progress';
import { requireCodecLanguage } from './codec-language';
import type { EngineEventArgs } from '../core/events';
import { EngineSession } from './engine-session';
import { SettingsSync } from './settings-sync';
import { ViewStateStore } from './view-state';
import { engineSnapshot, storedCandidate, storedSnapshot, type CandidateDetail } from './snapshot';

const WRITE_WHY = 'writes to the workspace, which Restricted Mode does not allow (it shows the stored results only)';

export class Controller implements vscode.Disposable {
  readonly settings: SettingsSync;
  private readonly view: ViewStateStore;
  private readonly session: EngineSession;
  private refreshTimer?: NodeJS.Timeout;
  private baselinesTried = false;
  private baselinesRun?: Promise<string>;
  /** Everyone waiting on the shared reference run hears its progress (the background run and Run Baselines). */
  private readonly baselinesProgress = new Set<(message: string) => void>();
  private providerErrorShown = false;
  readonly onDidChangeState: vscode.Event<ViewState>;

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly folder: vscode.WorkspaceFolder | undefined,
  ) {
    this.settings = new SettingsSync(folder, ctx.secrets, log);
    this.session = new EngineSession({
      extensionPath: ctx.extensionPath,
      root: () => this.workspace().root,
      log,
      onEvent: (...args) => this.onEngineEvent(...args),
      onLmRequest: (req, signal) => answerLmRequest(req, this.settings.lmModel(), signal, () => undefined),
    });
    this.view = new ViewStateStore(ctx.workspaceState, {
      hasFolder: !!folder,
      trusted: () => this.trusted,
      running: () => this.running,
    });
    this.onDidChangeState = this.view.onDidChange;
    this.view.snapshot.initialized = this.initializedOnDisk();
  }

  get root(): string | undefined {
    return this.folder?.uri.fsPath;
  }
  get running(): boolean {
    return this.session.running;
  }
  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }
  get currentSnapshot(): EngineSnapshot {
    return this.view.snapshot;
  }

  /** Cheap (one stat), so activation can set the context key without starting anything. */
  initializedOnDisk(): boolean {
    return !!this.root && existsSync(join(this.root, '.codec-evolution', 'config.json'));
  }

  private workspace(): Workspace {
    if (!this.root) throw new Error('open a folder first — Codec Evolution keeps its workspace in .codec-evolution/ of the folder');
    return new Workspace(this.root);
  }

  state(): ViewState {
    return this.view.state();
  }

  setError(e: unknown): void {
    this.view.setError(e);
  }

  private onEngineEvent(...args: EngineEventArgs): void {
    const [type, data] = args;
    this.log.debug(`event ${type} ${JSON.stringify(data).slice(0, 300)}`);
    this.view.onEngineEvent(...args);
    if (type === 'warning') this.log.warn(data.message);
    else if (type === 'references-progress') {
      this.log.info(`[references] ${data.message}`);
      for (const f of this.baselinesProgress) f(data.message);
      return;
    } else if (type === 'candidate-finished' && data.failure?.class === 'provider') this.providerFailed(data.failure.message);
    else if (type === 'candidate-resumed' || type === 'candidate-reproposed') {
      // Stop then Start: say whether the interrupted candidate was resumed or proposed afresh.
      this.log.info(data.message);
      void vscode.window.showInformationMessage(`Codec Evolution: ${data.message}`);
    }
    // Events arrive in bursts during a generation; one snapshot per half second is plenty.
    if (!this.refreshTimer)
      this.refreshTimer = setTimeout(() => {
        this.refreshTimer = undefined;
        void this.refresh();
      }, 500);
  }

  /** A model call failed (network, key, model name): the candidate is recorded as 'provider' failed and
   * the loop may go on, so without this the only trace was a count in the view. Log every one, show the
   * first of a run as an error with its real cause. */
  private providerFailed(message: string): void {
    this.log.error(`model call failed: ${message}`);
    this.view.lastError = `model call failed: ${message}`;
    if (this.providerErrorShown) return;
    this.providerErrorShown = true;
    void vscode.window.showErrorMessage(`Codec Evolution: the model call failed — ${message}`, 'Show Log').then((a) => {
      if (a) this.log.show();
    });
  }

  private hostParts() {
    return { budgets: this.settings.overrides().budgets, referenceCurves: this.view.references };
  }

  /** Pulls a fresh snapshot from the engine; quietly does nothing before the workspace exists. In
   * Restricted Mode the engine child is never started: the stored results are read directly. */
  async refresh(): Promise<void> {
    const view = this.view;
    if (!this.root || !this.initializedOnDisk()) {
      view.snapshot = { ...view.snapshot, initialized: false };
      view.emit();
      return;
    }
    if (!this.trusted) {
      try {
        view.snapshot = storedSnapshot(this.workspace(), this.hostParts());
        view.loaded = true;
      } catch (e) {
        view.lastError = errorMessage(e);
        this.log.error(`reading the stored results: ${view.lastError}`);
      }
      view.emit();
      return;
    }
    try {
      const s = this.session;
      const [status, history, directives] = await Promise.all([s.call('status', {}), s.call('history', {}), s.call('directives', {})]);
      view.snapshot = engineSnapshot(this.workspace(), status, history, directives, this.hostParts());
      s.observeLoop(status.loopRunning);
      view.loaded = true;
    } catch (e) {
      view.lastError = errorMessage(e);
      this.log.error(`refresh: ${view.lastError}`);
    }
    view.emit();
    // Reference curves for the RD plot: the engine child runs the reference encoders in the background
    // (instant once cached); a notification shows if that takes more than a second.
    if (!this.baselinesTried && view.references.length === 0 && view.snapshot.versions.length && this.trusted && !this.running) {
      this.baselinesTried = true;
      void withDelayedProgress('Codec Evolution: reference curves for the RD plot', (report, signal) => this.baselines(signal, report), {
        cancellable: true,
      }).catch((e) => {
        if (!(e instanceof CancelledError)) this.log.warn(`reference curves: ${errorMessage(e)}`);
      });
    }
  }

  requireTrust(what: string, why = 'runs candidate code or encoders, which Restricted Mode forbids'): void {
    if (!this.trusted) throw new Error(`${what} ${why} — trust this workspace (Workspaces: Manage Workspace Trust) to continue`);
  }

  /** Deciding writes the workspace (and Accept commits with the repository's git, whose hooks are the
   * workspace's code): Restricted Mode shows the stored results only. */
  requireDecisionTrust(verb: 'Accepting' | 'Rejecting'): void {
    this.requireTrust(`${verb} a candidate`, WRITE_WHY);
  }

  async initialize(): Promise<void> {
    const r = await this.session.call('init', {});
    this.log.info(`initialized: ${r.created.join(', ')}`);
    await this.applySettingsToConfig();
    await this.refresh();
  }

  /** Explicitly set codecEvolution.* values win over .codec-evolution/config.json; the engine writes them
   * while no loop runs. */
  applySettingsToConfig(): Promise<void> {
    return this.settings.applyToConfig((p) => this.session.call('applyConfig', p), this.session.loopActive);
  }

  /** Runs the loop in the engine child until budgets, `generations`, Stop or deactivate end it. */
  run(generations?: number): Promise<void> {
    this.requireTrust('Evolution');
    const current = this.session.currentRun;
    if (current) return current;
    this.view.runStarting(generations === 1 ? 'running one generation' : 'starting the loop');
    this.providerErrorShown = false;
    const done = this.session.run(generations, {
      prepare: async () => {
        await this.applySettingsToConfig();
        const params = await this.settings.startParams();
        this.view.emit();
        return params;
      },
      failed: (e) => {
        this.view.lastError = errorMessage(e);
        this.log.error(`loop: ${this.view.lastError}`);
      },
      ended: async () => {
        this.view.runEnded();
        await this.refresh();
      },
    });
    this.view.emit();
    return done;
  }

  stop(): Promise<void> {
    return this.session.stop();
  }

  async candidate(id: string): Promise<CandidateDetail> {
    // Viewing a diff reads two files: no engine child in Restricted Mode.
    if (!this.trusted) return storedCandidate(this.workspace(), id);
    const r = await this.session.call('reviewShow', { id });
    return { record: r.candidate, code: r.code, baseCode: r.baseCode, baseVersion: r.baseVersion };
  }

  /** Version code is a plain file the engine wrote atomically; reading it needs no engine. */
  version(n: number): { record: VersionRecord | undefined; code: string } {
    const ws = this.workspace();
    return { record: ws.listVersions().find((v) => v.version === n), code: ws.versionCode(n) };
  }

  async accept(id: string): Promise<VersionRecord> {
    // Adopting writes the codec file and commits with the repository's git (whose hooks are the
    // workspace's code): a trusted-workspace act, like Reject, which writes the record.
    this.requireDecisionTrust('Accepting');
    const r = await this.session.call('accept', { id });
    if (r.gitNote) this.log.info(`git: ${r.gitNote}`);
    await this.refresh();
    return r.version;
  }

  async reject(id: string, reason: string): Promise<void> {
    this.requireDecisionTrust('Rejecting');
    await this.session.call('reject', { id, reason });
    await this.refresh();
  }

  /** Adds a directive: a JSON file in the workspace (no candidate runs), still a write Restricted Mode withholds. */
  async steer(text: string, block: string | undefined, by: Directive['by']): Promise<Directive> {
    this.requireTrust('Adding a directive', WRITE_WHY);
    const d = await this.session.call('steer', { text, block, by });
    await this.refresh();
    return d;
  }

  async clearDirective(id?: string): Promise<Directive[]> {
    this.requireTrust('Removing a directive', WRITE_WHY);
    const cleared = await this.session.call('clearDirective', { id });
    await this.refresh();
    return cleared;
  }

  /** Facts from the records for chat and tools. In Restricted Mode they are read here (JSON files only,
   * as the stored snapshot is): the engine child is never started there. */
  async facts(p: FactsParams): Promise<ResultOf<'facts'>> {
    if (this.trusted) return this.session.call('facts', p);
    return factsFor(this.workspace(), p);
  }

  /** A question for the workspace's own provider (anthropic / openai-compatible) with its key from SecretStorage. */
  async ask(question: string, signal?: AbortSignal): Promise<ResultOf<'ask'>> {
    this.requireTrust('Asking the configured provider', 'starts the engine process, which Restricted Mode does not');
    const apiKey = await this.settings.apiKey();
    return this.session.call('ask', { question, apiKey }, signal);
  }

  async evaluate(file: string, source: string, signal: AbortSignal): Promise<EvaluationView> {
    this.requireTrust('Evaluation');
    requireCodecLanguage(file, this.ctx.extensionPath);
    // The settings reach the config only while no loop runs (here or in another process): an evaluation
    // meanwhile runs on the config as it is.
    await this.applySettingsToConfig().catch((e) => this.log.warn(`settings not applied to the config: ${errorMessage(e)}`));
    // Cancel sends `cancel` for this request: the engine kills the evaluation's sandbox children and
    // answers 'cancelled'; the engine process itself (and a loop in it) carries on.
    const r = await this.session.call('evaluate', { source, filename: basename(file) }, signal);
    const result: EvaluationResult = r.ok ? { ok: true, clips: r.clips as never } : { ok: false, failure: r.failure as never };
    const snap = this.view.snapshot;
    const view = evaluationView(
      file,
      result,
      this.view.references,
      snap.references ?? [snap.primaryReference ?? 'x264'],
      undefined,
      snap.objective,
    );
    this.view.evaluation = view;
    this.view.emit();
    return view;
  }

  /** The reference encoders on the training clips, run by the engine child (cached in the workspace's
   * baseline cache), so the RD plot has the x264/x265/AV1 curves. One run at a time; a second caller
   * shares it (and its progress; the first caller's signal cancels it). Requests a person makes meanwhile
   * are answered at once: the child serves them concurrently. */
  baselines(signal?: AbortSignal, onProgress?: (message: string) => void): Promise<string> {
    this.requireTrust('Running the reference encoders');
    if (onProgress) this.baselinesProgress.add(onProgress);
    if (this.baselinesRun) return this.baselinesRun;
    const t0 = Date.now();
    this.baselinesRun = (async () => {
      const r = await this.session.call('references', {}, signal);
      const refs = r.clips.flatMap((c) => c.curves.map((k) => ({ clip: c.clip, codec: k.codec, points: k.points })));
      this.log.info(`reference curves: ${refs.map((c) => `${c.clip} ${c.codec}`).join(', ')} in ${Date.now() - t0} ms`);
      await this.view.setReferences(refs);
      this.view.emit();
      // What a person sees after Run Baselines, cached or not (a cached run used to end in silence).
      const encodes = r.clips.reduce((n, c) => n + (c.encodes ?? 0), 0);
      const skipped = [...new Set(r.clips.flatMap((c) => (c.skipped ?? []).map((s) => `${s.codec} skipped (${s.reason})`)))];
      const codecs = [...new Set(r.clips.flatMap((c) => c.curves.map((k) => k.codec)))];
      return (
        `reference curves ${codecs.join(', ') || 'none'} for ${r.clips.map((c) => c.clip).join(', ')}: ${encodes === 0 ? 'all from the cache' : `${encodes} encodes in ${((Date.now() - t0) / 1000).toFixed(1)} s`}` +
        (skipped.length ? `; ${skipped.join('; ')}` : '')
      );
    })().finally(() => {
      this.baselinesRun = undefined;
      this.baselinesProgress.clear();
    });
    return this.baselinesRun;
  }

  /** The engine copies the clip into .codec-evolution/clips (the workspace stands alone) and lists it in
   * the config; it refuses while a loop runs. */
  async addClip(path: string, role: ClipRole): Promise<void> {
    this.requireTrust('Adding a clip', WRITE_WHY);
    if (this.session.loopActive) throw new Error('stop the loop before changing its clips');
    await this.session.call('addClip', { path, role });
    this.view.forgetReferences();
    this.baselinesTried = false;
    await this.refresh();
  }

  /** Frame N of a clip decoded by the best version or a candidate: the engine child runs the codec in
   * its sandbox and keeps the decoded clip, so scrubbing is cheap. */
  async frames(clip: string, frame: number, subject: FrameSubject, signal?: AbortSignal): Promise<FramesView> {
    this.requireTrust('Decoding a frame');
    return framesView(await this.session.call('frames', { clip, frame, subject: subject.kind === 'best' ? 'best' : subject.id }, signal));
  }

  async dispose(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    await this.session.dispose();
    this.view.dispose();
  }
}
