// One workspace folder's evolution as the extension host sees it: the engine child (started on first
// need), the latest snapshot, whether the loop runs, and the ViewState every surface renders.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { addClip } from '../core/store/clips';
import { basename, join } from 'node:path';
import { errorMessage, CancelledError, CodecEvolutionError, type ErrorKind } from '../core/errors';
import { EngineClient, type Logger } from './engine-client';
import {
  buildViewState,
  evaluationView,
  framesView,
  type EngineSnapshot,
  type EvaluationResult,
  type FramesView,
  type ReferenceCurve,
} from './view-model';
import { engineOverrides, secretFor, SECRET_ENV, type EngineOverrides, type ProviderSetting } from './settings';
import type { ViewState, FrameSubject, EvaluationView } from '../../webview/protocol';
import type { CandidateRecord, VersionRecord } from '../core/store/records';
import type { FactsParams, ResultOf, StartParams } from '../engine-host/protocol';
import { listDirectives, type Directive } from '../core/store/directives';
import { factsFor } from '../core/evolution/facts';
import type { WorkspaceConfig } from '../core/store/config';
import { Workspace } from '../core/store/workspace';
import { answerLmRequest } from './lm-bridge';
import { readJsonIfExists } from '../core/store/atomic';
import { withDelayedProgress } from './progress';
import { requireCodecLanguage } from './codec-language';
import type { EngineEventArgs } from '../core/events';
import type { QueueStatus } from '../core/queue/job';

export const SECTION = 'codecEvolution';

export interface CandidateDetail {
  record: CandidateRecord;
  code: string;
  baseCode: string;
  baseVersion: number;
}

function explicitSetting<T>(key: string, scope?: vscode.Uri): T | undefined {
  const i = vscode.workspace.getConfiguration(SECTION, scope).inspect<T>(key);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

export class Controller implements vscode.Disposable {
  private client?: EngineClient;
  private snapshot: EngineSnapshot = { initialized: false, candidates: [], versions: [], referenceCurves: [] };
  private references: ReferenceCurve[] = [];
  private loopRunning = false;
  private runDone?: Promise<void>;
  private loopEnded?: (err?: unknown) => void;
  private runStartedAt?: number;
  private lastRunMinutes = 0;
  private activity?: string;
  private lastError: string | null = null;
  evaluation: EvaluationView | null = null;
  private seq = 0;
  private refreshTimer?: NodeJS.Timeout;
  private baselinesTried = false;
  private baselinesRun?: Promise<string>;
  /** Everyone waiting on the shared reference run hears its progress (the background run and Run Baselines). */
  private readonly baselinesProgress = new Set<(message: string) => void>();
  /** False until the first snapshot of an initialized workspace arrived: the view says "loading", not "nothing". */
  private loaded = false;
  private readonly emitter = new vscode.EventEmitter<ViewState>();
  readonly onDidChangeState = this.emitter.event;

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly folder: vscode.WorkspaceFolder | undefined,
  ) {
    this.snapshot.initialized = this.initializedOnDisk();
    this.references = ctx.workspaceState.get<ReferenceCurve[]>('codecEvolution.references', []);
  }

  get root(): string | undefined {
    return this.folder?.uri.fsPath;
  }
  get running(): boolean {
    return this.loopRunning || !!this.runDone;
  }
  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }
  get currentSnapshot(): EngineSnapshot {
    return this.snapshot;
  }

  /** Cheap (one stat), so activation can set the context key without starting anything. */
  initializedOnDisk(): boolean {
    return !!this.root && existsSync(join(this.root, '.codec-evolution', 'config.json'));
  }

  private workspace(): Workspace {
    if (!this.root) throw new Error('open a folder first — Codec Evolution keeps its workspace in .codec-evolution/ of the folder');
    return new Workspace(this.root);
  }

  overrides(): EngineOverrides {
    const o = engineOverrides((k) => explicitSetting(k, this.folder?.uri));
    // Budgets are run parameters, not part of the workspace record: the settings' defaults apply
    // (30 generations, 60 minutes, $5), so Start never runs unbounded by accident. 0 = no limit.
    const cfg = vscode.workspace.getConfiguration(SECTION, this.folder?.uri);
    const limit = (v: number | undefined) => (v && v > 0 ? v : undefined);
    o.budgets = {
      generations: limit(o.budgets?.generations ?? cfg.get<number>('budget.generations')),
      wallMinutes: limit(o.budgets?.wallMinutes ?? cfg.get<number>('budget.wallMinutes')),
      usd: limit(o.budgets?.usd ?? cfg.get<number>('budget.usd')),
    };
    return o;
  }

  providerSetting(): ProviderSetting {
    return vscode.workspace.getConfiguration(SECTION, this.folder?.uri).get<ProviderSetting>('provider', 'offline');
  }

  state(): ViewState {
    return buildViewState(
      { ...this.snapshot, referenceCurves: this.references },
      {
        seq: ++this.seq,
        trusted: this.trusted,
        hasFolder: !!this.folder,
        running: this.running,
        activity: this.activity,
        loading: this.snapshot.initialized && !this.loaded,
        runMinutes: this.runStartedAt ? (Date.now() - this.runStartedAt) / 60000 : this.lastRunMinutes,
        lastError: this.lastError,
        evaluation: this.evaluation,
        queue: this.running ? this.queueStatus : undefined,
      },
    );
  }

  private emit(): void {
    this.emitter.fire(this.state());
  }

  setError(e: unknown): void {
    this.lastError = e instanceof CancelledError ? null : errorMessage(e);
    this.emit();
  }

  private childEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1', CODEC_EVOLUTION_HOST: 'vscode' };
    // Secrets never sit in a child's environment: the key travels in the 'start' request only.
    for (const k of SECRET_ENV) delete env[k];
    return env;
  }

  private logger(): Logger {
    return {
      info: (m) => this.log.info(m),
      warn: (m) => this.log.warn(m),
      error: (m) => this.log.error(m),
      debug: (m) => this.log.debug(m),
    };
  }

  /** The engine child for this folder, started on first use. */
  private engine(): EngineClient {
    const root = this.workspace().root;
    if (this.client) return this.client;
    this.client = new EngineClient({
      script: this.ctx.asAbsolutePath(join('dist', 'engine-host.js')),
      root,
      env: this.childEnv(),
      log: this.logger(),
      onEvent: (...args) => this.onEngineEvent(...args),
      onLmRequest: (req, signal) =>
        answerLmRequest(
          req,
          vscode.workspace.getConfiguration(SECTION, this.folder?.uri).get<string>('model', ''),
          signal,
          () => undefined,
        ),
      onExit: () => {
        if (this.loopRunning) {
          this.loopRunning = false;
          this.loopEnded?.(new Error('the engine process exited while the loop ran'));
        }
      },
    });
    return this.client;
  }

  /** The evaluation queue's workers and depth, from the engine's latest `queue` event. */
  private queueStatus?: QueueStatus;

  private onEngineEvent(...[type, data]: EngineEventArgs): void {
    this.log.debug(`event ${type} ${JSON.stringify(data).slice(0, 300)}`);
    if (type === 'run-started') {
      this.loopRunning = true;
      this.activity = 'starting';
    } else if (type === 'generation-started') this.activity = `generation ${data.generation}: proposing and evaluating candidates`;
    else if (type === 'evaluation-started') this.activity = `evaluating ${data.id}`;
    else if (type === 'warning') this.log.warn(data.message);
    else if (type === 'queue') this.queueStatus = data;
    else if (type === 'references-progress') {
      this.log.info(`[references] ${data.message}`);
      for (const f of this.baselinesProgress) f(data.message);
      return;
    } else if (type === 'run-stopped') {
      this.loopRunning = false;
      this.log.info(`loop stopped: ${data.reason}`);
      this.loopEnded?.();
    } else if (type === 'candidate-finished' && data.failure?.class === 'provider') this.providerFailed(data.failure.message);
    else if (type === 'candidate-resumed' || type === 'candidate-reproposed') {
      // Stop then Start: say whether the interrupted candidate was resumed or proposed afresh.
      this.log.info(data.message);
      this.activity = data.message;
      void vscode.window.showInformationMessage(`Codec Evolution: ${data.message}`);
    } else if (type === 'loop-error') {
      this.loopRunning = false;
      const err = data.error;
      this.loopEnded?.(new CodecEvolutionError((err.kind ?? 'internal') as ErrorKind, err.message || 'the loop failed', err.remedy));
    }
    // Events arrive in bursts during a generation; one snapshot per half second is plenty.
    if (!this.refreshTimer)
      this.refreshTimer = setTimeout(() => {
        this.refreshTimer = undefined;
        void this.refresh();
      }, 500);
  }

  private providerErrorShown = false;

  /** A model call failed (network, key, model name): the candidate is recorded as 'provider' failed and
   * the loop may go on, so without this the only trace was a count in the view. Log every one, show the
   * first of a run as an error with its real cause. */
  private providerFailed(message: string): void {
    this.log.error(`model call failed: ${message}`);
    this.lastError = `model call failed: ${message}`;
    if (this.providerErrorShown) return;
    this.providerErrorShown = true;
    void vscode.window.showErrorMessage(`Codec Evolution: the model call failed — ${message}`, 'Show Log').then((a) => {
      if (a) this.log.show();
    });
  }

  private readConfig(): WorkspaceConfig | undefined {
    try {
      return this.workspace().readConfig();
    } catch {
      return undefined;
    }
  }

  /** The results stored in .codec-evolution/ (records, versions, the last status), read as JSON on this
   * thread: what Restricted Mode shows, since reading them starts no process and runs no candidate code. */
  private storedSnapshot(): EngineSnapshot {
    const ws = this.workspace();
    const cfg = this.readConfig();
    const status = readJsonIfExists<{
      generation?: number;
      spentUsd?: number;
      stagnation?: string;
      stopReason?: string;
      strategy?: string;
    }>(join(ws.dir, 'status.json')); // the engine's STATUS_FILE
    return {
      initialized: true,
      primaryReference: cfg?.primaryReference,
      references: cfg?.references,
      objective: cfg?.evolution?.objective,
      guards: cfg?.evolution?.guards,
      budgets: this.overrides().budgets,
      status: status
        ? {
            running: false,
            generation: status.generation ?? 0,
            spentUsd: status.spentUsd ?? 0,
            stagnation: status.stagnation,
            stopReason: status.stopReason,
            strategy: status.strategy,
          }
        : undefined,
      candidates: ws.listCandidates(),
      versions: ws.listVersions(),
      referenceCurves: this.references,
      directives: listDirectives(ws),
    };
  }

  /** Pulls a fresh snapshot from the engine; quietly does nothing before the workspace exists. In
   * Restricted Mode the engine child is never started: the stored results are read directly. */
  async refresh(): Promise<void> {
    if (!this.root || !this.initializedOnDisk()) {
      this.snapshot = { ...this.snapshot, initialized: false };
      this.emit();
      return;
    }
    if (!this.trusted) {
      try {
        this.snapshot = this.storedSnapshot();
        this.loaded = true;
      } catch (e) {
        this.lastError = errorMessage(e);
        this.log.error(`reading the stored results: ${this.lastError}`);
      }
      this.emit();
      return;
    }
    try {
      const e = this.engine();
      const [status, history, directives] = await Promise.all([e.call('status', {}), e.call('history', {}), e.call('directives', {})]);
      const cfg = this.readConfig();
      this.snapshot = {
        initialized: true,
        primaryReference: cfg?.primaryReference,
        references: cfg?.references,
        objective: cfg?.evolution?.objective,
        guards: cfg?.evolution?.guards,
        budgets: this.overrides().budgets,
        status: {
          running: status.loopRunning,
          generation: status.generation,
          spentUsd: status.spentUsd,
          stagnation: status.stagnation,
          stopReason: status.stopReason,
          strategy: status.strategy,
        },
        candidates: history.candidates,
        versions: history.versions,
        referenceCurves: this.references,
        directives,
      };
      if (status.loopRunning !== this.loopRunning && !this.runDone) this.loopRunning = status.loopRunning;
      this.loaded = true;
    } catch (e) {
      this.lastError = errorMessage(e);
      this.log.error(`refresh: ${this.lastError}`);
    }
    this.emit();
    // Reference curves for the RD plot: the engine child runs the reference encoders in the background
    // (instant once cached); a notification shows if that takes more than a second.
    if (!this.baselinesTried && this.references.length === 0 && this.snapshot.versions.length && this.trusted && !this.running) {
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
    this.requireTrust(
      `${verb} a candidate`,
      'writes to the workspace, which Restricted Mode does not allow (it shows the stored results only)',
    );
  }

  async initialize(): Promise<void> {
    const r = await this.engine().call('init', {});
    this.log.info(`initialized: ${r.created.join(', ')}`);
    this.applySettingsToConfig();
    await this.refresh();
  }

  /** Explicitly set codecEvolution.* values win over .codec-evolution/config.json; written while no loop runs. */
  applySettingsToConfig(): void {
    const o = this.overrides().config;
    if (!o || this.loopRunning) return;
    const ws = this.workspace();
    const cfg = ws.readConfig();
    const next: WorkspaceConfig = JSON.parse(JSON.stringify(cfg));
    if (o.references) {
      next.references = o.references;
      if (!o.references.includes(next.primaryReference)) next.primaryReference = o.references[0];
    }
    if (o.ffmpegPath) next.ffmpegPath = o.ffmpegPath;
    if (o.limits) next.limits = { ...next.limits, ...o.limits };
    if (o.adoptionPolicy) next.evolution.adoptionPolicy = o.adoptionPolicy;
    if (o.objective) next.evolution.objective = o.objective;
    if (o.guards) next.evolution.guards = o.guards;
    if (o.gitCommit !== undefined) next.evolution.gitCommit = o.gitCommit;
    if (o.promptTokenBudget !== undefined) next.evolution.promptTokenBudget = o.promptTokenBudget;
    if (o.training) next.clips.training = o.training.map((path) => ({ path }));
    if (o.heldOut) next.clips.heldOut = o.heldOut.map((path) => ({ path }));
    if (JSON.stringify(next) !== JSON.stringify(cfg)) {
      ws.writeConfig(next);
      this.log.info('applied codecEvolution.* settings to .codec-evolution/config.json');
    }
  }

  private async startParams(): Promise<Omit<StartParams, 'generations'>> {
    const o = this.overrides();
    const provider = o.provider ?? this.providerSetting();
    const need = secretFor(provider);
    const apiKey = need ? await this.ctx.secrets.get(need.secret) : undefined;
    if (provider === 'anthropic' && !apiKey)
      throw new Error('no Anthropic API key — run Codec Evolution: Set API Key (it is kept in SecretStorage only)');
    const kind = provider === 'vscode-lm' ? 'host' : o.provider ? provider : undefined;
    const p: Omit<StartParams, 'generations'> = {
      budgets: o.budgets,
      concurrency: o.concurrency || undefined,
      apiKey,
      ...(o.queue ? { queue: o.queue } : {}),
    };
    if (kind || o.model || o.baseUrl || o.maxTokens)
      p.provider = {
        ...(kind ? { kind } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
        ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
      } as StartParams['provider'];
    return p;
  }

  /** Runs the loop in the engine child until budgets, `generations`, Stop or deactivate end it. */
  run(generations?: number): Promise<void> {
    this.requireTrust('Evolution');
    if (this.runDone) return this.runDone;
    this.runStartedAt = Date.now();
    this.lastRunMinutes = 0;
    this.lastError = null;
    this.providerErrorShown = false;
    this.activity = generations === 1 ? 'running one generation' : 'starting the loop';
    this.runDone = (async () => {
      try {
        this.applySettingsToConfig();
        const params = await this.startParams();
        this.emit();
        const e = this.engine();
        if (generations === 1) {
          const s = await e.call('runOneGeneration', params);
          this.log.info(`generation done: ${s.stopReason ?? ''}`);
        } else {
          const ended = new Promise<void>((resolve, reject) => {
            this.loopEnded = (err) => (err ? reject(err) : resolve());
          });
          await e.call('start', { ...params, generations });
          await ended;
        }
      } catch (e) {
        if (!(e instanceof CancelledError)) {
          this.lastError = errorMessage(e);
          this.log.error(`loop: ${this.lastError}`);
          throw e;
        }
      } finally {
        this.loopEnded = undefined;
        this.runDone = undefined;
        // The wall-clock budget is per run: freeze the minutes when it ends instead of counting idle time.
        if (this.runStartedAt) this.lastRunMinutes = (Date.now() - this.runStartedAt) / 60000;
        this.runStartedAt = undefined;
        this.loopRunning = false;
        this.activity = undefined;
        await this.refresh();
      }
    })();
    this.emit();
    return this.runDone;
  }

  async stop(): Promise<void> {
    if (!this.client?.alive) return;
    const done = this.runDone;
    const r = await this.client.call('stop', {});
    this.log.info(r.stopped ? 'loop stopped' : 'no loop was running');
    if (done) await done.catch(() => undefined);
  }

  async candidate(id: string): Promise<CandidateDetail> {
    if (!this.trusted) {
      // Viewing a diff reads two files: no engine child in Restricted Mode.
      const ws = this.workspace();
      const v = ws.latestVersion();
      return {
        record: ws.readCandidate(id),
        code: ws.readCandidateFile(id, 'code.js') ?? '',
        baseCode: v ? ws.versionCode(v.version) : '',
        baseVersion: v?.version ?? 0,
      };
    }
    const r = await this.engine().call('reviewShow', { id });
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
    const r = await this.engine().call('accept', { id });
    if (r.gitNote) this.log.info(`git: ${r.gitNote}`);
    await this.refresh();
    return r.version;
  }

  async reject(id: string, reason: string): Promise<void> {
    this.requireDecisionTrust('Rejecting');
    await this.engine().call('reject', { id, reason });
    await this.refresh();
  }

  /** Adds a directive: a JSON file in the workspace (no candidate runs), still a write Restricted Mode withholds. */
  async steer(text: string, block: string | undefined, by: Directive['by']): Promise<Directive> {
    this.requireTrust(
      'Adding a directive',
      'writes to the workspace, which Restricted Mode does not allow (it shows the stored results only)',
    );
    const d = await this.engine().call('steer', { text, block, by });
    await this.refresh();
    return d;
  }

  async clearDirective(id?: string): Promise<Directive[]> {
    this.requireTrust(
      'Removing a directive',
      'writes to the workspace, which Restricted Mode does not allow (it shows the stored results only)',
    );
    const cleared = await this.engine().call('clearDirective', { id });
    await this.refresh();
    return cleared;
  }

  /** Facts from the records for chat and tools. In Restricted Mode they are read here (JSON files only,
   * as the stored snapshot is): the engine child is never started there. */
  async facts(p: FactsParams): Promise<ResultOf<'facts'>> {
    if (this.trusted) return this.engine().call('facts', p);
    return factsFor(this.workspace(), p);
  }

  /** A question for the workspace's own provider (anthropic / openai-compatible) with its key from SecretStorage. */
  async ask(question: string, signal?: AbortSignal): Promise<ResultOf<'ask'>> {
    this.requireTrust('Asking the configured provider', 'starts the engine process, which Restricted Mode does not');
    const provider = this.overrides().provider ?? this.providerSetting();
    const need = secretFor(provider);
    const apiKey = need ? await this.ctx.secrets.get(need.secret) : undefined;
    return this.engine().call('ask', { question, apiKey }, signal);
  }

  async evaluate(file: string, source: string, signal: AbortSignal): Promise<EvaluationView> {
    this.requireTrust('Evaluation');
    requireCodecLanguage(file, this.ctx.extensionPath);
    this.applySettingsToConfig();
    // Cancel sends `cancel` for this request: the engine kills the evaluation's sandbox children and
    // answers 'cancelled'; the engine process itself (and a loop in it) carries on.
    const r = await this.engine().call('evaluate', { source, filename: basename(file) }, signal);
    const result: EvaluationResult = r.ok ? { ok: true, clips: r.clips as never } : { ok: false, failure: r.failure as never };
    this.evaluation = evaluationView(
      file,
      result,
      this.references,
      this.snapshot.references ?? [this.snapshot.primaryReference ?? 'x264'],
      undefined,
      this.snapshot.objective,
    );
    this.emit();
    return this.evaluation;
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
      const r = await this.engine().call('references', {}, signal);
      this.references = r.clips.flatMap((c) => c.curves.map((k) => ({ clip: c.clip, codec: k.codec, points: k.points })));
      this.log.info(`reference curves: ${this.references.map((c) => `${c.clip} ${c.codec}`).join(', ')} in ${Date.now() - t0} ms`);
      await this.ctx.workspaceState.update('codecEvolution.references', this.references);
      this.emit();
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

  /** Copies the clip into .codec-evolution/clips (the workspace stands alone) and lists it in the config. */
  async addClip(path: string, role: 'training' | 'held-out'): Promise<void> {
    if (this.loopRunning) throw new Error('stop the loop before changing its clips');
    addClip(this.workspace(), path, role);
    this.references = [];
    this.baselinesTried = false;
    await this.refresh();
  }

  /** Frame N of a clip decoded by the best version or a candidate: the engine child runs the codec in
   * its sandbox and keeps the decoded clip, so scrubbing is cheap. */
  async frames(clip: string, frame: number, subject: FrameSubject, signal?: AbortSignal): Promise<FramesView> {
    this.requireTrust('Decoding a frame');
    return framesView(await this.engine().call('frames', { clip, frame, subject: subject.kind === 'best' ? 'best' : subject.id }, signal));
  }

  async dispose(): Promise<void> {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    try {
      if (this.running && this.client?.alive) await Promise.race([this.client.call('stop', {}), new Promise((r) => setTimeout(r, 4000))]);
    } catch {
      /* exiting anyway */
    }
    await this.client?.dispose();
    this.emitter.dispose();
  }
}
