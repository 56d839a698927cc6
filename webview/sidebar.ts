// The activity-bar view: what the loop is doing, how good the best codec is, what waits for review.
import { bdRateMeaning, formatBdRate, message, type ViewMessages, type ViewState, type ViewCommand } from './protocol';
import { badge, button, spinner, table, tag } from './components/toolkit';
import { el, section } from './components/dom';
import { historyChart, rdChart, rdValue, type Chart } from './components/charts';
import { post, receiveStates } from './host';

let charts: Chart[] = [];

/** Text columns may shrink (their cells ellipsize) and the button column takes what its button needs:
 * fixed 96/104 px button columns beside unshrinkable text pushed Review and Compare behind a
 * horizontal scrollbar at the side bar's default width. */
const NARROW_COLUMNS = 'minmax(0, 1.3fr) minmax(0, 1fr) minmax(0, 1fr) max-content';

const run = (command: ViewCommand) => () => post(message<ViewMessages, 'command'>('command', { command }));

function bdCell(v: number | null): HTMLElement {
  return el('span', { class: v === null ? 'bd' : v < 0 ? 'bd good' : 'bd bad' }, formatBdRate(v));
}

function header(s: ViewState): HTMLElement {
  const state = !s.trusted ? 'Restricted' : s.running ? 'Running' : s.initialized ? 'Idle' : 'Not initialized';
  const b = s.budget;
  const lim = (v: number | null, unit = '') => (v === null ? '∞' : `${v}${unit}`);
  return el(
    'div',
    { class: 'header', 'data-section': 'header' },
    el(
      'div',
      { class: 'row' },
      tag(state),
      s.running || s.loading ? spinner() : null,
      el('span', { class: 'gen', 'data-field': 'generation' }, s.loading ? 'loading…' : `generation ${s.generation}`),
    ),
    el('div', { class: 'status', 'data-field': 'status' }, s.status),
    el(
      'div',
      { class: 'budget', 'data-field': 'budget' },
      `budget: ${b.generations.used}/${lim(b.generations.limit)} generations · $${b.usd.used.toFixed(2)}/${b.usd.limit === null ? '∞' : '$' + b.usd.limit.toFixed(2)} · ${b.minutes.used.toFixed(1)}/${lim(b.minutes.limit, ' min')} ${s.running ? 'this run' : 'last run'}`,
    ),
    s.workers ? queueLine(s.workers) : null,
    s.lastError ? el('div', { class: 'error', 'data-field': 'error' }, s.lastError) : null,
  );
}

function queueLine(q: NonNullable<ViewState['workers']>): HTMLElement {
  const text = !q.connected
    ? `queue ${q.url}: unreachable — the loop waits for it`
    : `queue: ${q.workers.length} worker${q.workers.length === 1 ? '' : 's'} (${q.workers.reduce((n, w) => n + w.busy, 0)}/${q.workers.reduce((n, w) => n + w.concurrency, 0)} busy) · ${q.waiting} waiting · ${q.active} running`;
  return el('div', { class: 'budget', 'data-field': 'queue', title: q.workers.map((w) => w.name).join('\n') || q.url }, text);
}

function actions(s: ViewState): HTMLElement {
  const bar = el('div', { class: 'actions' });
  if (!s.initialized) {
    bar.append(button('Initialize Workspace', run('initialize'), { action: 'initialize', disabled: !!s.blockedReason && s.trusted }));
    return bar;
  }
  const blocked = !s.trusted;
  if (s.running) bar.append(button('Stop', run('stop'), { action: 'stop' }));
  else
    bar.append(
      button('Start', run('start'), { action: 'start', disabled: blocked }),
      button('Run One Generation', run('runGeneration'), { action: 'runGeneration', appearance: 'secondary', disabled: blocked }),
    );
  bar.append(button('Dashboard', run('openDashboard'), { action: 'openDashboard', appearance: 'secondary' }));
  return bar;
}

function best(s: ViewState): HTMLElement | null {
  if (!s.best) return null;
  const refs = Object.keys(s.best.bdRate);
  const clip = s.clips[0];
  const mine = clip?.curves.find((c) => c.kind === 'best');
  const primary = s.best.bdRate[s.primaryReference] ?? null;
  const unmeasured = refs.filter((r) => s.best!.bdRate[r] === null);
  const guard = (id: string) => s.guards.find((g) => g.metric === id);
  const every = s.metrics.filter((m) => s.best!.bdRates[m.id] !== undefined);
  // The plotted metric's column, when it is not one of the two always shown.
  const extra =
    s.rdMetric.metric !== 'psnrY' && s.rdMetric.metric !== 'ssimY'
      ? { ...s.rdMetric, decimals: s.metrics.find((m) => m.id === s.rdMetric.metric)?.decimals ?? 2 }
      : null;
  const fixed = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : '');
  return section(
    `Best: version ${s.best.version}`,
    'best',
    el(
      'div',
      { class: 'bdrates' },
      `${s.objective.label}: `,
      ...refs.map((r) => el('span', { class: 'bdref', 'data-ref': r }, `vs ${r} `, bdCell(s.best!.bdRate[r]))),
    ),
    every.length
      ? el(
          'div',
          { class: 'bdrates muted', 'data-field': 'metrics' },
          `vs ${s.primaryReference}: `,
          ...every.map((m) =>
            el(
              'span',
              {
                class: 'bdref',
                'data-metric': m.id,
                title:
                  m.id === s.objective.metric
                    ? 'objective'
                    : guard(m.id)
                      ? `guard: may not regress more than ${guard(m.id)!.tolerancePercent} pp`
                      : 'shown only',
              },
              `${m.label}${m.id === s.objective.metric ? ' (objective)' : guard(m.id) ? ' (guard)' : ''} `,
              bdCell(s.best!.bdRates[m.id]),
            ),
          ),
        )
      : null,
    el('div', { class: 'muted small', 'data-field': 'bd-meaning' }, bdRateMeaning(s.primaryReference, primary, s.objective.label)),
    unmeasured.length
      ? el(
          'div',
          { class: 'muted small', 'data-field': 'bd-unmeasured' },
          `— = not measured yet${unmeasured.length === refs.length ? `: run a generation to score version ${s.best.version}` : ` (${unmeasured.join(', ')} not in the workspace's reference codecs)`}.`,
        )
      : null,
    mine
      ? table(
          ['q', 'kbit/s', ...(extra ? [extra.label] : []), 'PSNR-Y', 'SSIM-Y'],
          mine.points.map((p) => [
            p.quality ?? '',
            p.kbps.toFixed(1),
            ...(extra ? [fixed(rdValue(p, extra.metric), extra.decimals)] : []),
            p.psnrY.toFixed(2),
            p.ssimY?.toFixed(4) ?? '',
          ]),
          { kind: 'rd-numbers' },
        )
      : null,
  );
}

function plots(s: ViewState): HTMLElement[] {
  const out: HTMLElement[] = [];
  const clip = s.clips[0];
  if (clip) {
    const host = el('div', { class: 'chart', 'data-chart': 'rd' });
    out.push(section(`RD (${s.rdMetric.label}): ${clip.clip}`, 'rd', host));
    queueMicrotask(() => {
      const c = rdChart(host, clip.curves, s.rdMetric);
      if (c) charts.push(c);
      else host.replaceChildren(el('p', { class: 'muted' }, 'No RD points yet.'));
    });
  } else if (s.initialized && !s.loading) {
    out.push(
      section(
        'RD',
        'rd',
        el(
          'p',
          { class: 'muted', 'data-field': 'rd-empty' },
          "No RD curve yet: Run One Generation scores version 1, and Run Baselines draws the reference codecs' curves.",
        ),
      ),
    );
  }
  if (s.history.length) {
    const host = el('div', { class: 'chart', 'data-chart': 'history' });
    out.push(section(`BD-rate vs ${s.primaryReference} over generations`, 'history', host));
    queueMicrotask(() => {
      const c = historyChart(host, s.history);
      if (c) charts.push(c);
    });
  }
  return out;
}

/** The guards' changes against the adopted version, for the queue's tooltip. */
function guardText(guards: ViewState['queue'][number]['guards']): string {
  if (!guards.length) return '';
  return (
    '\nguards (BD-rate change vs adopted): ' +
    guards
      .map(
        (g) =>
          `${g.label} ${g.change === null ? 'n/a' : `${g.change >= 0 ? '+' : ''}${g.change.toFixed(2)} pp`}${g.ok ? '' : ' over tolerance'}`,
      )
      .join(', ')
  );
}

function queue(s: ViewState): HTMLElement {
  const title = el('span', {}, 'Review queue ', badge(String(s.queue.length)));
  const body =
    s.queue.length === 0
      ? el('p', { class: 'muted' }, s.loading ? 'Loading…' : 'Nothing waits for review.')
      : table(
          ['candidate', `${s.objective.label} BD-rate`, 'parent', ''],
          s.queue.map((q) => [
            el(
              'span',
              {
                title: `generation ${q.generation}: ${q.hypothesis}${guardText(q.guards)}${q.directiveIds?.length ? `\nanswering ${q.directiveIds.join(', ')}` : ''}`,
              },
              q.id,
              q.directiveIds?.length ? el('span', { class: 'muted', 'data-field': 'answering' }, ` → ${q.directiveIds.join(', ')}`) : null,
            ),
            bdCell(q.bdRate),
            formatBdRate(q.parentBdRate),
            button('Review', () => post(message<ViewMessages, 'review'>('review', { candidateId: q.id })), {
              action: 'review',
              appearance: 'secondary',
            }),
          ]),
          { kind: 'queue', columns: NARROW_COLUMNS },
        );
  const sec = section('', 'queue', body);
  sec.querySelector('h3')!.append(title);
  return sec;
}

function versions(s: ViewState): HTMLElement {
  if (s.versions.length === 0)
    return section('Versions', 'versions', el('p', { class: 'muted' }, s.loading ? 'Loading…' : 'No version adopted yet.'));
  return section(
    'Versions',
    'versions',
    table(
      ['version', 'BD-rate', 'held-out', ''],
      [...s.versions].reverse().map((v) => [
        el(
          'span',
          { title: `v${v.version}${v.candidateId ? ` (${v.candidateId})` : ' (seed)'}: ${v.message}` },
          `v${v.version}${v.candidateId ? ` (${v.candidateId})` : ' (seed)'}`,
        ),
        bdCell(v.bdRate),
        formatBdRate(v.heldOutBdRate),
        v.version > 1
          ? button('Compare', () => post(message<ViewMessages, 'compare'>('compare', { version: v.version })), {
              action: 'compare',
              appearance: 'secondary',
            })
          : '',
      ]),
      { kind: 'versions', columns: NARROW_COLUMNS },
    ),
  );
}

function evaluation(s: ViewState): HTMLElement | null {
  const e = s.evaluation;
  if (!e) return null;
  const clip = e.clips[0];
  const host = el('div', { class: 'chart', 'data-chart': 'evaluation' });
  if (clip)
    queueMicrotask(() => {
      const c = rdChart(host, clip.curves, s.rdMetric, 180);
      if (c) charts.push(c);
    });
  return section(
    `Evaluation: ${e.file}`,
    'evaluation',
    el('div', { class: e.ok ? 'muted' : 'error', 'data-field': 'evaluation' }, e.message),
    ...e.clips.map((c) =>
      el(
        'div',
        { class: 'bdrates' },
        `${c.clip}: `,
        ...Object.entries(c.bdRate).map(([r, v]) => el('span', { class: 'bdref' }, `vs ${r} `, bdCell(v))),
      ),
    ),
    clip ? host : null,
  );
}

function failures(s: ViewState): HTMLElement | null {
  if (s.failures.length === 0) return null;
  const max = Math.max(...s.failures.map((f) => f.count));
  return section(
    'Failures by class',
    'failures',
    el(
      'div',
      { class: 'failures' },
      ...s.failures.map((f) => {
        const bar = el('span', { class: 'bar' });
        bar.style.width = `${Math.round((100 * f.count) / max)}%`;
        return el(
          'div',
          { class: 'failure', 'data-class': f.class, title: f.example ?? '' },
          el('span', { class: 'fclass' }, f.class),
          el('span', { class: 'track' }, bar),
          el('span', { class: 'fcount' }, String(f.count)),
        );
      }),
    ),
  );
}

// The directive form lives across renders (a state arrives every half second while the loop runs), so
// what the person is typing survives them.
let directiveForm: { text: HTMLInputElement; block: HTMLInputElement; add: HTMLElement; node: HTMLElement } | undefined;

function directiveFormNodes(): NonNullable<typeof directiveForm> {
  if (directiveForm) return directiveForm;
  const text = el('input', {
    type: 'text',
    class: 'directive-text',
    'data-field': 'directive-text',
    placeholder: 'e.g. try B-frames next',
    'aria-label': 'New directive',
  });
  const block = el('input', {
    type: 'text',
    class: 'directive-block',
    'data-field': 'directive-block',
    placeholder: 'block (optional)',
    'aria-label': 'EVOLVE-BLOCK to focus on (optional)',
  });
  const submit = () => {
    const t = text.value.trim();
    if (!t) {
      text.focus();
      return;
    }
    post(message<ViewMessages, 'addDirective'>('addDirective', { text: t, ...(block.value.trim() ? { block: block.value.trim() } : {}) }));
    text.value = '';
    block.value = '';
  };
  for (const i of [text, block])
    i.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') submit();
    });
  const add = button('Add', submit, { action: 'addDirective', title: 'Every following prompt quotes it until you remove it' });
  directiveForm = { text, block, add, node: el('div', { class: 'directive-form' }, text, block, add) };
  return directiveForm;
}

function directives(s: ViewState): HTMLElement | null {
  if (!s.initialized) return null;
  const form = directiveFormNodes();
  form.add.toggleAttribute('disabled', !s.trusted);
  const list =
    s.directives.length === 0
      ? el('p', { class: 'muted' }, 'No directive: the model follows the strategy alone. Tell it what to try next.')
      : el(
          'ul',
          { class: 'directives' },
          ...s.directives.map((d) =>
            el(
              'li',
              { class: 'directive', 'data-directive': d.id },
              el('span', { class: 'directive-id' }, d.id),
              el(
                'span',
                { class: 'directive-say', title: `${d.answered} candidate(s) answered it` },
                d.block ? `[${d.block}] ` : '',
                d.text,
              ),
              el('span', { class: 'muted' }, ` ${d.answered}×`),
              button('Remove', () => post(message<ViewMessages, 'removeDirective'>('removeDirective', { id: d.id })), {
                action: 'removeDirective',
                appearance: 'secondary',
                disabled: !s.trusted,
                title: 'Later prompts no longer quote it',
              }),
            ),
          ),
        );
  const title = el('span', {}, 'Directives ', badge(String(s.directives.length)));
  const sec = section('', 'directives', list, form.node);
  sec.querySelector('h3')!.append(title);
  return sec;
}

export function render(root: HTMLElement, s: ViewState): void {
  const focused = directiveForm && [directiveForm.text, directiveForm.block].find((i) => i === document.activeElement);
  const caret = focused ? ([focused.selectionStart, focused.selectionEnd] as const) : undefined;
  for (const c of charts) c.destroy();
  charts = [];
  const parts = [
    header(s),
    s.blockedReason ? el('div', { class: 'blocked', 'data-field': 'blocked' }, s.blockedReason) : null,
    actions(s),
    best(s),
    ...plots(s),
    evaluation(s),
    s.initialized ? queue(s) : null,
    directives(s),
    s.initialized ? versions(s) : null,
    failures(s),
  ];
  root.replaceChildren(...parts.filter((x): x is HTMLElement => !!x));
  if (focused) {
    focused.focus();
    focused.setSelectionRange(caret![0], caret![1]);
  }
}

export function startSidebar(root: HTMLElement): void {
  receiveStates('sidebar', (state) => render(root, state), { frames: () => {}, framesFailed: () => {} });
}
