import type { Command, CliIO } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { runSession } from '../../core/evolution/session';
import { UsageError } from '../../core/errors';
import type { ProviderConfig } from '../../core/store/config';
import type { EngineStatus } from '../../core/evolution/engine';
import type { EngineEventListener } from '../../core/events';
import { parseProviderKind } from '../../core/llm/registry';
import {
  DEFAULT_GUARD_TOLERANCE,
  METRIC_IDS,
  bdRateName,
  bdRateSaying,
  isMetricId,
  metricLabel,
  scoringText,
  type Guard,
} from '../../core/metrics/registry';

/** "psnrY:1,psnrU:0.5,ssimY" (tolerance in BD-rate pp, default 1.0) or "none". */
export function parseGuards(s: string): Guard[] {
  if (s.trim() === 'none') return [];
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((item) => {
      const [metric, tol] = item.split(':');
      if (!isMetricId(metric))
        throw new UsageError(
          `--guards: '${metric}' is not a metric`,
          `choose from ${METRIC_IDS.join(', ')}, e.g. --guards psnrY:1,psnrU:1`,
        );
      const t = tol === undefined ? DEFAULT_GUARD_TOLERANCE : Number(tol);
      if (!Number.isFinite(t) || t < 0)
        throw new UsageError(`--guards: tolerance '${tol}' of ${metric} is not a non-negative number`, 'e.g. --guards psnrU:1.5');
      return { metric, tolerancePercent: t };
    });
}

function num(v: string | undefined, name: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`--${name} ${v} is not a ${integer ? 'non-negative integer' : 'non-negative number'}`);
  return n;
}

export function progressPrinter(io: CliIO, json: boolean): EngineEventListener {
  let lastQueue = '';
  return (type, d) => {
    if (json) return;
    if (type === 'candidate-finished') {
      const bd = typeof d.trainingBdRate === 'number' ? `${d.trainingBdRate.toFixed(3)} %` : '';
      const f = d.failure;
      io.err(`  ${d.id.padEnd(10)} ${d.state.padEnd(14)} ${bd}${f ? `${f.class}: ${f.message.split('\n')[0].slice(0, 100)}` : ''}`);
    } else if (type === 'generation-finished') {
      const b = d.best;
      io.err(
        `generation ${d.generation} done; best ${b ? `${b.id} ${b.trainingBdRate.toFixed(3)} %` : 'n/a'}; strategy ${d.strategy}${d.stagnation ? ` (${d.stagnation})` : ''}`,
      );
    } else if (type === 'strategy-changed') {
      io.err(`strategy ${d.from} → ${d.to}: ${d.reason}`);
    } else if (type === 'queue' && d.connected) {
      const key = `${d.workers.length}/${d.waiting}/${d.active}`;
      if (key !== lastQueue) io.err(`queue ${d.url}: ${d.workers.length} worker(s), ${d.waiting} waiting, ${d.active} running`);
      lastQueue = key;
    } else if (type === 'candidate-resumed' || type === 'candidate-reproposed') {
      io.err(String(d.message));
    } else if (type === 'warning') {
      io.err(`warning: ${d.message}`);
    }
  };
}

/** What scores candidates, then the best and the adopted BD-rate, each saying what it is of. */
function scoreLines(s: EngineStatus): string[] {
  const sc = s.scoring;
  if (!sc)
    return [
      `best training BD-rate: ${s.best ? `${s.best.trainingBdRate.toFixed(3)} % (${s.best.id})` : 'n/a'}; adopted v${s.adoptedVersion ?? '?'} at ${s.adoptedBdRate?.toFixed(3) ?? 'n/a'} %`,
    ];
  const bd = (metric: string, x: number | undefined) =>
    x === undefined ? 'no BD-rate' : `${bdRateName(metric, sc.reference)} ${bdRateSaying(x, sc.reference)}`;
  return [
    scoringText(sc),
    `best: ${s.best ? `${s.best.id}, ${bd(sc.objective, s.best.trainingBdRate)}` : 'none scored yet'}; adopted: ${
      s.adoptedVersion !== undefined ? `v${s.adoptedVersion}, ${bd(s.adoptedObjective ?? sc.objective, s.adoptedBdRate)}` : 'no version'
    }`,
  ];
}

export function describeStatus(s: EngineStatus): string[] {
  // s.generation is the generation the loop is on, or would start next: the completed ones are one fewer.
  const done = Math.max(0, s.generation - 1);
  const sc = s.scoring;
  return [
    `${s.running ? `running generation ${s.generation} (${done} completed)` : `${done} generation${done === 1 ? '' : 's'} completed`}, ${s.candidates} candidates (${s.evaluated} scored, ${s.pendingReview} awaiting review)`,
    ...scoreLines(s),
    `strategy ${s.strategy}${s.stagnation ? ` — stagnating: ${s.stagnation}` : ''}; spent $${s.spentUsd.toFixed(4)} (${s.tokens.input} in / ${s.tokens.output} out tokens${s.tokens.cacheRead || s.tokens.cacheWrite ? `; prompt cache ${s.tokens.cacheWrite ?? 0} written, ${s.tokens.cacheRead ?? 0} read` : ''})` +
      (s.evaluationsPerMinute ? `; ${s.evaluationsPerMinute.toFixed(1)} evaluations/min` : ''),
    ...(s.paretoFront?.length
      ? [
          `Pareto front (${sc ? bdRateName(sc.objective, sc.reference) : 'BD-rate'} / encode ms / decode ms): ${s.paretoFront
            .slice(0, 6)
            .map((p) => `${p.id} ${p.trainingBdRate.toFixed(2)} %/${p.encodeMs}/${p.decodeMs}`)
            .join(', ')}`,
        ]
      : []),
    ...(s.stopReason ? [`stopped: ${s.stopReason}`] : []),
  ];
}

export const evolve: Command = {
  name: 'evolve',
  summary: 'run the evolution loop on the workspace (offline by default)',
  usage: `codec-evolve evolve [--provider offline|anthropic|openai-compatible] [--model M] [--base-url URL] [--max-tokens N]
                    [--generations N] [--budget-usd X] [--wall-minutes M] [--concurrency N] [--until-generation G]
                    [--prompt-token-budget N] [--json]
                    [--objective ${METRIC_IDS.join('|')}] [--guards METRIC[:PP],...|none] [--queue redis://HOST:PORT]
  Runs N generations (each: select parents, propose, smoke → training → held-out, judge). Ctrl+C stops cleanly;
  running evolve again resumes. --objective (default psnrYuv) is the metric whose BD-rate scores candidates;
  --guards (default psnrY:1,psnrU:1,psnrV:1,ssimY:1) are metrics whose BD-rate may not regress by more than PP
  percentage points against the adopted version for a candidate to be queued. Both are saved in the workspace config. anthropic reads ANTHROPIC_API_KEY; openai-compatible talks to BASE_URL/v1/chat/completions.
  --prompt-token-budget caps one prompt's estimated input tokens (0: no cap; default evolution.promptTokenBudget).
  --queue sends every evaluation to 'codec-evolve worker' processes through Redis (rediss:// for TLS; a password
  goes in the URL, redis://:PASSWORD@HOST:PORT, and is never printed). Without it candidates run on this machine.
  With a queue, --concurrency is how many candidates are in flight (raise candidatesPerGeneration to match).`,
  async run(argv, io) {
    const { values } = parse(
      argv,
      {
        provider: { type: 'string' },
        model: { type: 'string' },
        'base-url': { type: 'string' },
        'max-tokens': { type: 'string' },
        generations: { type: 'string' },
        'budget-usd': { type: 'string' },
        'wall-minutes': { type: 'string' },
        concurrency: { type: 'string' },
        'until-generation': { type: 'string' },
        'prompt-token-budget': { type: 'string' },
        json: { type: 'boolean' },
        queue: { type: 'string' },
        objective: { type: 'string' },
        guards: { type: 'string' },
      },
      'evolve',
    );
    const ws = Workspace.find(io.cwd);
    if (values.objective !== undefined && !isMetricId(values.objective)) {
      throw new UsageError(`--objective '${values.objective}' is not a metric`, `choose from ${METRIC_IDS.join(', ')}`);
    }
    const guards = values.guards !== undefined ? parseGuards(values.guards) : undefined;
    if (values.objective !== undefined || guards) {
      const cfg = ws.readConfig();
      if (isMetricId(values.objective)) cfg.evolution.objective = values.objective;
      if (guards) cfg.evolution.guards = guards;
      ws.writeConfig(cfg);
    }
    if (!values.json) {
      const e = ws.readConfig().evolution;
      io.err(
        `objective: ${metricLabel(e.objective)} BD-rate; guards: ${e.guards.length ? e.guards.map((g) => `${metricLabel(g.metric)} ±${g.tolerancePercent} pp`).join(', ') : 'none'}`,
      );
    }
    const provider: Partial<ProviderConfig> = {};
    if (values.provider) {
      provider.kind = parseProviderKind(values.provider);
    }
    if (values.model) provider.model = values.model;
    if (values['base-url']) provider.baseUrl = values['base-url'];
    if (values['max-tokens']) provider.maxTokens = num(values['max-tokens'], 'max-tokens', true);
    const generations = num(values.generations, 'generations', true);
    // 0 used to evaluate the seed anyway (the root is scored before the budget is checked).
    if (generations === 0)
      throw new UsageError(
        '--generations 0 runs nothing',
        'give --generations 1 or more (codec-evolve status shows where the workspace stands)',
      );
    const status = await runSession(ws, {
      provider,
      signal: io.signal,
      generations: generations ?? (values['until-generation'] ? undefined : 10),
      untilGeneration: num(values['until-generation'], 'until-generation', true),
      concurrency: num(values.concurrency, 'concurrency', true) || undefined,
      promptTokenBudget: num(values['prompt-token-budget'], 'prompt-token-budget', true),
      budgets: { usd: num(values['budget-usd'], 'budget-usd'), wallMinutes: num(values['wall-minutes'], 'wall-minutes') },
      onEvent: progressPrinter(io, !!values.json),
      ...(values.queue ? { queue: values.queue } : {}),
    });
    if (values.json) io.out(JSON.stringify(status));
    else for (const l of describeStatus(status)) io.out(l);
    return status.stopReason === 'cancelled' ? 130 : 0;
  },
};
