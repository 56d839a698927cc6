// What the workspace's records say about a run, picked for a question: the facts `codec-evolve ask`,
// the @codec chat participant and the language-model tools answer from. Selection and wording are
// pure functions over the records (unit-tested); only gatherFacts at the end reads the workspace.
// A model that answers gets these facts and nothing else, so every number it can quote was measured.
import { bdRateName, bdRateSaying, formatMetrics, metricLabel, scoringText, type Guard } from '../metrics/registry';
import type { CandidateRecord, VersionRecord } from '../store/records';
import type { Directive } from '../store/directives';
import { activeDirectives, listDirectives } from '../store/directives';
import type { Workspace } from '../store/workspace';
import { readJsonIfExists } from '../store/atomic';
import { analyzeFailures } from './failure-analysis';
import { rescored } from './engine';
import { unifiedDiff } from './diff';
import { join } from 'node:path';

type FactTopic = 'run' | 'directives' | 'recent' | 'failures' | 'progress' | 'queue' | 'candidate';

export interface FactSection {
  topic: FactTopic;
  title: string;
  lines: string[];
  /** A diff or code listing shown verbatim (never rewritten into links). */
  code?: { lang: string; text: string };
}

export interface RunData {
  candidates: CandidateRecord[];
  versions: VersionRecord[];
  directives: Directive[];
  primaryReference: string;
  /** The metric the training BD-rate is of (config evolution.objective). */
  objective?: string;
  /** Metrics that may not lose more than their tolerance (config evolution.guards). */
  guards?: Guard[];
  /** From status.json: what the records alone do not say. */
  status?: { running?: boolean; strategy?: string; stagnation?: string; stopReason?: string; generation?: number };
  /** Diffs against the parent of the candidates a selection names (I/O is the caller's). */
  diffs?: Record<string, string>;
}

export interface FactSelection {
  topics: FactTopic[];
  /** Candidates to explain in full (record, numbers, diff). */
  candidateIds: string[];
  /** How many of the latest candidates "recent" and "failures" look at. */
  window: number;
}

const WORD_NUMBERS: Record<string, number> = { five: 5, ten: 10, twenty: 20, fifty: 50, hundred: 100 };

/** Candidate ids in free text: `g0003-1`, also written `g3-1`, and version roots `v0001-root`. */
export function mentionedCandidates(text: string, known: string[]): string[] {
  const ids = new Set(known);
  const out: string[] = [];
  for (const m of text.matchAll(/\b(g)(\d{1,6})-(\d+)\b|\b(v\d{4}-root)\b/gi)) {
    const id = m[4] ? m[4].toLowerCase() : `g${m[2].padStart(4, '0')}-${m[3]}`;
    if (ids.has(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

/** Which facts a question needs. The run summary always comes; the rest by the question's words. */
export function selectFacts(question: string, known: string[]): FactSelection {
  const q = question.toLowerCase();
  const topics = new Set<FactTopic>(['run', 'directives']);
  const candidateIds = mentionedCandidates(question, known);
  if (candidateIds.length) topics.add('candidate');
  const n = /\b(?:last|latest|recent)\s+(\d+|five|ten|twenty|fifty|hundred)\b/.exec(q);
  const window = n ? Math.min(200, Number(n[1]) || WORD_NUMBERS[n[1]] || 10) : 10;
  if (/fail|error|invalid|crash|timeout|broke|refus|reject|wrong|why/.test(q)) topics.add('failures');
  if (/best|progress|improv|better|worse|gain|bd|trend|stagn|version|adopt|over time|so far/.test(q)) topics.add('progress');
  if (/review|queue|pending|waiting|accept/.test(q)) topics.add('queue');
  if (/last|latest|recent|candidates|tried|attempt|hypothes|idea/.test(q) || topics.size === 2) topics.add('recent');
  return { topics: [...topics], candidateIds, window };
}

const pct = (x: number | undefined | null): string =>
  x === undefined || x === null || !Number.isFinite(x) ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(3)} %`;
const oneLine = (s: string, max = 160): string => {
  const l = s.split('\n')[0].trim();
  return l.length > max ? l.slice(0, max - 1) + '…' : l;
};

function byState(cs: CandidateRecord[]): string {
  const counts = new Map<string, number>();
  for (const c of cs) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

function bestOf(cs: CandidateRecord[]): CandidateRecord | undefined {
  return cs
    .filter((c) => c.metrics?.trainingBdRate !== undefined)
    .sort((a, b) => a.metrics!.trainingBdRate! - b.metrics!.trainingBdRate!)[0];
}

/** One line per candidate: what a person scans in a list. */
function candidateLine(c: CandidateRecord): string {
  const bd = c.metrics?.trainingBdRate !== undefined ? `BD-rate ${pct(c.metrics.trainingBdRate)}` : 'no BD-rate';
  const parent = c.parentId ? `, parent ${c.parentId}${c.parentBdRate !== undefined ? ` (${pct(c.parentBdRate)})` : ''}` : '';
  const steer = c.directiveIds?.length ? `, answering ${c.directiveIds.join(', ')}` : '';
  const what = c.failure
    ? `${c.failure.class}${c.failure.stage ? ` at ${c.failure.stage}` : ''}: ${oneLine(c.failure.message)}`
    : c.hypothesis
      ? `idea: ${oneLine(c.hypothesis)}`
      : '';
  return `${c.id} ${c.state}, ${bd}${parent}${steer}${what ? ` — ${what}` : ''}`;
}

function runSection(d: RunData): FactSection {
  const cs = d.candidates;
  const gen = cs.reduce((m, c) => Math.max(m, c.generation), 0);
  const best = bestOf(cs);
  const v = [...d.versions].sort((a, b) => b.version - a.version)[0];
  const spent = cs.reduce((a, c) => a + c.costUsd, 0);
  const tokens = cs.reduce((t, c) => ({ i: t.i + c.tokens.input, o: t.o + c.tokens.output }), { i: 0, o: 0 });
  const s = d.status;
  const ref = d.primaryReference;
  // Records written before the objective was configurable scored PSNR-Y.
  const objective = d.objective ?? 'psnrY';
  const bd = (metric: string, x: number | undefined) =>
    x === undefined ? 'no BD-rate' : `${bdRateName(metric, ref)} ${bdRateSaying(x, ref)}`;
  const lines = [
    `${s?.running ? 'running' : 'not running'}${s?.stopReason && !s.running ? ` (last stop: ${s.stopReason})` : ''}; ${gen} generation(s) completed or started, ${cs.length} candidates: ${byState(cs) || 'none yet'}`,
    scoringText({ objective: objective, reference: ref, guards: d.guards }, true),
    `adopted: ${v ? `version ${v.version}${v.candidateId ? ` from ${v.candidateId}` : ' (the seed)'}, ${bd(v.objective ?? 'psnrY', v.trainingBdRate)}${v.heldOutBdRate !== undefined ? `, held-out ${pct(v.heldOutBdRate)}` : ''}` : 'no version'}`,
    `best candidate measured: ${best ? `${best.id}, ${bd(objective, best.metrics!.trainingBdRate)} (${best.state})` : 'none evaluated yet'}`,
    `strategy ${s?.strategy ?? 'refine'}${s?.stagnation ? `; stagnating: ${s.stagnation}` : ''}; spent $${spent.toFixed(4)} (${tokens.i} input / ${tokens.o} output tokens)`,
  ];
  return { topic: 'run', title: 'Run', lines };
}

function directivesSection(d: RunData): FactSection {
  const active = activeDirectives(d.directives);
  const answered = (id: string) => d.candidates.filter((c) => c.directiveIds?.includes(id));
  const lines = active.map((x) => {
    const a = answered(x.id);
    const best = bestOf(a);
    return `${x.id}${x.block ? ` [block ${x.block}]` : ''}: "${x.text}" — ${a.length} candidate(s) answered it${best ? `, best ${best.id} at ${pct(best.metrics!.trainingBdRate)}` : ''}`;
  });
  const cleared = d.directives.length - active.length;
  if (!lines.length) lines.push('no active directive');
  if (cleared) lines.push(`${cleared} earlier directive(s) cleared`);
  return { topic: 'directives', title: 'Directives from the person', lines };
}

function recentSection(d: RunData, window: number): FactSection {
  const recent = [...d.candidates]
    .filter((c) => c.generation > 0)
    .sort((a, b) => a.generation - b.generation || a.slot - b.slot)
    .slice(-window);
  return { topic: 'recent', title: `Last ${recent.length} candidate(s)`, lines: recent.length ? recent.map(candidateLine) : ['none yet'] };
}

function failuresSection(d: RunData, window: number): FactSection {
  const recent = [...d.candidates]
    .filter((c) => c.generation > 0)
    .sort((a, b) => a.generation - b.generation || a.slot - b.slot)
    .slice(-window);
  const s = analyzeFailures(recent, window);
  const lines = [`${s.failures} of the last ${s.total} candidate(s) failed`];
  for (const g of s.byClass) {
    const stages = new Map<string, number>();
    for (const c of recent)
      if (c.failure?.class === g.class) stages.set(c.failure.stage ?? '?', (stages.get(c.failure.stage ?? '?') ?? 0) + 1);
    const ids = recent.filter((c) => c.failure?.class === g.class).map((c) => c.id);
    lines.push(
      `${g.class} ×${g.count} (stage ${[...stages.entries()].map(([k, n]) => `${k} ×${n}`).join(', ')}; ${ids.slice(-5).join(', ')})`,
    );
    for (const m of g.messages) lines.push(`  "${oneLine(m.message, 200)}"${m.count > 1 ? ` ×${m.count}` : ''}`);
  }
  const all = analyzeFailures(
    d.candidates.filter((c) => c.generation > 0),
    Number.MAX_SAFE_INTEGER,
  );
  if (all.total > s.total)
    lines.push(
      `over the whole run: ${all.failures} of ${all.total} failed (${all.byClass.map((g) => `${g.class} ×${g.count}`).join(', ') || 'none'})`,
    );
  return { topic: 'failures', title: 'Failures', lines };
}

function progressSection(d: RunData): FactSection {
  const gens = [...new Set(d.candidates.map((c) => c.generation))].sort((a, b) => a - b);
  let best = Infinity;
  const steps: string[] = [];
  for (const g of gens) {
    const here = bestOf(d.candidates.filter((c) => c.generation === g));
    const bd = here?.metrics?.trainingBdRate;
    if (bd !== undefined && bd < best) {
      best = bd;
      steps.push(`generation ${g}: new best ${here!.id} at ${pct(bd)}`);
    }
  }
  const lines = steps.length ? [...steps] : ['no candidate evaluated yet'];
  const last = gens.length ? gens[gens.length - 1] : 0;
  const lastStep = steps.length ? Number(/generation (\d+)/.exec(steps[steps.length - 1])![1]) : 0;
  if (steps.length && last > lastStep) lines.push(`no new best in the ${last - lastStep} generation(s) since generation ${lastStep}`);
  for (const v of [...d.versions].sort((a, b) => a.version - b.version)) {
    lines.push(
      `version ${v.version}${v.candidateId ? ` from ${v.candidateId}` : ' (seed)'}: ${pct(v.trainingBdRate)}${v.heldOutBdRate !== undefined ? `, held-out ${pct(v.heldOutBdRate)}` : ''}, ${v.time}`,
    );
  }
  return { topic: 'progress', title: 'Progress', lines };
}

export interface HistoryFilter {
  state?: string;
  failureClass?: string;
  /** Candidates whose prompt quoted this directive. */
  directiveId?: string;
  sinceGeneration?: number;
  /** The latest N after filtering (default 30). */
  limit?: number;
}

/** Candidates matching a filter, latest last: an agent's view of `codec-evolve history`. */
export function historySection(candidates: CandidateRecord[], f: HistoryFilter = {}): FactSection {
  const all = [...candidates]
    .sort((a, b) => a.generation - b.generation || a.slot - b.slot)
    .filter(
      (c) =>
        (!f.state || c.state === f.state) &&
        (!f.failureClass || c.failure?.class === f.failureClass) &&
        (!f.directiveId || !!c.directiveIds?.includes(f.directiveId)) &&
        (f.sinceGeneration === undefined || c.generation >= f.sinceGeneration),
    );
  const limit = Math.max(1, Math.min(500, f.limit ?? 30));
  const shown = all.slice(-limit);
  const what = Object.entries(f)
    .filter(([k, v]) => k !== 'limit' && v !== undefined && v !== '')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
  return {
    topic: 'recent',
    title: `History${what ? ` (${what})` : ''}: ${shown.length} of ${all.length} matching`,
    lines: shown.length ? shown.map(candidateLine) : ['no candidate matches'],
  };
}

function queueSection(d: RunData): FactSection {
  const q = d.candidates
    .filter((c) => c.state === 'pending-review')
    .sort((a, b) => (a.metrics?.trainingBdRate ?? 0) - (b.metrics?.trainingBdRate ?? 0));
  return { topic: 'queue', title: `Review queue (${q.length})`, lines: q.length ? q.map(candidateLine) : ['nothing waits for review'] };
}

/** One candidate in full: what it tried, what it answered, what was measured, and its diff. */
export function candidateSection(d: RunData, id: string): FactSection {
  const c = d.candidates.find((x) => x.id === id);
  if (!c) return { topic: 'candidate', title: `Candidate ${id}`, lines: [`no candidate '${id}' in this workspace`] };
  const m = c.metrics;
  const lines = [
    `${c.id}: ${c.state}, generation ${c.generation}, island ${c.island}, parent ${c.parentId ?? 'none (root)'}, strategy ${c.strategy}, ${c.provider}${c.model ? `/${c.model}` : ''}, $${c.costUsd.toFixed(4)}`,
    `hypothesis: ${c.hypothesis || '(none stated)'}`,
  ];
  if (c.directiveIds?.length) {
    lines.push(
      `answering directive(s): ${c.directiveIds
        .map((x) => {
          const dd = d.directives.find((y) => y.id === x);
          return dd ? `${x} "${dd.text}"` : x;
        })
        .join('; ')}`,
    );
  }
  if (m) {
    lines.push(
      `measured: training BD-rate vs ${d.primaryReference} ${pct(m.trainingBdRate)} (parent ${pct(c.parentBdRate)})${m.heldOutBdRate !== undefined ? `, held-out ${pct(m.heldOutBdRate)}` : ''}; encode ${Math.round(m.encodeMs)} ms, decode ${Math.round(m.decodeMs)} ms`,
    );
    for (const clip of m.training) {
      lines.push(
        `  ${clip.clip}: ${Object.entries(clip.bdRate)
          .map(
            ([m, byRef]) =>
              `${metricLabel(m)} ` +
              Object.entries(byRef ?? {})
                .map(([k, v]) => `vs ${k} ${pct(v)}`)
                .join(', '),
          )
          .join('; ')}`,
      );
      lines.push(`    RD: ${clip.points.map((p) => `${p.kbps.toFixed(1)} kbit/s ${formatMetrics(p.metrics)}`).join('; ')}`);
    }
  }
  if (c.failure)
    lines.push(
      `failure: ${c.failure.class}${c.failure.stage ? ` at ${c.failure.stage}` : ''}${c.failure.line ? ` (line ${c.failure.line}:${c.failure.column ?? 1})` : ''}: ${c.failure.message}`,
    );
  if (c.verdict) lines.push(`verdict: ${c.verdict.improved ? 'improved' : 'not improved'} — ${c.verdict.reason}`);
  if (c.review) lines.push(`review: ${c.review.decision} by ${c.review.by}${c.review.reason ? ` — ${c.review.reason}` : ''}`);
  const diff = d.diffs?.[id];
  return { topic: 'candidate', title: `Candidate ${id}`, lines, ...(diff ? { code: { lang: 'diff', text: diff } } : {}) };
}

export function buildFacts(d: RunData, sel: FactSelection): FactSection[] {
  const out: FactSection[] = [];
  for (const t of sel.topics) {
    if (t === 'run') out.push(runSection(d));
    else if (t === 'directives') out.push(directivesSection(d));
    else if (t === 'recent') out.push(recentSection(d, sel.window));
    else if (t === 'failures') out.push(failuresSection(d, sel.window));
    else if (t === 'progress') out.push(progressSection(d));
    else if (t === 'queue') out.push(queueSection(d));
    else if (t === 'candidate') for (const id of sel.candidateIds) out.push(candidateSection(d, id));
  }
  return out;
}

/** Plain text (for a terminal and for a model) or Markdown; `link` turns candidate ids into links
 * in Markdown prose (never inside a diff). */
export function renderFacts(
  sections: FactSection[],
  opts: { markdown?: boolean; link?: (id: string) => string; knownIds?: string[] } = {},
): string {
  const ids = new Set(opts.knownIds ?? []);
  const linkify = (s: string) =>
    opts.link && ids.size ? s.replace(/\b(g\d{4}-\d+|v\d{4}-root)\b/g, (id) => (ids.has(id) ? opts.link!(id) : id)) : s;
  return sections
    .map((s) => {
      const head = opts.markdown ? `**${s.title}**` : `## ${s.title}`;
      const body = s.lines
        .map((l) => (opts.markdown ? `- ${linkify(l.replace(/^ +/, (sp) => '\u00a0'.repeat(sp.length)))}` : `- ${l}`))
        .join('\n');
      const code = s.code ? `\n\n\`\`\`${s.code.lang}\n${s.code.text.trimEnd()}\n\`\`\`` : '';
      return `${head}\n${body}${code}`;
    })
    .join('\n\n');
}

/** Diffs cap: a prompt needs the change, not a rewrite of the whole file twice. */
const MAX_DIFF_LINES = 200;

function capDiff(diff: string, max = MAX_DIFF_LINES): string {
  const lines = diff.split('\n');
  return lines.length <= max
    ? diff
    : [...lines.slice(0, max), `… ${lines.length - max} more diff lines (codec-evolve review show ID has them all)`].join('\n');
}

/** Reads what a selection needs from the workspace: records, directives, status, and each named
 * candidate's diff against its parent. */
function readRunData(ws: Workspace, diffFor: string[] = []): RunData {
  const cfg = ws.readConfig();
  // Scored on the objective configured now (records measured under another one are re-read).
  const candidates = ws.listCandidates().map((r) => rescored(r, cfg.evolution.objective, cfg.primaryReference));
  const status = readJsonIfExists<RunData['status']>(join(ws.dir, 'status.json'));
  const diffs: Record<string, string> = {};
  for (const id of diffFor) {
    const c = candidates.find((x) => x.id === id);
    const code = c ? ws.readCandidateFile(id, 'code.js') : undefined;
    if (!c || code === undefined) continue;
    const parentCode = c.parentId ? ws.readCandidateFile(c.parentId, 'code.js') : undefined;
    diffs[id] = capDiff(unifiedDiff(parentCode ?? '', code, `${c.parentId ?? 'nothing'}/code.js`, `${id}/code.js`));
  }
  return {
    candidates,
    versions: ws.listVersions(),
    directives: listDirectives(ws),
    primaryReference: cfg.primaryReference,
    objective: cfg.evolution.objective,
    guards: cfg.evolution.guards,
    status,
    diffs,
  };
}

export interface FactsQuery {
  question?: string;
  topics?: FactTopic[];
  candidateIds?: string[];
  window?: number;
}

/** The facts for a question (topics picked from its words) or for the topics and candidates named,
 * read from the workspace. `knownIds` lets a host turn candidate ids into links. */
export function factsFor(ws: Workspace, q: FactsQuery): { sections: FactSection[]; knownIds: string[] } {
  const knownIds = ws.listCandidates().map((c) => c.id);
  const picked =
    q.question !== undefined
      ? selectFacts(q.question, knownIds)
      : { topics: q.topics ?? ['run' as const], candidateIds: q.candidateIds ?? [], window: q.window ?? 10 };
  const selection = { ...picked, ...(q.window ? { window: q.window } : {}) };
  return { sections: buildFacts(readRunData(ws, selection.candidateIds), selection), knownIds };
}

/** The facts for a question, read from the workspace. */
export function gatherFacts(ws: Workspace, question: string): { selection: FactSelection; sections: FactSection[]; data: RunData } {
  const ids = ws.listCandidates().map((c) => c.id);
  const selection = selectFacts(question, ids);
  const data = readRunData(ws, selection.candidateIds);
  return { selection, sections: buildFacts(data, selection), data };
}
