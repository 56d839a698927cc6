// What every surface (side bar, dashboard, status bar, context keys) renders for one workspace folder:
// the last snapshot, the reference curves (kept in workspaceState), the activity line, the last error,
// the last evaluation and the run's minutes; `state()` builds the ViewState and `emit()` sends it.
import * as vscode from 'vscode';
import { errorMessage, CancelledError } from '../core/errors';
import { buildViewState, type EngineSnapshot, type ReferenceCurve } from './view-model';
import type { ViewState, EvaluationView } from '../../webview/protocol';
import type { EngineEventArgs } from '../core/events';
import type { QueueStatus } from '../core/queue/job';

const REFERENCES_KEY = 'codecEvolution.references';

/** What the store asks of its owner when it builds a state. */
export interface ViewStateContext {
  hasFolder: boolean;
  trusted(): boolean;
  running(): boolean;
}

export class ViewStateStore implements vscode.Disposable {
  snapshot: EngineSnapshot = { initialized: false, candidates: [], versions: [], referenceCurves: [] };
  private refs: ReferenceCurve[];
  activity?: string;
  lastError: string | null = null;
  evaluation: EvaluationView | null = null;
  /** False until the first snapshot of an initialized workspace arrived: the view says "loading", not "nothing". */
  loaded = false;
  /** The evaluation queue's workers and depth, from the engine's latest `queue` event. */
  private queueStatus?: QueueStatus;
  private runStartedAt?: number;
  private lastRunMinutes = 0;
  private seq = 0;
  private readonly emitter = new vscode.EventEmitter<ViewState>();
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly ctx: ViewStateContext,
  ) {
    this.refs = memento.get<ReferenceCurve[]>(REFERENCES_KEY, []);
  }

  /** The reference encoders' RD curves (the plot's x264/x265/AV1 lines), kept across sessions. */
  get references(): ReferenceCurve[] {
    return this.refs;
  }
  async setReferences(refs: ReferenceCurve[]): Promise<void> {
    this.refs = refs;
    await this.memento.update(REFERENCES_KEY, refs);
  }
  /** The clips changed: the curves are for other clips (forgotten here; the workspaceState copy is replaced on the next run). */
  forgetReferences(): void {
    this.refs = [];
  }

  state(): ViewState {
    const running = this.ctx.running();
    return buildViewState(
      { ...this.snapshot, referenceCurves: this.refs },
      {
        seq: ++this.seq,
        trusted: this.ctx.trusted(),
        hasFolder: this.ctx.hasFolder,
        running,
        activity: this.activity,
        loading: this.snapshot.initialized && !this.loaded,
        runMinutes: this.runStartedAt ? (Date.now() - this.runStartedAt) / 60000 : this.lastRunMinutes,
        lastError: this.lastError,
        evaluation: this.evaluation,
        queue: running ? this.queueStatus : undefined,
      },
    );
  }

  emit(): void {
    this.emitter.fire(this.state());
  }

  setError(e: unknown): void {
    this.lastError = e instanceof CancelledError ? null : errorMessage(e);
    this.emit();
  }

  runStarting(activity: string): void {
    this.runStartedAt = Date.now();
    this.lastRunMinutes = 0;
    this.lastError = null;
    this.activity = activity;
  }

  /** The wall-clock budget is per run: freeze the minutes when it ends instead of counting idle time. */
  runEnded(): void {
    if (this.runStartedAt) this.lastRunMinutes = (Date.now() - this.runStartedAt) / 60000;
    this.runStartedAt = undefined;
    this.activity = undefined;
  }

  /** What an engine event changes in the view (the activity line, the queue); the caller emits. */
  onEngineEvent(...[type, data]: EngineEventArgs): void {
    if (type === 'run-started') this.activity = 'starting';
    else if (type === 'generation-started') this.activity = `generation ${data.generation}: proposing and evaluating candidates`;
    else if (type === 'evaluation-started') this.activity = `evaluating ${data.id}`;
    else if (type === 'queue') this.queueStatus = data;
    else if (type === 'candidate-resumed' || type === 'candidate-reproposed') this.activity = data.message;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
