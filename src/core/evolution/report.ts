// The self-contained HTML report: RD plot (seed, best, references), BD-rate over generations, the
// lineage of the best program and the adopted versions. Inline SVG, no scripts, no external files.
import type { RdPoint } from '../metrics/rd';
import { DEFAULT_OBJECTIVE, METRIC_IDS, METRICS, metricLabel, metricOf, type Guard, type MetricId } from '../metrics/registry';
import type { CandidateRecord, VersionRecord } from '../store/records';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

interface Series {
  name: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  line: boolean;
}

function plot(title: string, xLabel: string, yLabel: string, series: Series[], integerX = false, w = 640, h = 360): string {
  const all = series.flatMap((s) => s.points);
  if (!all.length) return `<p>${esc(title)}: no data yet</p>`;
  const pad = { l: 60, r: 150, t: 30, b: 45 };
  let [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  let [y0, y1] = [Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))];
  if (x1 === x0) {
    x0 -= 1;
    x1 += 1;
  }
  if (y1 === y0) {
    y0 -= 1;
    y1 += 1;
  }
  const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const sy = (y: number) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  const ticks = (a: number, b: number) => Array.from({ length: 5 }, (_, i) => a + ((b - a) * i) / 4);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">`;
  svg += `<text x="${w / 2 - pad.r / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`;
  svg += `<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#888"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${h - pad.b}" stroke="#888"/>`;
  // Generations are whole numbers: label each distinct integer tick once.
  const xTicks = integerX ? [...new Set(ticks(x0, x1).map(Math.round))] : ticks(x0, x1);
  for (const t of xTicks)
    svg += `<text x="${sx(t)}" y="${h - pad.b + 15}" font-size="10" text-anchor="middle">${integerX ? t : t.toFixed(Math.abs(x1 - x0) < 10 ? 1 : 0)}</text>`;
  for (const t of ticks(y0, y1))
    svg += `<text x="${pad.l - 5}" y="${sy(t) + 3}" font-size="10" text-anchor="end">${t.toFixed(Math.abs(y1 - y0) < 10 ? 2 : 1)}</text>`;
  svg += `<text x="${(pad.l + w - pad.r) / 2}" y="${h - 8}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>`;
  svg += `<text x="14" y="${h / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${h / 2})">${esc(yLabel)}</text>`;
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    if (s.line && pts.length > 1)
      svg += `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`;
    for (const p of pts)
      svg += `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="${s.line ? 3 : 2.5}" fill="${s.color}" fill-opacity="${s.line ? 1 : 0.55}"/>`;
    svg += `<rect x="${w - pad.r + 10}" y="${pad.t + i * 18}" width="10" height="10" fill="${s.color}"/><text x="${w - pad.r + 25}" y="${pad.t + i * 18 + 9}" font-size="11">${esc(s.name)}</text>`;
  });
  return svg + '</svg>';
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export function renderReport(args: {
  title: string;
  candidates: CandidateRecord[];
  versions: VersionRecord[];
  primaryReference: string;
  objective?: MetricId;
  guards?: Guard[];
}): string {
  const { candidates, versions } = args;
  const objective = args.objective ?? DEFAULT_OBJECTIVE;
  const guards = args.guards ?? [];
  const y = (p: RdPoint) => metricOf(p, objective);
  const scored = candidates.filter((c) => c.metrics?.trainingBdRate !== undefined);
  const root = scored.find((c) => c.parentId === null);
  const best = [...scored].sort((a, b) => a.metrics!.trainingBdRate! - b.metrics!.trainingBdRate!)[0];
  const rdSeries: Series[] = [];
  const clip = best?.metrics?.training[0];
  if (root?.metrics?.training[0])
    rdSeries.push({
      name: `seed ${root.id}`,
      color: COLORS[0],
      line: true,
      points: root.metrics.training[0].points.map((p) => ({ x: p.kbps, y: y(p) })),
    });
  if (best && best !== root && clip)
    rdSeries.push({ name: `best ${best.id}`, color: COLORS[1], line: true, points: clip.points.map((p) => ({ x: p.kbps, y: y(p) })) });
  for (const [i, [ref, pts]] of Object.entries(clip?.references ?? root?.metrics?.training[0]?.references ?? {}).entries()) {
    rdSeries.push({ name: ref, color: COLORS[2 + i], line: true, points: pts.map((p) => ({ x: p.kbps, y: y(p) })) });
  }
  let bestSoFar = Infinity;
  const gens = [...new Set(scored.map((c) => c.generation))].sort((a, b) => a - b);
  const bestLine = gens.map((g) => {
    for (const c of scored.filter((c) => c.generation === g)) bestSoFar = Math.min(bestSoFar, c.metrics!.trainingBdRate!);
    return { x: g, y: bestSoFar };
  });
  const genSeries: Series[] = [
    { name: 'candidates', color: COLORS[0], line: false, points: scored.map((c) => ({ x: c.generation, y: c.metrics!.trainingBdRate! })) },
    { name: 'best so far', color: COLORS[1], line: true, points: bestLine },
  ];
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const chain: CandidateRecord[] = [];
  for (let cur: CandidateRecord | undefined = best; cur && !chain.includes(cur); cur = cur.parentId ? byId.get(cur.parentId) : undefined)
    chain.unshift(cur);
  const counts = new Map<string, number>();
  for (const c of candidates) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  const failures = new Map<string, number>();
  for (const c of candidates) if (c.failure) failures.set(c.failure.class, (failures.get(c.failure.class) ?? 0) + 1);
  const fmt = (x?: number) => (x === undefined ? 'n/a' : `${x.toFixed(3)} %`);
  const label = METRICS[objective].label;
  // Every metric's BD-rate for the seed, the best and the latest adopted version: a gain on the
  // objective bought by a loss elsewhere shows here.
  const latest = versions[versions.length - 1];
  const adopted = latest?.candidateId ? candidates.find((c) => c.id === latest.candidateId) : root;
  const columns = [
    ['seed', root],
    ...(adopted && adopted !== root ? [[`adopted v${latest!.version}`, adopted]] : []),
    ...(best && best !== root && best !== adopted ? [[`best ${best.id}`, best]] : []),
  ] as Array<[string, CandidateRecord | undefined]>;
  const metricsShown = METRIC_IDS.filter((m) =>
    columns.some(([, c]) => c?.metrics?.trainingBdRates?.[m]?.[args.primaryReference] !== undefined),
  );
  const guardOf = (m: MetricId) => guards.find((g) => g.metric === m);
  const metricRows = metricsShown
    .map(
      (m) =>
        `<tr><td>${esc(METRICS[m].label)}${m === objective ? ' (objective)' : guardOf(m) ? ` (guard, ±${guardOf(m)!.tolerancePercent} pp)` : ''}</td>` +
        columns.map(([, c]) => `<td>${fmt(c?.metrics?.trainingBdRates?.[m]?.[args.primaryReference])}</td>`).join('') +
        '</tr>',
    )
    .join('\n');
  const stopped = candidates.filter((c) => c.verdict?.stoppedBy && typeof c.verdict.stoppedBy === 'object');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(args.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}code{font-size:12px}</style></head><body>
<h1>${esc(args.title)}</h1>
<p>${candidates.length} candidates: ${[...counts].map(([k, v]) => `${v} ${esc(k)}`).join(', ')}. Seed training BD-rate vs ${esc(args.primaryReference)} ${fmt(root?.metrics?.trainingBdRate)}; best ${fmt(best?.metrics?.trainingBdRate)} (${esc(best?.id ?? 'n/a')}).
${failures.size ? ` Failures by class: ${[...failures].map(([k, v]) => `${esc(k)} ${v}`).join(', ')}.` : ''}</p>
<p>Objective: ${esc(label)} BD-rate vs ${esc(args.primaryReference)}. Guards: ${guards.length ? guards.map((g) => `${esc(METRICS[g.metric]?.label ?? g.metric)} (tolerance ${g.tolerancePercent} pp)`).join(', ') : 'none'}.
${
  stopped.length
    ? ` ${stopped.length} candidate(s) gained on the objective but were stopped by a guard: ${stopped
        .slice(0, 8)
        .map((c) => `<code>${esc(c.id)}</code> (${esc(metricLabel((c.verdict!.stoppedBy as { guard: MetricId }).guard))})`)
        .join(', ')}.`
    : ''
}</p>
<h2>Every metric (training BD-rate vs ${esc(args.primaryReference)})</h2><table><tr><th>metric</th>${columns.map(([n]) => `<th>${esc(n)}</th>`).join('')}</tr>
${metricRows}</table>
<h2>Rate–distortion (${esc(clip?.clip ?? 'training clip')})</h2>${plot(`${label} against bitrate`, 'kbit/s', `${label} (${METRICS[objective].unit || 'value'})`, rdSeries)}
<h2>BD-rate over generations</h2>${plot(`training ${label} BD-rate vs ${args.primaryReference} (lower is better)`, 'generation', 'BD-rate (%)', genSeries, true)}
<h2>Lineage of the best program</h2><table><tr><th>candidate</th><th>generation</th><th>training BD-rate</th><th>hypothesis</th></tr>
${chain.map((c) => `<tr><td><code>${esc(c.id)}</code></td><td>${c.generation}</td><td>${fmt(c.metrics?.trainingBdRate)}</td><td>${esc(c.hypothesis.slice(0, 200))}</td></tr>`).join('\n')}</table>
<h2>Adopted versions</h2><table><tr><th>version</th><th>from</th><th>time</th><th>training BD-rate</th><th>git</th></tr>
${versions.map((v) => `<tr><td>v${v.version}</td><td><code>${esc(v.candidateId ?? 'seed')}</code></td><td>${esc(v.time)}</td><td>${fmt(v.trainingBdRate)}</td><td>${esc(v.gitCommit?.slice(0, 10) ?? '')}</td></tr>`).join('\n')}</table>
</body></html>\n`;
}
