// The full rate–distortion evaluation of one candidate: per clip, an RD curve over quality values
// chosen so its PSNR range overlaps the reference codecs' (coarse sweep, then bisection on quality
// toward the references' lowest and highest PSNR-Y), every point measured from what the sandboxed
// encode returned (bytes) and what the separately sandboxed decode gave back (PSNR, SSIM), and
// BD-rate against each reference codec run on the same frames. A candidate's failure is a result.
import { basename } from 'node:path';
import type { Frame, Video } from '../codec/contract';
import { CodecEvolutionError, throwIfAborted } from '../errors';
import { runReference, defaultCacheDir, type ReferenceCodec, type ReferenceCurve, type SharedReferenceCache } from '../baseline/reference';
import { FrameMetrics } from '../metrics/accumulator';
import { VmafAccumulator, probeVmaf } from '../metrics/vmaf';
import { bdRateByMetric, meanBdRateTable, type BdRateDetail } from '../metrics/bdrate';
import { rdPoint, type RdPoint } from '../metrics/rd';
import { METRIC_IDS, metricOf, type BdRateTable, type MetricId } from '../metrics/registry';
import { locateFfmpeg, type FfmpegLocation } from '../video/ffmpeg';
import { readVideo } from '../video/read';
import type { CandidateFailure } from '../sandbox/failures';
import type { SandboxLimits } from '../sandbox/limits';
import { SandboxPool, runDecode, runEncode, sandboxLevel, type SandboxRunOptions, type SandboxLevel } from '../sandbox/runner';
import { prepareCandidate, type Diagnostic, type PreparedCandidate } from '../sandbox/validator';

const EVALUATION_SCHEMA_VERSION = 1;

/** `timeoutMs` overrides limits.timeoutMs for this clip's children (fail fast on a small clip). */
export type ClipSource =
  string | { path: string; frames?: number; name?: string; timeoutMs?: number } | { video: Video; name: string; timeoutMs?: number };

export interface EvaluateOptions {
  clips: ClipSource[];
  /** The candidate's file name: decides JavaScript vs TypeScript and names positions. */
  filename?: string;
  /** Explicit qualities: no search, exactly these points. */
  qualities?: number[];
  /** Number of RD points per clip when searching (≥ 4 for BD-rate); default 5. */
  points?: number;
  references: ReferenceCodec[];
  /** Skip references this ffmpeg lacks (reported in referencesSkipped) instead of failing. */
  referencesOptional?: boolean;
  /** VMAF through ffmpeg's libvmaf: by default measured when the ffmpeg has it (else a note says
   * so); false never runs it. */
  vmaf?: boolean;
  /** CRF points per reference codec (default 5). */
  referencePoints?: number;
  limits?: Partial<SandboxLimits>;
  /** The validator's cap on embedded data (literals), in bytes; default DEFAULT_MAX_LITERAL_BYTES. */
  maxLiteralBytes?: number;
  ffmpeg?: string | FfmpegLocation;
  /** Reference-result cache; default ~/.cache/codec-evolution/baseline. */
  cacheDir?: string;
  /** Reference results shared between machines (see SharedReferenceCache). */
  sharedReferences?: SharedReferenceCache;
  /**
   * Runtime for the sandbox children (execPath etc.). `pool`: children started ahead of need; by
   * default the evaluation keeps its own and kills what is left of it when it ends.
   */
  run?: Omit<SandboxRunOptions, 'signal' | 'limits'>;
  /** Decode twice and compare on the first point of each clip (default), on all points, or never. */
  determinism?: 'first' | 'all' | 'off';
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** What a clip reader noticed but accepted (an interlaced Y4M); shown even when progress is not. */
  onWarning?: (message: string) => void;
}

export interface ClipEvaluation {
  clip: string;
  name: string;
  width: number;
  height: number;
  frames: number;
  fpsNum: number;
  fpsDen: number;
  /** Sorted by quality. */
  points: RdPoint[];
  /** BD-rate (%, PCHIP) per metric, then per reference that overlaps: `bdRate.psnrYuv.x264`;
   * negative = the candidate saves bits at equal quality on that metric. */
  bdRate: BdRateTable;
  bdRateDetail: Partial<Record<MetricId, Partial<Record<ReferenceCodec, BdRateDetail>>>>;
  references: Partial<Record<ReferenceCodec, RdPoint[]>>;
  referencesSkipped: { codec: ReferenceCodec; reason: string }[];
  /** Qualities tried while searching (including the ones kept in `points`). */
  searched: number;
}

interface EvaluationSummary {
  /** Mean BD-rate over clips per metric and reference (only clips where it could be computed). */
  meanBdRate: BdRateTable;
  encodeMs: number;
  decodeMs: number;
  /** Sandbox start-up as each job waited for it (call → candidate loaded; see RunTiming), mean per child. */
  meanStartupMs: number;
  evaluationMs: number;
  points: number;
  /** The registry metrics every point was measured with. */
  metrics: MetricId[];
  /** Why a metric is missing (e.g. no libvmaf in this ffmpeg). */
  notes?: string[];
}

export type Evaluation =
  | {
      schemaVersion: number;
      ok: true;
      meta?: { name?: string; description?: string };
      clips: ClipEvaluation[];
      summary: EvaluationSummary;
      sandboxLevel: SandboxLevel;
    }
  | {
      schemaVersion: number;
      ok: false;
      failure: CandidateFailure & { clip?: string; quality?: number };
      diagnostics?: Diagnostic[];
      sandboxLevel?: SandboxLevel;
    };

const COARSE = [10, 50, 90];

interface Measured {
  point: RdPoint;
}

export async function evaluateCandidate(source: string, opts: EvaluateOptions): Promise<Evaluation> {
  const pool = opts.run?.pool ?? new SandboxPool(opts.signal);
  try {
    return await evaluate(source, opts, pool);
  } finally {
    if (pool !== opts.run?.pool) pool.close();
  }
}

async function evaluate(source: string, opts: EvaluateOptions, pool: SandboxPool): Promise<Evaluation> {
  const t0 = performance.now();
  const filename = opts.filename ?? 'codec.js';
  const runOpts: SandboxRunOptions = { ...opts.run, pool, limits: opts.limits, signal: opts.signal };
  // The first encode's child boots while the source is validated and the clip read (if the runtime
  // is probed already; otherwise right after the probe).
  pool.prewarmNow(runOpts);
  const prepared = prepareCandidate(source, filename, { maxLiteralBytes: opts.maxLiteralBytes });
  if (!prepared.candidate) {
    const d = prepared.diagnostics[0];
    return {
      schemaVersion: EVALUATION_SCHEMA_VERSION,
      ok: false,
      failure: { class: d.class, message: d.message, line: d.line, column: d.column, stage: 'validate' },
      diagnostics: prepared.diagnostics,
    };
  }
  const candidate = prepared.candidate;
  const level = await sandboxLevel(runOpts);
  await pool.prewarm(runOpts);
  const needsFfmpeg = opts.references.length > 0 || opts.clips.some((c) => typeof c === 'string' || 'path' in c);
  const ff =
    typeof opts.ffmpeg === 'object'
      ? opts.ffmpeg
      : needsFfmpeg
        ? await locateFfmpeg({ ffmpegPath: opts.ffmpeg }).catch((e) => {
            if (opts.references.length) throw e;
            return undefined;
          })
        : undefined;
  const clips: ClipEvaluation[] = [];
  let meta: { name?: string; description?: string } | undefined;
  let startupSum = 0,
    startups = 0;
  const notes: string[] = [];
  const support = opts.vmaf !== false && ff ? await probeVmaf(ff) : undefined;
  const vmaf = support?.available ? ff!.path : undefined;
  if (support?.note) notes.push(support.note);

  for (const clipSource of opts.clips) {
    throwIfAborted(opts.signal);
    const { video, path, name } = await loadClip(clipSource, ff, opts.signal, opts.onWarning);
    const clipTimeout = typeof clipSource === 'object' ? clipSource.timeoutMs : undefined;
    const clipRun: SandboxRunOptions = clipTimeout ? { ...runOpts, limits: { ...runOpts.limits, timeoutMs: clipTimeout } } : runOpts;
    opts.onProgress?.(`${name}: ${video.width}x${video.height}, ${video.frames.length} frames`);

    const curves: ReferenceCurve[] = [];
    const skipped: { codec: ReferenceCodec; reason: string }[] = [];
    if (opts.references.length) {
      const ref = await runReference(video, {
        codecs: opts.referencesOptional ? undefined : opts.references,
        points: opts.referencePoints,
        ffmpeg: ff,
        cacheDir: opts.cacheDir ?? defaultCacheDir(),
        vmaf: !!vmaf,
        shared: opts.sharedReferences,
        signal: opts.signal,
        onProgress: (m) => opts.onProgress?.(`${name}: ${m}`),
      });
      curves.push(...ref.curves.filter((c) => opts.references.includes(c.codec)));
      skipped.push(...ref.skipped.filter((s) => opts.references.includes(s.codec)));
    }

    const measured = new Map<number, Measured>();
    let first = true;
    const measure = async (quality: number): Promise<RdPoint> => {
      const hit = measured.get(quality);
      if (hit) return hit.point;
      throwIfAborted(opts.signal);
      opts.onProgress?.(`${name}: candidate quality ${quality}`);
      const check = opts.determinism === 'all' || (opts.determinism !== 'off' && first);
      first = false;
      const m = await measurePoint(candidate, video, quality, clipRun, check, { vmaf, notes });
      if (!m.ok) throw new PointFailure({ ...m.failure, clip: name, quality });
      meta ??= m.meta;
      for (const ms of m.startupsMs) {
        startupSum += ms;
        startups++;
      }
      measured.set(quality, { point: m.point });
      return m.point;
    };

    let keep: number[];
    try {
      if (opts.qualities?.length) {
        keep = opts.qualities;
        for (const q of keep) await measure(q);
      } else {
        keep = await searchQualities(measure, curves, opts.points ?? 5);
      }
    } catch (e) {
      if (e instanceof PointFailure)
        return { schemaVersion: EVALUATION_SCHEMA_VERSION, ok: false, failure: e.failure, sandboxLevel: level };
      throw e;
    }

    const points = [...new Set(keep)].map((q) => measured.get(q)!.point).sort((a, b) => a.quality! - b.quality!);
    const bd: ClipEvaluation['bdRate'] = {};
    const detail: ClipEvaluation['bdRateDetail'] = {};
    const references: ClipEvaluation['references'] = {};
    for (const c of curves) {
      references[c.codec] = c.points;
      for (const [m, d] of Object.entries(bdRateByMetric(c.points, points, measuredMetrics(points))) as [MetricId, BdRateDetail][]) {
        (detail[m] ??= {})[c.codec] = d;
        if (d.percent !== undefined) (bd[m] ??= {})[c.codec] = d.percent;
      }
    }
    clips.push({
      clip: path,
      name,
      width: video.width,
      height: video.height,
      frames: video.frames.length,
      fpsNum: video.fpsNum,
      fpsDen: video.fpsDen,
      points,
      bdRate: bd,
      bdRateDetail: detail,
      references,
      referencesSkipped: skipped,
      searched: measured.size,
    });
  }

  const meanBdRate = meanBdRateTable(clips.map((c) => c.bdRate));
  const all = clips.flatMap((c) => c.points);
  return {
    schemaVersion: EVALUATION_SCHEMA_VERSION,
    ok: true,
    ...(meta ? { meta } : {}),
    clips,
    sandboxLevel: level,
    summary: {
      meanBdRate,
      encodeMs: all.reduce((s, p) => s + p.encodeMs, 0),
      decodeMs: all.reduce((s, p) => s + p.decodeMs, 0),
      meanStartupMs: startups ? startupSum / startups : 0,
      evaluationMs: performance.now() - t0,
      points: all.length,
      metrics: measuredMetrics(all),
      ...(notes.length ? { notes: [...new Set(notes)] } : {}),
    },
  };
}

/** The registry metrics some point carries, in registry order. */
function measuredMetrics(points: RdPoint[]): MetricId[] {
  return METRIC_IDS.filter((m) => points.some((p) => p.metrics[m] !== undefined));
}

class PointFailure extends Error {
  constructor(readonly failure: CandidateFailure & { clip?: string; quality?: number }) {
    super(failure.message);
  }
}

async function loadClip(
  c: ClipSource,
  ff: FfmpegLocation | undefined,
  signal?: AbortSignal,
  onWarning?: (message: string) => void,
): Promise<{ video: Video; path: string; name: string }> {
  if (typeof c === 'object' && 'video' in c) return { video: c.video, path: c.name, name: c.name };
  const spec = typeof c === 'string' ? { path: c } : c;
  const video = await readVideo(spec.path, {
    ffmpegPath: ff?.path,
    maxFrames: 'frames' in spec ? spec.frames : undefined,
    signal,
    onWarning,
  });
  return { video, path: spec.path, name: ('name' in spec && spec.name) || basename(spec.path).replace(/\.[^.]+$/, '') };
}

type MeasureResult =
  /** startupsMs: each child's start-up (encode's, then decode's). */
  | { ok: true; point: RdPoint; startupsMs: number[]; meta?: { name?: string; description?: string } }
  | { ok: false; failure: CandidateFailure };

/**
 * One RD point: encode in one child, decode the bytes in another, metrics in the host — frame by
 * frame as the decoded frames arrive, so the host never holds the decoded clip.
 */
async function measurePoint(
  candidate: PreparedCandidate,
  video: Video,
  quality: number,
  opts: SandboxRunOptions,
  checkDeterminism = true,
  extra: { vmaf?: string; notes?: string[] } = {},
): Promise<MeasureResult> {
  const enc = await runEncode(candidate, video, quality, opts);
  if (!enc.ok) return enc;
  const acc = new FrameMetrics(video.width, video.height);
  // VMAF runs in its own ffmpeg child, fed as the frames arrive.
  const vm = extra.vmaf ? new VmafAccumulator(extra.vmaf, video.width, video.height, { num: video.fpsNum, den: video.fpsDen }) : undefined;
  const add = (i: number, f: Frame) => {
    acc.add(video.frames[i], f);
    vm?.add(video.frames[i], f);
  };
  const dec = await runDecode(
    candidate,
    enc.bytes,
    { width: video.width, height: video.height, frames: video.frames.length },
    { ...opts, checkDeterminism, onFrame: add },
  );
  if (!dec.ok) {
    vm?.abort();
    return dec;
  }
  dec.video.frames.forEach((f, i) => add(i, f)); // empty when streamed
  if (acc.frames !== video.frames.length) throw new Error(`internal: ${acc.frames} of ${video.frames.length} frames measured`);
  const metrics = acc.values();
  if (vm) {
    try {
      metrics.vmaf = await vm.finish();
    } catch (e) {
      extra.notes?.push(`VMAF not measured: ${e instanceof CodecEvolutionError ? e.describe() : String(e)}`);
    }
  }
  const point = rdPoint({
    bytes: enc.bytes.length,
    frames: video.frames.length,
    fpsNum: video.fpsNum,
    fpsDen: video.fpsDen,
    metrics,
    encodeMs: enc.ms,
    decodeMs: dec.ms,
    quality,
  });
  return { ok: true, point, startupsMs: [enc.startupMs, dec.startupMs], ...(enc.meta ? { meta: enc.meta } : {}) };
}

/** The PSNR-Y interval the candidate's curve should cover: the references' lowest to highest. */
function targetRange(curves: ReferenceCurve[]): { low: number; high: number } | undefined {
  const ps = curves.flatMap((c) => c.points.map((p) => metricOf(p, 'psnrY'))).filter(Number.isFinite);
  return ps.length ? { low: Math.min(...ps), high: Math.max(...ps) } : undefined;
}

/**
 * Finds qualities whose PSNR-Y brackets the references' range: a coarse sweep, then bisection on
 * quality toward each end (assuming PSNR grows with quality; where it does not, the closest tried
 * point is used), then evenly spaced qualities between the two ends. Returns the qualities kept.
 */
async function searchQualities(measure: (q: number) => Promise<RdPoint>, curves: ReferenceCurve[], n: number): Promise<number[]> {
  const tried = new Map<number, number>();
  const at = async (q: number) => {
    const p = metricOf(await measure(q), 'psnrY');
    tried.set(q, p);
    return p;
  };
  for (const q of COARSE) await at(q);
  const range = targetRange(curves);
  if (!range) {
    const ladder = spaced(10, 90, n);
    for (const q of ladder) await at(q);
    return ladder;
  }
  const qLow = await bisect(at, tried, range.low, 'low');
  const qHigh = await bisect(at, tried, range.high, 'high');
  const ladder = spaced(Math.min(qLow, qHigh), Math.max(qLow, qHigh), n);
  for (const q of ladder) await at(q);
  return ladder;
}

/**
 * A quality whose PSNR-Y reaches just past `target` (≤ at the low end, ≥ at the high end, within
 * 1 dB), by regula falsi on the bracketing points: PSNR is close to linear in a codec's quality
 * knob, so one or two steps usually land (plain bisection took twice as many encodes).
 */
async function bisect(
  at: (q: number) => Promise<number>,
  tried: Map<number, number>,
  target: number,
  end: 'low' | 'high',
): Promise<number> {
  const bracket = () => {
    const qs = [...tried.keys()].sort((a, b) => a - b);
    const below = qs.filter((q) => tried.get(q)! <= target);
    const above = qs.filter((q) => tried.get(q)! >= target);
    return { lo: below.length ? below[below.length - 1] : undefined, hi: above.length ? above[0] : undefined };
  };
  let { lo, hi } = bracket();
  if (lo === undefined) {
    if ((await at(0)) > target) return 0;
  }
  if (hi === undefined) {
    if ((await at(100)) < target) return 100;
  }
  ({ lo, hi } = bracket());
  if (lo === undefined || hi === undefined) return end === 'low' ? 0 : 100;
  const good = (q: number) => (end === 'low' ? tried.get(q)! >= target - 1 : tried.get(q)! <= target + 1);
  for (let i = 0; i < 4 && lo < hi - 1; i++) {
    if (good(end === 'low' ? lo : hi)) break;
    const pLo = tried.get(lo)!,
      pHi = tried.get(hi)!;
    const guess = Number.isFinite(pHi) && pHi > pLo ? lo + ((target - pLo) * (hi - lo)) / (pHi - pLo) : (lo + hi) / 2;
    const mid = Math.min(hi - 1, Math.max(lo + 1, Math.round(guess)));
    const p = await at(mid);
    if (p <= target) lo = mid;
    else hi = mid;
    if (p === target) return mid;
  }
  return end === 'low' ? lo : hi;
}

function spaced(a: number, b: number, n: number): number[] {
  if (n <= 1 || a === b) return [Math.round((a + b) / 2)];
  return [...new Set(Array.from({ length: n }, (_, i) => Math.round(a + ((b - a) * i) / (n - 1))))];
}
