// The editor-area dashboard: every clip's numbers, the lineage of versions, and a frame viewer that
// puts original, decoded and error heatmap side by side for any frame of any clip.
import { formatBdRate, message, type FrameSubject, type ViewMessages, type ViewState } from './protocol';
import { button, dropdown, table } from './components/toolkit';
import { el, section } from './components/dom';
import { rdChart, rdValue, type Chart } from './components/charts';
import { heatmapRgba, planesToRgba } from './frame-image';
import { post, receiveStates, rememberUi, savedUi } from './host';

interface ViewerUi {
  clip: string;
  frame: number;
  subject: string;
}

let charts: Chart[] = [];
let state: ViewState | undefined;
let ui: ViewerUi = { clip: '', frame: 0, subject: 'best' };
let nextRequest = 1;
let pending = 0;
let frameCount = 0;

function subjectOf(key: string): FrameSubject {
  return key === 'best' ? { kind: 'best' } : { kind: 'candidate', id: key };
}

function persist(): void {
  rememberUi(ui);
}

function requestFrames(): void {
  if (!ui.clip) return;
  pending = nextRequest++;
  const status = document.querySelector('[data-field=frame-status]');
  if (status) status.textContent = `decoding frame ${ui.frame} of ${ui.clip}…`;
  post(
    message<ViewMessages, 'requestFrames'>('requestFrames', {
      requestId: pending,
      clip: ui.clip,
      frame: ui.frame,
      subject: subjectOf(ui.subject),
    }),
  );
}

function clipTable(s: ViewState): HTMLElement {
  const refs = [...new Set(s.clips.flatMap((c) => Object.keys(c.bdRate)))];
  const decimals = s.metrics.find((m) => m.id === s.rdMetric.metric)?.decimals ?? 2;
  return section(
    'Clips',
    'clips',
    s.clips.length === 0
      ? el('p', { class: 'muted' }, 'No evaluated version yet: run a generation or Run Baselines.')
      : table(
          [
            'clip',
            'role',
            ...refs.map((r) => `${s.objective.label} BD-rate vs ${r}`),
            'points',
            'kbit/s range',
            `${s.rdMetric.label} range`,
          ],
          s.clips.map((c) => {
            const best = c.curves.find((k) => k.kind === 'best')?.points ?? [];
            const kb = best.map((p) => p.kbps),
              ps = best.map((p) => rdValue(p, s.rdMetric.metric)).filter(Number.isFinite);
            return [
              c.clip,
              c.role,
              ...refs.map((r) => formatBdRate(c.bdRate[r] ?? null)),
              best.length,
              kb.length ? `${Math.min(...kb).toFixed(0)}–${Math.max(...kb).toFixed(0)}` : '—',
              ps.length ? `${Math.min(...ps).toFixed(decimals)}–${Math.max(...ps).toFixed(decimals)}` : '—',
            ];
          }),
          { kind: 'clips' },
        ),
  );
}

/** Every metric's BD-rate per clip and reference: the objective, the guards and the rest side by side,
 * so a gain bought by starving one plane is visible. */
function metricTable(s: ViewState): HTMLElement | null {
  const rows = s.clips.flatMap((c) => s.metrics.filter((m) => c.bdRates[m.id]).map((m) => ({ c, m })));
  if (!rows.length) return null;
  const refs = [...new Set(s.clips.flatMap((c) => Object.values(c.bdRates).flatMap((byRef) => Object.keys(byRef))))];
  const role = (id: string) =>
    id === s.objective.metric
      ? 'objective'
      : s.guards.some((g) => g.metric === id)
        ? `guard (±${s.guards.find((g) => g.metric === id)!.tolerancePercent} pp)`
        : '';
  return section(
    `Every metric (objective ${s.objective.label})`,
    'metrics',
    table(
      ['clip', 'metric', 'role', ...refs.map((r) => `vs ${r}`)],
      rows.map(({ c, m }) => [c.clip, m.label, role(m.id), ...refs.map((r) => formatBdRate(c.bdRates[m.id]?.[r] ?? null))]),
      { kind: 'metrics' },
    ),
  );
}

function clipPlots(s: ViewState): HTMLElement {
  const wrap = el('div', { class: 'plots' });
  for (const c of s.clips) {
    const host = el('div', { class: 'chart', 'data-chart': 'rd' });
    wrap.append(el('div', { class: 'plot' }, el('h4', {}, c.clip), host));
    queueMicrotask(() => {
      const ch = rdChart(host, c.curves, s.rdMetric, 220);
      if (ch) charts.push(ch);
    });
  }
  return section(`RD curves (${s.rdMetric.axis} against kbit/s)`, 'plots', wrap);
}

function lineage(s: ViewState): HTMLElement {
  if (s.versions.length === 0)
    return section('Lineage', 'lineage', el('p', { class: 'muted' }, s.loading ? 'Loading…' : 'No version adopted yet.'));
  const list = el('ol', { class: 'lineage' });
  for (const v of s.versions) {
    const li = el(
      'li',
      { 'data-version': String(v.version) },
      el('strong', {}, `v${v.version}`),
      ` ${v.candidateId ?? 'seed'} `,
      el('span', { class: v.bdRate !== null && v.bdRate < 0 ? 'bd good' : 'bd' }, formatBdRate(v.bdRate)),
      v.parentVersion !== null ? el('span', { class: 'muted' }, ` ← v${v.parentVersion}`) : null,
      el('div', { class: 'muted small' }, `${v.time.replace('T', ' ').slice(0, 19)} · ${v.message}`),
      v.version > 1
        ? button('Compare', () => post(message<ViewMessages, 'compare'>('compare', { version: v.version })), {
            appearance: 'secondary',
            action: 'compare',
          })
        : null,
    );
    list.append(li);
  }
  return section('Lineage', 'lineage', list);
}

function viewer(s: ViewState): HTMLElement {
  if (!ui.clip || !s.clips.some((c) => c.clip === ui.clip)) ui.clip = s.clips[0]?.clip ?? '';
  const controls = el('div', { class: 'controls' });
  controls.append(
    el('label', {}, 'clip '),
    dropdown(
      s.clips.map((c) => ({ value: c.clip, label: c.clip })),
      ui.clip,
      (v) => {
        ui.clip = v;
        ui.frame = 0;
        persist();
        requestFrames();
      },
      'clip',
    ),
    el('label', {}, ' codec '),
    dropdown(
      [{ value: 'best', label: 'best version' }, ...s.candidates.map((c) => ({ value: c.id, label: c.label }))],
      ui.subject,
      (v) => {
        ui.subject = v;
        persist();
        requestFrames();
      },
      'subject',
    ),
  );
  const slider = el('input', {
    type: 'range',
    min: '0',
    max: String(Math.max(0, frameCount - 1)),
    value: String(ui.frame),
    'data-action': 'frame',
  }) as HTMLInputElement;
  slider.addEventListener('change', () => {
    ui.frame = Number(slider.value);
    persist();
    requestFrames();
  });
  controls.append(el('label', {}, ' frame '), slider, el('span', { 'data-field': 'frame-number' }, String(ui.frame)));
  const canvases = el(
    'div',
    { class: 'frames' },
    ...['original', 'decoded', 'error'].map((k) =>
      el(
        'figure',
        {},
        el('canvas', { 'data-canvas': k, width: '1', height: '1' }),
        el('figcaption', {}, k === 'error' ? 'error |ΔY| (white ≥ 32)' : k),
      ),
    ),
  );
  return section(
    'Frame viewer',
    'viewer',
    controls,
    canvases,
    el('div', { class: 'muted', 'data-field': 'frame-status' }, s.clips.length ? '' : 'No clip evaluated yet.'),
  );
}

function draw(kind: string, rgba: Uint8ClampedArray, w: number, h: number): void {
  const c = document.querySelector<HTMLCanvasElement>(`canvas[data-canvas=${kind}]`);
  if (!c) return;
  c.width = w;
  c.height = h;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba), w, h), 0, 0);
}

function render(root: HTMLElement, s: ViewState): void {
  for (const c of charts) c.destroy();
  charts = [];
  state = s;
  root.replaceChildren(
    el('h2', {}, 'Codec Evolution'),
    el('div', { class: 'status' }, s.status),
    clipTable(s),
    metricTable(s) ?? '',
    clipPlots(s),
    viewer(s),
    lineage(s),
  );
}

export function startDashboard(root: HTMLElement): void {
  ui = { ...ui, ...savedUi<ViewerUi>() };
  receiveStates(
    'dashboard',
    (s, fresh) => {
      const first = !state || state.clips.length === 0;
      render(root, s);
      if (fresh && first && s.clips.length) requestFrames();
    },
    {
      frames: (m) => {
        if (m.requestId !== pending) return;
        frameCount = m.frameCount;
        const slider = document.querySelector<HTMLInputElement>('input[data-action=frame]');
        if (slider) slider.max = String(Math.max(0, m.frameCount - 1));
        const num = document.querySelector('[data-field=frame-number]');
        if (num) num.textContent = `${m.frame} / ${m.frameCount - 1}`;
        draw('original', planesToRgba(m.original), m.original.width, m.original.height);
        draw('decoded', planesToRgba(m.decoded), m.decoded.width, m.decoded.height);
        draw('error', heatmapRgba(m.original, m.decoded), m.original.width, m.original.height);
        const st = document.querySelector('[data-field=frame-status]');
        if (st)
          st.textContent = `frame ${m.frame} of ${m.clip}${m.quality !== undefined ? ` at quality ${m.quality}` : ''}: PSNR-Y ${Number.isFinite(m.psnrY) ? m.psnrY.toFixed(2) + ' dB' : '∞ (lossless)'}`;
      },
      framesFailed: (m) => {
        if (m.requestId !== pending) return;
        const st = document.querySelector('[data-field=frame-status]');
        if (st) st.textContent = m.message;
      },
    },
  );
}
