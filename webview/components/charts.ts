// RD curves and BD-rate history drawn with uPlot (a small, maintained canvas chart library: one
// canvas per chart, no DOM per point, so redrawing on every state update stays cheap).
import uPlot from 'uplot';
import type { CurveView, GenerationPoint, RdMetricView, RdPointView } from '../protocol';
import { themeColor } from './dom';

const PALETTE: Array<[string, string]> = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-yellow', '#cca700'],
  ['--vscode-charts-red', '#f14c4c'],
];

function axis(label: string): uPlot.Axis {
  const fg = themeColor('--vscode-foreground', '#cccccc');
  const grid = themeColor('--vscode-editorWidget-border', '#454545');
  return {
    label,
    stroke: fg,
    grid: { stroke: grid, width: 0.5 },
    ticks: { stroke: grid, width: 0.5 },
    labelSize: 18,
    size: 40,
    font: '10px sans-serif',
    labelFont: '11px sans-serif',
  };
}

/** A chart that follows its container's width and can be redrawn with new data. */
export interface Chart {
  element: HTMLElement;
  destroy(): void;
}

function sized(host: HTMLElement, make: (width: number) => uPlot): Chart {
  const plot = make(Math.max(200, host.clientWidth || 260));
  const ro = new ResizeObserver(() => {
    const w = Math.max(200, host.clientWidth);
    if (Math.abs(w - plot.width) > 2) plot.setSize({ width: w, height: plot.height });
  });
  ro.observe(host);
  return {
    element: host,
    destroy() {
      ro.disconnect();
      plot.destroy();
    },
  };
}

/** A point's value of the plotted metric; points stored before the registry carry only psnrY/ssimY. */
export function rdValue(p: RdPointView, metric: string): number {
  const v = p.metrics?.[metric] ?? (metric === 'psnrY' ? p.psnrY : metric === 'ssimY' ? p.ssimY : undefined);
  return typeof v === 'number' ? v : NaN;
}

/** `y` (the objective) against kbit/s: the codec's curve(s) in green/blue, the reference codecs' beside
 * it. A curve without that metric (a reference cached before it was measured) is left out. */
export function rdChart(host: HTMLElement, curves: CurveView[], y: RdMetricView, height = 200): Chart | null {
  // The canvas has no text of its own: say what is plotted, for screen readers and tests.
  host.setAttribute('role', 'img');
  host.setAttribute('aria-label', `RD curves: ${y.axis} against kbit/s`);
  host.dataset.metric = y.metric;
  const usable = curves
    .map((c) => ({
      ...c,
      points: c.points
        .map((p) => ({ kbps: p.kbps, v: rdValue(p, y.metric) }))
        .filter((p) => p.kbps > 0 && Number.isFinite(p.v))
        .sort((a, b) => a.kbps - b.kbps),
    }))
    .filter((c) => c.points.length > 0);
  if (usable.length === 0) return null;
  const tables = usable.map((c) => [c.points.map((p) => p.kbps), c.points.map((p) => p.v)] as uPlot.AlignedData);
  const data = uPlot.join(tables);
  let ref = 0;
  const series: uPlot.Series[] = [
    { label: 'kbit/s' },
    ...usable.map((c) => {
      const [v, fb] =
        c.kind === 'best'
          ? ['--vscode-charts-green', '#89d185']
          : c.kind === 'candidate'
            ? ['--vscode-charts-red', '#f14c4c']
            : PALETTE[ref++ % PALETTE.length];
      const stroke = themeColor(v, fb);
      return {
        label: c.label,
        stroke,
        width: c.kind === 'reference' ? 1.5 : 2.5,
        dash: c.kind === 'reference' ? [5, 3] : undefined,
        spanGaps: true,
        points: { show: true, size: 5, stroke, fill: stroke },
      } as uPlot.Series;
    }),
  ];
  return sized(
    host,
    (width) =>
      new uPlot(
        {
          width,
          height,
          scales: { x: { time: false, distr: 3, log: 10 } },
          axes: [axis('kbit/s'), axis(y.axis)],
          legend: { show: true, live: false },
          cursor: { show: true, drag: { x: false, y: false } },
          series,
        },
        data,
        host,
      ),
  );
}

/** BD-rate against the primary reference per generation: each generation's best candidate as dots,
 * the adopted best as a step line — the line only moves down when a person (or policy) adopts. */
export function historyChart(host: HTMLElement, history: GenerationPoint[], height = 150): Chart | null {
  const rows = history.filter((h) => h.candidate !== null || h.best !== null);
  if (rows.length === 0) return null;
  const data: uPlot.AlignedData = [rows.map((h) => h.generation), rows.map((h) => h.candidate), rows.map((h) => h.best)];
  const cand = themeColor('--vscode-charts-blue', '#3794ff');
  const best = themeColor('--vscode-charts-green', '#89d185');
  return sized(
    host,
    (width) =>
      new uPlot(
        {
          width,
          height,
          scales: { x: { time: false } },
          axes: [axis('generation'), axis('BD-rate %')],
          legend: { show: true, live: false },
          cursor: { show: true, drag: { x: false, y: false } },
          series: [
            { label: 'generation' },
            { label: 'candidate', stroke: cand, width: 0, points: { show: true, size: 6, stroke: cand, fill: cand } } as uPlot.Series,
            {
              label: 'best',
              stroke: best,
              width: 2,
              spanGaps: true,
              paths: uPlot.paths.stepped!({ align: 1 }),
              points: { show: false },
            } as uPlot.Series,
          ],
        },
        data,
        host,
      ),
  );
}
