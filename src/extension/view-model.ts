// Turns what the engine reports (records, status, reference curves) into the one ViewState both
// webviews render. Pure: no vscode, no I/O, so it is unit-tested with plain records.
import type { CandidateRecord, ClipScore, VersionRecord } from '../core/store/records';
import { readRdPoint, type RdPoint } from '../core/metrics/rd';
import {
  DEFAULT_GUARDS,
  DEFAULT_OBJECTIVE,
  METRIC_IDS,
  METRICS,
  metricLabel,
  type BdRateTable,
  type Guard,
  type MetricId,
} from '../core/metrics/registry';
import type { FramesResult } from '../engine-host/protocol';
import type {
  ClipView,
  CurveView,
  EvaluationView,
  FailureCount,
  GenerationPoint,
  GuardView,
  PlanesView,
  RdMetricView,
  RdPointView,
  ViewState,
} from '../../webview/protocol';
import { emptyState, formatBdRate } from '../../webview/protocol';
import type { DirectiveView } from '../../webview/protocol';
import type { Directive } from '../core/store/directives';
import type { QueueStatus } from '../core/queue/job';

export interface ReferenceCurve {
  clip: string;
  codec: string;
  points: RdPoint[];
}

/** Everything the engine child reports about a workspace in one answer. */
export interface EngineSnapshot {
  initialized: boolean;
  primaryReference?: string;
  references?: string[];
  objective?: MetricId;
  guards?: Guard[];
  budgets?: { generations?: number; wallMinutes?: number; usd?: number };
  status?: { running?: boolean; generation: number; spentUsd: number; stagnation?: string; stopReason?: string; strategy?: string };
  candidates: CandidateRecord[];
  versions: VersionRecord[];
  referenceCurves: ReferenceCurve[];
  /** Every directive, active and cleared (store/directives.ts). */
  directives?: Directive[];
}

export interface HostFacts {
  seq: number;
  trusted: boolean;
  hasFolder: boolean;
  /** The loop runs in our child right now (the engine's own flag may lag a crash). */
  running: boolean;
  /** The workspace exists but no snapshot of it has arrived yet. */
  loading?: boolean;
  /** What the loop is doing, from the latest progress event. */
  activity?: string;
  runMinutes: number;
  lastError: string | null;
  evaluation?: EvaluationView | null;
  /** The evaluation queue while a loop uses one (workers, depth). */
  queue?: QueueStatus;
}

/** What Evaluate Codec gets back from the engine (the sandbox's Evaluation). */
export type EvaluationResult =
  | { ok: true; clips: Array<{ clip: string; points: RdPoint[]; bdRate: BdRateTable }>; summary?: unknown }
  | { ok: false; failure: { class: string; message: string; line?: number; column?: number } };

const base = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** How clips are matched across sources: the engine names a clip by its file name without the
 * extension, the baseline CLI and the config by path. */
export interface FramesView {
  frameCount: number;
  original: PlanesView;
  decoded: PlanesView;
  psnrY: number;
  quality: number;
}

/** The engine's frames as the webview takes them. Standalone copies: planes that crossed the IPC
 * channel can be views into the whole message, and the webview channel serializes a view's whole
 * underlying memory wrongly (the canvases came out black). */
export function framesView(f: FramesResult): FramesView {
  const own = (a: Uint8Array): Uint8Array => {
    const c = new Uint8Array(a.length);
    c.set(a);
    return c;
  };
  const planes = (p: FramesResult['original']): PlanesView => ({ width: f.width, height: f.height, y: own(p.y), u: own(p.u), v: own(p.v) });
  return { frameCount: f.frameCount, original: planes(f.original), decoded: planes(f.decoded), psnrY: f.psnrY, quality: f.quality };
}

function clipKey(p: string): string {
  return base(p).replace(/\.(y4m|yuv|mp4|mkv|mov|webm|avi)$/i, '');
}

function mean(values: Array<number | undefined>): number | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** A point as the webview takes it; `raw` may be a point stored before the metric registry. */
function pointView(raw: RdPoint): RdPointView {
  const p = readRdPoint(raw);
  const metrics: Record<string, number> = {};
  for (const m of METRIC_IDS) if (p.metrics[m] !== undefined) metrics[m] = p.metrics[m]!;
  return {
    quality: p.quality,
    kbps: p.kbps,
    psnrY: metrics.psnrY ?? NaN,
    ssimY: metrics.ssimY,
    metrics,
    bytes: p.bytes,
    encodeMs: p.encodeMs,
    decodeMs: p.decodeMs,
  };
}

function points(score: ClipScore): RdPointView[] {
  return score.points.map(pointView);
}

/** bdRates[metric][reference] for every metric the score has and every reference named. */
function bdRateViews(table: BdRateTable, referenceNames: string[]): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const m of METRIC_IDS) {
    const byRef = table[m];
    if (!byRef) continue;
    out[m] = {};
    for (const r of new Set([...referenceNames, ...Object.keys(byRef)])) out[m][r] = byRef[r] ?? null;
  }
  return out;
}

/** The candidate whose numbers stand for version `v`: its own candidate, or for the seed version the root record. */
function candidateOfVersion(v: VersionRecord, candidates: CandidateRecord[]): CandidateRecord | undefined {
  if (v.candidateId) return candidates.find((c) => c.id === v.candidateId);
  return candidates.find((c) => c.parentId === null && c.metrics?.training?.length);
}

function clipViews(
  best: CandidateRecord | undefined,
  label: string,
  refs: ReferenceCurve[],
  referenceNames: string[],
  objective: MetricId = DEFAULT_OBJECTIVE,
): ClipView[] {
  const scores: Array<[ClipScore, ClipView['role']]> = [
    ...(best?.metrics?.training ?? []).map((s) => [s, 'training'] as [ClipScore, ClipView['role']]),
    ...(best?.metrics?.heldOut ?? []).map((s) => [s, 'held-out'] as [ClipScore, ClipView['role']]),
  ];
  const clips = scores.map(([s, role]): ClipView => {
    const curves: CurveView[] = [{ label, kind: 'best', points: points(s) }];
    const ran = refs.filter((r) => clipKey(r.clip) === clipKey(s.clip));
    for (const r of ran) curves.push({ label: r.codec, kind: 'reference', points: r.points.map(pointView) });
    // A reference the baselines have not run (yet, or cannot: Restricted Mode) still has the points the
    // evaluation stored with the record, measured on the same frames.
    for (const [codec, pts] of Object.entries(s.references ?? {})) {
      if (pts.length && !ran.some((r) => r.codec === codec)) curves.push({ label: codec, kind: 'reference', points: pts.map(pointView) });
    }
    const bdRates = bdRateViews(s.bdRate, referenceNames);
    const bdRate: Record<string, number | null> = {};
    for (const name of new Set([...referenceNames, ...Object.keys(s.bdRate[objective] ?? {})]))
      bdRate[name] = s.bdRate[objective]?.[name] ?? null;
    return { clip: clipKey(s.clip), role, bdRate, bdRates, curves };
  });
  // Before any version has numbers, the reference curves alone still make a plot (after Run Baselines).
  if (clips.length === 0) {
    for (const clip of [...new Set(refs.map((r) => clipKey(r.clip)))]) {
      clips.push({
        clip,
        role: 'training',
        bdRate: {},
        bdRates: {},
        curves: refs
          .filter((r) => clipKey(r.clip) === clip)
          .map((r) => ({ label: r.codec, kind: 'reference' as const, points: r.points.map(pointView) })),
      });
    }
  }
  return clips;
}

/** Per generation: the best training BD-rate any candidate reached, and the adopted best after it. */
export function generationHistory(candidates: CandidateRecord[], versions: VersionRecord[]): GenerationPoint[] {
  const gens = [...new Set(candidates.map((c) => c.generation))].sort((a, b) => a - b);
  const adoptedAt = versions
    .map((v) => ({ v, gen: v.candidateId ? (candidates.find((c) => c.id === v.candidateId)?.generation ?? 0) : 0 }))
    .sort((a, b) => a.gen - b.gen || a.v.version - b.v.version);
  return gens.map((g) => {
    const scores = candidates.filter((c) => c.generation === g).map((c) => c.metrics?.trainingBdRate);
    const evaluated = scores.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    const adopted = adoptedAt.filter((a) => a.gen <= g).pop();
    const bestBd = adopted
      ? (adopted.v.trainingBdRate ?? candidateOfVersion(adopted.v, candidates)?.metrics?.trainingBdRate ?? null)
      : null;
    return { generation: g, candidate: evaluated.length ? Math.min(...evaluated) : null, best: bestBd };
  });
}

export function evaluationView(
  file: string,
  r: EvaluationResult,
  refs: ReferenceCurve[],
  referenceNames: string[],
  time = new Date().toISOString(),
  objective: MetricId = DEFAULT_OBJECTIVE,
): EvaluationView {
  if (!r.ok) {
    const at = r.failure.line ? `${file}:${r.failure.line}${r.failure.column ? `:${r.failure.column}` : ''}: ` : '';
    return { file, time, ok: false, message: `${r.failure.class}: ${at}${r.failure.message}`, clips: [] };
  }
  const fake: CandidateRecord['metrics'] = {
    training: r.clips.map((c) => ({ clip: c.clip, bdRate: c.bdRate, points: c.points })),
    smokeOk: true,
    encodeMs: 0,
    decodeMs: 0,
    evaluationMs: 0,
  };
  const clips = clipViews({ metrics: fake } as CandidateRecord, file, refs, referenceNames, objective).map((c) => ({
    ...c,
    curves: c.curves.map((k) => (k.kind === 'best' ? { ...k, kind: 'candidate' as const } : k)),
  }));
  const pts = r.clips.reduce((n, c) => n + c.points.length, 0);
  return { file, time, ok: true, message: `ran on ${r.clips.length} clip(s), ${pts} RD point(s)`, clips };
}

/** What the RD plots draw: the objective, its axis titled with its unit ("PSNR-YUV (dB)", "VMAF"). */
function rdMetricView(m: MetricId): RdMetricView {
  const { label, unit } = METRICS[m];
  return { metric: m, label, axis: unit === 'dB' ? `${label} (dB)` : label };
}

/** The first candidate waiting for review, drawn beside the best so the decision has its picture. */
function withCandidateCurve(clips: ClipView[], c: CandidateRecord | undefined): ClipView[] {
  if (!c?.metrics) return clips;
  return clips.map((clip) => {
    const score = [...c.metrics!.training, ...(c.metrics!.heldOut ?? [])].find((x) => clipKey(x.clip) === clip.clip);
    return score
      ? { ...clip, curves: [clip.curves[0], { label: c.id, kind: 'candidate' as const, points: points(score) }, ...clip.curves.slice(1)] }
      : clip;
  });
}

/** The active directives, each with how many candidates' prompts quoted it. */
export function directiveViews(directives: Directive[] | undefined, candidates: CandidateRecord[]): DirectiveView[] {
  return (directives ?? [])
    .filter((d) => !d.clearedAt)
    .map((d) => ({
      id: d.id,
      text: d.text,
      block: d.block ?? null,
      answered: candidates.filter((c) => c.directiveIds?.includes(d.id)).length,
    }));
}

export function failureCounts(candidates: CandidateRecord[]): FailureCount[] {
  const by = new Map<string, FailureCount>();
  for (const c of candidates) {
    if (!c.failure) continue;
    const f = by.get(c.failure.class) ?? { class: c.failure.class, count: 0, example: c.failure.message };
    f.count++;
    by.set(c.failure.class, f);
  }
  return [...by.values()].sort((a, b) => b.count - a.count || a.class.localeCompare(b.class));
}

function statusLine(s: EngineSnapshot, h: HostFacts, queue: number): string {
  if (!h.hasFolder) return 'Open a folder to evolve a codec in it.';
  if (!s.initialized) return 'This folder has no .codec-evolution/ yet: run Initialize Workspace.';
  if (h.loading) return 'loading the stored results…';
  const st = s.status;
  const parts: string[] = [];
  if (h.running) parts.push(h.activity ?? `running generation ${(st?.generation ?? 0) + 1}`);
  else parts.push(st?.stopReason ? `stopped: ${st.stopReason}` : 'idle');
  if (st?.stagnation) parts.push(st.stagnation);
  if (queue) parts.push(`${queue} candidate${queue === 1 ? '' : 's'} waiting for review`);
  return parts.join(' · ');
}

export function buildViewState(s: EngineSnapshot, h: HostFacts): ViewState {
  const v = emptyState();
  const primary = s.primaryReference ?? 'x264';
  const refNames = s.references ?? [primary];
  const latest = [...s.versions].sort((a, b) => b.version - a.version)[0];
  const bestRec = latest ? candidateOfVersion(latest, s.candidates) : undefined;
  const queue = s.candidates
    .filter((c) => c.state === 'pending-review')
    .sort((a, b) => (a.metrics?.trainingBdRate ?? Infinity) - (b.metrics?.trainingBdRate ?? Infinity));
  // The engine's status counts the generation it is on (or would start next); when idle, the last
  // completed one is what a person means by "generation".
  const completed = s.candidates.reduce((m, c) => Math.max(m, c.generation), 0);
  const generation = h.running ? (s.status?.generation ?? completed) : completed;
  const objective = s.objective ?? DEFAULT_OBJECTIVE;
  const guards = s.guards ?? DEFAULT_GUARDS;
  const bdRate: Record<string, number | null> = {};
  for (const r of refNames) bdRate[r] = mean((bestRec?.metrics?.training ?? []).map((c) => c.bdRate[objective]?.[r]));
  if (latest && bdRate[primary] === null && latest.trainingBdRate !== undefined && (latest.objective ?? 'psnrY') === objective)
    bdRate[primary] = latest.trainingBdRate;
  const bdRates: Record<string, number | null> = {};
  for (const m of METRIC_IDS) {
    const v = mean((bestRec?.metrics?.training ?? []).map((c) => c.bdRate[m]?.[primary]));
    if (v !== null) bdRates[m] = v;
  }
  return {
    ...v,
    seq: h.seq,
    trusted: h.trusted,
    blockedReason: !h.trusted
      ? 'Restricted Mode: nothing from a candidate codec runs here (no evolution, evaluation or baselines) until you trust this workspace. Validation and results still work.'
      : !h.hasFolder
        ? 'Open a folder first: the workspace folder is where candidates, versions and the event log are kept.'
        : null,
    initialized: s.initialized,
    loading: !!h.loading,
    running: h.running,
    status: statusLine(s, h, queue.length),
    generation,
    budget: {
      generations: { used: completed, limit: s.budgets?.generations || null },
      usd: { used: s.status?.spentUsd ?? 0, limit: s.budgets?.usd || null },
      minutes: { used: h.runMinutes, limit: s.budgets?.wallMinutes || null },
    },
    primaryReference: primary,
    metrics: METRIC_IDS.map((m) => ({ id: m, label: METRICS[m].label, unit: METRICS[m].unit, decimals: METRICS[m].decimals })),
    objective: { metric: objective, label: metricLabel(objective) },
    rdMetric: rdMetricView(objective),
    guards: guards.map((g) => ({ metric: g.metric, label: metricLabel(g.metric), tolerancePercent: g.tolerancePercent })),
    best: latest ? { version: latest.version, candidateId: latest.candidateId, bdRate, bdRates } : null,
    clips: withCandidateCurve(clipViews(bestRec, latest ? `v${latest.version}` : 'best', s.referenceCurves, refNames, objective), queue[0]),
    history: generationHistory(s.candidates, s.versions),
    queue: queue.map((c) => ({
      id: c.id,
      generation: c.generation,
      hypothesis: c.hypothesis,
      bdRate: c.metrics?.trainingBdRate ?? null,
      parentBdRate: c.parentBdRate ?? null,
      ...(c.directiveIds?.length ? { directiveIds: c.directiveIds } : {}),
      guards: (c.verdict?.guards ?? []).map((g): GuardView => ({
        metric: g.metric,
        label: metricLabel(g.metric),
        change: g.change ?? null,
        tolerancePercent: g.tolerancePercent,
        ok: g.ok,
      })),
    })),
    versions: [...s.versions]
      .sort((a, b) => a.version - b.version)
      .map((x) => ({
        version: x.version,
        candidateId: x.candidateId,
        parentVersion: x.parentVersion,
        bdRate: x.trainingBdRate ?? candidateOfVersion(x, s.candidates)?.metrics?.trainingBdRate ?? null,
        heldOutBdRate: x.heldOutBdRate ?? null,
        time: x.time,
        message: x.message,
      })),
    failures: failureCounts(s.candidates),
    candidates: s.candidates
      .filter((c) => c.state === 'pending-review' || c.state === 'adopted' || c.state === 'evaluated')
      .slice(-30)
      .map((c) => ({ id: c.id, label: `${c.id} (${c.state})` })),
    lastError: h.lastError,
    evaluation: h.evaluation ?? null,
    workers: h.queue
      ? {
          url: h.queue.url,
          connected: h.queue.connected,
          workers: h.queue.workers.map((w) => ({ name: `${w.host}/${w.id}`, busy: w.busy, concurrency: w.concurrency })),
          waiting: h.queue.waiting,
          active: h.queue.active,
        }
      : null,
    directives: directiveViews(s.directives, s.candidates),
  };
}

/** What accepting would change: the candidate against the adopted version it would replace (not
 * against its parent, which may be an older or a never-adopted program). */
export function pickDescription(bdRate: number | null, s: Pick<ViewState, 'best' | 'primaryReference'>): string {
  const ref = s.primaryReference;
  const adopted = s.best ? (s.best.bdRate[ref] ?? null) : null;
  const vs = s.best ? `; adopted v${s.best.version} ${formatBdRate(adopted)}` : '';
  const gain =
    bdRate !== null && adopted !== null ? ` (${bdRate - adopted <= 0 ? '−' : '+'}${Math.abs(bdRate - adopted).toFixed(1)} pts)` : '';
  return `BD-rate vs ${ref} ${formatBdRate(bdRate)}${vs}${gain}`;
}
