// The one catalogue of messages between the extension host and its webviews (sidebar and dashboard).
// Both sides import it; a message is `{ type, ...payload }` and each side handles it through a
// `Handlers` object that the compiler checks for completeness — no string switch spread over files.

export type ReferenceName = 'x264' | 'x265' | 'av1' | string;

/** One metric of the host's registry (src/core/metrics/registry.ts), as the views label it. */
export interface MetricView {
  id: string;
  label: string;
  unit: string;
  decimals: number;
}

export interface RdMetricView {
  metric: string;
  label: string;
  axis: string;
}

export interface RdPointView {
  quality?: number;
  kbps: number;
  /** PSNR-Y (the tables; the RD plots draw rdMetric from `metrics`). */
  psnrY: number;
  ssimY?: number;
  /** Every metric the point was measured with, by registry id. */
  metrics?: Record<string, number>;
  bytes?: number;
  encodeMs?: number;
  decodeMs?: number;
}

export interface CurveView {
  label: string;
  kind: 'best' | 'candidate' | 'reference';
  points: RdPointView[];
}

export interface ClipView {
  clip: string;
  role: 'training' | 'held-out';
  /** The objective's BD-rate in percent per reference (negative: fewer bits than the reference at equal quality). */
  bdRate: Record<ReferenceName, number | null>;
  /** Every metric's BD-rate: bdRates[metric][reference]. */
  bdRates: Record<string, Record<ReferenceName, number | null>>;
  curves: CurveView[];
}

export interface QueueItemView {
  id: string;
  generation: number;
  hypothesis: string;
  bdRate: number | null;
  parentBdRate: number | null;
  /** The guards' checks against the adopted version (BD-rate pp; positive = worse). */
  guards: GuardView[];
  /** The person's directives its prompt quoted. */
  directiveIds?: string[];
}

export interface GuardView {
  metric: string;
  label: string;
  change: number | null;
  tolerancePercent: number;
  ok: boolean;
}

export interface VersionView {
  version: number;
  candidateId: string | null;
  parentVersion: number | null;
  bdRate: number | null;
  heldOutBdRate: number | null;
  time: string;
  message: string;
}

export interface GenerationPoint {
  generation: number;
  /** Best training BD-rate of the generation's evaluated candidates. */
  candidate: number | null;
  /** The adopted best after the generation. */
  best: number | null;
}

export interface FailureCount {
  class: string;
  count: number;
  example?: string;
}

export interface BudgetView {
  generations: { used: number; limit: number | null };
  usd: { used: number; limit: number | null };
  minutes: { used: number; limit: number | null };
}

export interface ViewState {
  /** Increases with every state the host sends, so a stale state restored from getState loses. */
  seq: number;
  trusted: boolean;
  /** Why nothing runs (Restricted Mode, no folder…); shown in the view. */
  blockedReason: string | null;
  initialized: boolean;
  /** The workspace exists but its stored results have not arrived yet: "loading", not "nothing". */
  loading: boolean;
  running: boolean;
  status: string;
  generation: number;
  budget: BudgetView;
  primaryReference: ReferenceName;
  /** The metrics the host measures (its registry). */
  metrics: MetricView[];
  /** The metric whose BD-rate is the training score. */
  objective: { metric: string; label: string };
  /** What the RD plots draw against kbit/s: the objective's values (RdPointView.metrics[metric]), its
   * label and the vertical axis's title ("PSNR-YUV (dB)"). */
  rdMetric: RdMetricView;
  /** Metrics that must not regress beyond their tolerance (BD-rate pp) for a candidate to be queued. */
  guards: Array<{ metric: string; label: string; tolerancePercent: number }>;
  /** bdRate: the objective per reference; bdRates: every metric against the primary reference. */
  best: {
    version: number;
    candidateId: string | null;
    bdRate: Record<ReferenceName, number | null>;
    bdRates: Record<string, number | null>;
  } | null;
  clips: ClipView[];
  history: GenerationPoint[];
  queue: QueueItemView[];
  versions: VersionView[];
  failures: FailureCount[];
  /** Candidate ids the frame viewer can show besides the best version. */
  candidates: Array<{ id: string; label: string }>;
  lastError: string | null;
  /** The latest Evaluate Codec result, shown until the next one. */
  evaluation: EvaluationView | null;
  /** The person's active directives, quoted in every prompt until removed. */
  directives: DirectiveView[];
  /** The evaluation queue while a loop sends its evaluations to workers; null when it runs locally. */
  workers: QueueView | null;
}

export interface QueueView {
  /** The queue's URL without its password. */
  url: string;
  connected: boolean;
  workers: Array<{ name: string; busy: number; concurrency: number }>;
  waiting: number;
  active: number;
}

export interface DirectiveView {
  id: string;
  text: string;
  block: string | null;
  /** Candidates whose prompt quoted it. */
  answered: number;
}

export interface EvaluationView {
  file: string;
  time: string;
  ok: boolean;
  /** The failure (class: message at line:col) or a one-line summary. */
  message: string;
  clips: ClipView[];
}

/** One 8-bit 4:2:0 frame as planes; the webview converts to RGBA for a canvas. */
export interface PlanesView {
  width: number;
  height: number;
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
}

export type FrameSubject = { kind: 'best' } | { kind: 'candidate'; id: string };

export interface FrameRequest {
  requestId: number;
  clip: string;
  frame: number;
  subject: FrameSubject;
}

/** Commands the webview may ask the host to run (ids of the contributed commands, without prefix). */
export const VIEW_COMMANDS = [
  'initialize',
  'start',
  'stop',
  'runGeneration',
  'runBaselines',
  'openDashboard',
  'reviewNext',
  'setApiKey',
  'selectModel',
  'addClip',
  'showLog',
] as const;
export type ViewCommand = (typeof VIEW_COMMANDS)[number];

/** host → webview */
export interface HostMessages {
  state: { state: ViewState };
  frames: {
    requestId: number;
    clip: string;
    frame: number;
    frameCount: number;
    original: PlanesView;
    decoded: PlanesView;
    psnrY: number;
    /** The codec's quality setting the frames were encoded at. */
    quality?: number;
  };
  framesFailed: { requestId: number; message: string };
}

/** webview → host */
export interface ViewMessages {
  ready: { view: 'sidebar' | 'dashboard' };
  command: { command: ViewCommand };
  review: { candidateId: string };
  compare: { version: number };
  requestFrames: FrameRequest;
  /** A directive typed into the view's Directives section. */
  addDirective: { text: string; block?: string };
  removeDirective: { id: string };
}

export type MessageOf<M> = { [K in keyof M]: { type: K } & M[K] }[keyof M];
export type HostMessage = MessageOf<HostMessages>;
export type ViewMessage = MessageOf<ViewMessages>;
export type Handlers<M> = { [K in keyof M]: (payload: { type: K } & M[K]) => void | Promise<void> };

/** Runs the handler for `msg`; false (and nothing runs) when it is not a known message of the catalogue. */
export function dispatch<M>(handlers: Handlers<M>, msg: unknown): boolean {
  if (!msg || typeof msg !== 'object') return false;
  const type = (msg as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(handlers, type)) return false;
  void (handlers as Record<string, (m: unknown) => unknown>)[type](msg);
  return true;
}

/** Builds a typed message; `message('review', { candidateId })`. */
export function message<M, K extends keyof M>(type: K, payload: M[K]): { type: K } & M[K] {
  return { type, ...payload };
}

export function isViewCommand(s: unknown): s is ViewCommand {
  return typeof s === 'string' && (VIEW_COMMANDS as readonly string[]).includes(s);
}

export function emptyState(): ViewState {
  return {
    seq: 0,
    trusted: true,
    blockedReason: null,
    initialized: false,
    loading: true,
    running: false,
    status: 'Loading…',
    generation: 0,
    budget: { generations: { used: 0, limit: null }, usd: { used: 0, limit: null }, minutes: { used: 0, limit: null } },
    primaryReference: 'x264',
    metrics: [],
    objective: { metric: 'psnrYuv', label: 'PSNR-YUV' },
    rdMetric: { metric: 'psnrYuv', label: 'PSNR-YUV', axis: 'PSNR-YUV (dB)' },
    guards: [],
    best: null,
    clips: [],
    history: [],
    queue: [],
    versions: [],
    failures: [],
    candidates: [],
    lastError: null,
    evaluation: null,
    directives: [],
    workers: null,
  };
}

// One way to write a BD-rate, everywhere (the CLI imports it from here too): always with its sign, and
// with a one-line meaning, because "+14 %" alone reads like a gain.
/** "+14.0 %", "−3.2 %", "0.0 %"; "—" when there is no number. */
export function formatBdRate(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = Math.abs(v).toFixed(digits);
  if (Number(s) === 0) return `${s} %`;
  return `${v < 0 ? '−' : '+'}${s} %`;
}

/** One line that says what the sign means, with the number when there is one (`metric`: the quality
 * measure the BD-rate was taken over, e.g. the objective's "PSNR-YUV"). */
export function bdRateMeaning(reference: string, v?: number | null, metric?: string): string {
  const quality = `the same quality${metric ? ` (${metric})` : ''}`;
  if (v === null || v === undefined || !Number.isFinite(v)) {
    return `BD-rate vs ${reference}: + = more bits than ${reference} for ${quality}, − = fewer bits (better)`;
  }
  const n = Math.abs(v).toFixed(1);
  if (Number(n) === 0) return `${formatBdRate(v)} = as many bits as ${reference} for ${quality}`;
  return `${formatBdRate(v)} = ${n} % ${v > 0 ? 'more' : 'fewer'} bits than ${reference} for ${quality}`;
}
