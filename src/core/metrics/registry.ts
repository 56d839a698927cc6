// The metric registry: every quality metric the project measures, with how it is shown and how
// BD-rate reads it. Settings enums, the CLI, records, prompts and the view all take the list from
// here, so a metric is added in one place.

export const METRIC_IDS = ['psnrY', 'psnrU', 'psnrV', 'psnrYuv', 'ssimY', 'vmaf'] as const;
export type MetricId = (typeof METRIC_IDS)[number];

/** One value per metric a point was measured with; vmaf only where ffmpeg has libvmaf, and records
 * written before the registry carry only psnrY, psnrYuv and ssimY. */
export type MetricValues = Partial<Record<MetricId, number>>;

/** BD-rate in percent per metric, then per reference codec: `bdRate.psnrYuv.x264`. */
export type BdRateTable = Partial<Record<MetricId, Partial<Record<string, number>>>>;

export interface MetricInfo {
  id: MetricId;
  /** Short label for tables and charts. */
  label: string;
  /** Unit of the stored value. */
  unit: 'dB' | '' | 'score';
  description: string;
  /** Decimals worth showing. */
  decimals: number;
  /** The value on BD-rate's quality axis: dB for PSNR, −10·log10(1−SSIM) dB for SSIM (so equal steps
   * mean equal error ratios, as is usual), the score itself for VMAF. */
  bdQuality: (value: number) => number;
  /** Only measured when the environment can (VMAF needs an ffmpeg with libvmaf). */
  optional?: boolean;
}

const identity = (v: number) => v;

export const METRICS: Record<MetricId, MetricInfo> = {
  psnrY: {
    id: 'psnrY',
    label: 'PSNR-Y',
    unit: 'dB',
    decimals: 2,
    bdQuality: identity,
    description: 'PSNR of the luma plane (ffmpeg psnr filter, MSE averaged over frames)',
  },
  psnrU: { id: 'psnrU', label: 'PSNR-U', unit: 'dB', decimals: 2, bdQuality: identity, description: 'PSNR of the U (Cb) chroma plane' },
  psnrV: { id: 'psnrV', label: 'PSNR-V', unit: 'dB', decimals: 2, bdQuality: identity, description: 'PSNR of the V (Cr) chroma plane' },
  psnrYuv: {
    id: 'psnrYuv',
    label: 'PSNR-YUV',
    unit: 'dB',
    decimals: 2,
    bdQuality: identity,
    description:
      '(6·Y + U + V) / 8 of the plane PSNRs, as JVET common test conditions weight them; not ffmpeg\'s "average", which weights the planes\' MSE by sample count (4:1:1) before the log',
  },
  ssimY: {
    id: 'ssimY',
    label: 'SSIM-Y',
    unit: '',
    decimals: 4,
    bdQuality: (v) => -10 * Math.log10(1 - v),
    description: 'SSIM of the luma plane (ffmpeg ssim filter); BD-rate on −10·log10(1−SSIM) dB',
  },
  vmaf: {
    id: 'vmaf',
    label: 'VMAF',
    unit: 'score',
    decimals: 2,
    bdQuality: identity,
    optional: true,
    description: "VMAF 0..100 from ffmpeg's libvmaf filter, when the chosen ffmpeg has it",
  },
};

export function isMetricId(x: unknown): x is MetricId {
  return typeof x === 'string' && (METRIC_IDS as readonly string[]).includes(x);
}

/** A metric's value of a point; NaN when the point was not measured with it. */
export function metricOf(p: { metrics?: MetricValues }, id: MetricId): number {
  const v = p.metrics?.[id];
  return typeof v === 'number' ? v : NaN;
}

/** The metric a candidate's training score is the BD-rate of. PSNR-YUV: a luma-only objective was
 * gamed by starving chroma (issue 15). */
export const DEFAULT_OBJECTIVE: MetricId = 'psnrYuv';

/** A metric that must not get worse than the adopted version's by more than `tolerancePercent`
 * BD-rate percentage points. */
export interface Guard {
  metric: MetricId;
  tolerancePercent: number;
}

export const DEFAULT_GUARD_TOLERANCE = 1.0;
export const DEFAULT_GUARDS: Guard[] = (['psnrY', 'psnrU', 'psnrV', 'ssimY'] as const).map((metric) => ({
  metric,
  tolerancePercent: DEFAULT_GUARD_TOLERANCE,
}));

/** "PSNR-Y 34.10 dB, PSNR-U 38.20 dB, …, SSIM-Y 0.9412" for the metrics a point has. */
export function formatMetrics(v: MetricValues): string {
  return METRIC_IDS.filter((m) => v[m] !== undefined)
    .map((m) => {
      const x = v[m]!;
      return `${METRICS[m].label} ${Number.isFinite(x) ? x.toFixed(METRICS[m].decimals) : 'inf'}${METRICS[m].unit === 'dB' ? ' dB' : ''}`;
    })
    .join(', ');
}

/** "PSNR-YUV" for a known id, the id itself otherwise (records from a newer version). */
export function metricLabel(id: string): string {
  return isMetricId(id) ? METRICS[id].label : id;
}

/** "BD-rate PSNR-YUV vs x264": what a training score is of. */
export function bdRateName(metric: string, reference: string): string {
  return `BD-rate ${metricLabel(metric)} vs ${reference}`;
}

/** "-2.100 % (fewer bits than x264 at equal quality)": a BD-rate with what its sign means. */
export function bdRateSaying(x: number, reference: string): string {
  if (!Number.isFinite(x)) return 'n/a';
  const n = Number(x.toFixed(3));
  return `${x >= 0 ? '+' : ''}${x.toFixed(3)} % (${n === 0 ? 'the same bits as' : n < 0 ? 'fewer bits than' : 'more bits than'} ${reference} at equal quality)`;
}

/** "PSNR-Y 1 pp, PSNR-U 1 pp": each guard with the most BD-rate it may lose against the adopted version. */
function guardsText(guards: readonly Guard[] | undefined): string {
  return guards?.length ? guards.map((g) => `${metricLabel(g.metric)} ${g.tolerancePercent} pp`).join(', ') : 'none';
}

/** One line: what scores a candidate and what guards it. */
export function scoringText(s: { objective: string; reference: string; guards?: readonly Guard[] }, negativeMeans = false): string {
  return (
    `score: ${bdRateName(s.objective, s.reference)} on the training clips, lower is better` +
    (negativeMeans ? ` (negative = fewer bits than ${s.reference} at equal quality)` : '') +
    `; guards (most a candidate may lose): ${guardsText(s.guards)}`
  );
}
