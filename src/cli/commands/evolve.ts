import type { Command, CliIO } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { runSession } from '../../core/evolution/session';
import { UsageError } from '../../core/errors';
import type { ProviderConfig } from '../../core/store/config';
import type { EngineStatus } from '../../core/evolution/engine';
import type { EngineEventListener } from '../../core/events';

function num(v: string | undefined, name: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} ${v} is not a ${integer ? 'non-negative integer' : 'non-negative number'}`);
  return n;
}

export function progressPrinter(io: CliIO, json: boolean): EngineEventListener {
  return (type, d) => {
    if (json) return;
    if (type === 'candidate-finished') {
      const bd = typeof d.trainingBdRate === 'number' ? `${d.trainingBdRate.toFixed(3)} %` : '';
      const f = d.failure;
      io.err(`  ${d.id.padEnd(10)} ${d.state.padEnd(14)} ${bd}${f ? `${f.class}: ${f.message.split('\n')[0].slice(0, 100)}` : ''}`);
    } else if (type === 'generation-finished') {
      const b = d.best;
      io.err(`generation ${d.generation} done; best ${b ? `${b.id} ${b.trainingBdRate.toFixed(3)} %` : 'n/a'}; strategy ${d.strategy}${d.stagnation ? ` (${d.stagnation})` : ''}`);
    } else if (type === 'strategy-changed') {
      io.err(`strategy ${d.from} → ${d.to}: ${d.reason}`);
    } else if (type === 'warning') {
      io.err(`warning: ${d.message}`);
    }
  };
}

export function describeStatus(s: EngineStatus): string[] {
  return [
    `generation ${s.generation}, ${s.candidates} candidates (${s.evaluated} scored, ${s.pendingReview} awaiting review)`,
    `best training BD-rate: ${s.best ? `${s.best.trainingBdRate.toFixed(3)} % (${s.best.id})` : 'n/a'}; adopted v${s.adoptedVersion ?? '?'} at ${s.adoptedBdRate?.toFixed(3) ?? 'n/a'} %`,
    `strategy ${s.strategy}${s.stagnation ? ` — stagnating: ${s.stagnation}` : ''}; spent $${s.spentUsd.toFixed(4)} (${s.tokens.input} in / ${s.tokens.output} out tokens)` +
      (s.evaluationsPerMinute ? `; ${s.evaluationsPerMinute.toFixed(1)} evaluations/min` : ''),
    ...(s.paretoFront?.length ? [`Pareto front (BD-rate / encode ms / decode ms): ${s.paretoFront.slice(0, 6).map((p) => `${p.id} ${p.trainingBdRate.toFixed(2)} %/${p.encodeMs}/${p.decodeMs}`).join(', ')}`] : []),
    ...(s.stopReason ? [`stopped: ${s.stopReason}`] : []),
  ];
}

export const evolve: Command = {
  name: 'evolve',
  summary: 'run the evolution loop on the workspace (offline by default)',
  usage: `codec-evolve evolve [--provider offline|anthropic|openai-compatible] [--model M] [--base-url URL] [--max-tokens N]
                    [--generations N] [--budget-usd X] [--wall-minutes M] [--concurrency N] [--until-generation G] [--json]
  Runs N generations (each: select parents, propose, smoke → training → held-out, judge). Ctrl+C stops cleanly;
  running evolve again resumes. anthropic reads ANTHROPIC_API_KEY; openai-compatible talks to BASE_URL/v1/chat/completions.`,
  async run(argv, io) {
    const { values } = parse(argv, {
      provider: { type: 'string' }, model: { type: 'string' }, 'base-url': { type: 'string' }, 'max-tokens': { type: 'string' },
      generations: { type: 'string' }, 'budget-usd': { type: 'string' }, 'wall-minutes': { type: 'string' },
      concurrency: { type: 'string' }, 'until-generation': { type: 'string' }, json: { type: 'boolean' },
    }, 'evolve');
    const ws = Workspace.find(io.cwd);
    const provider: Partial<ProviderConfig> = {};
    if (values.provider) {
      if (!['offline', 'anthropic', 'openai-compatible'].includes(values.provider)) throw new UsageError(`--provider ${values.provider} is not offline, anthropic or openai-compatible`);
      provider.kind = values.provider as ProviderConfig['kind'];
    }
    if (values.model) provider.model = values.model;
    if (values['base-url']) provider.baseUrl = values['base-url'];
    if (values['max-tokens']) provider.maxTokens = num(values['max-tokens'], 'max-tokens', true);
    const generations = num(values.generations, 'generations', true);
    const status = await runSession(ws, {
      provider, signal: io.signal,
      generations: generations ?? (values['until-generation'] ? undefined : 10),
      untilGeneration: num(values['until-generation'], 'until-generation', true),
      concurrency: num(values.concurrency, 'concurrency', true) || undefined,
      budgets: { usd: num(values['budget-usd'], 'budget-usd'), wallMinutes: num(values['wall-minutes'], 'wall-minutes') },
      onEvent: progressPrinter(io, !!values.json),
    });
    if (values.json) io.out(JSON.stringify(status));
    else for (const l of describeStatus(status)) io.out(l);
    return status.stopReason === 'cancelled' ? 130 : 0;
  },
};
