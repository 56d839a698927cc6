import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { UsageError } from '../../core/errors';
import { gatherFacts, renderFacts } from '../../core/evolution/facts';
import { askModel } from '../../core/evolution/ask';
import { createProvider } from '../../core/llm/index';
import type { ProviderConfig } from '../../core/store/config';
import { parseProviderKind } from '../../core/llm/registry';

export const ask: Command = {
  name: 'ask',
  summary: 'ask the run a question; answered from its records (the offline provider prints the facts)',
  usage: `codec-evolve ask QUESTION [--provider offline|anthropic|openai-compatible] [--model M] [--base-url URL] [--facts] [--json]
  Picks the facts the question needs from the workspace (run summary, directives, recent candidates,
  failures by class, progress, the review queue, named candidates with their numbers and diff) and has the
  configured model answer from them alone. With the offline provider, or --facts, prints the facts.
  e.g. codec-evolve ask "why did the last ten candidates fail?"   codec-evolve ask "what did g0004-0 change?"`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        provider: { type: 'string' },
        model: { type: 'string' },
        'base-url': { type: 'string' },
        facts: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      'ask',
    );
    const question = positionals.join(' ').trim();
    if (!question) throw new UsageError('ask needs a question', 'codec-evolve ask "why did the last ten candidates fail?"');
    const ws = Workspace.find(io.cwd);
    const cfg = ws.readConfig();
    const providerCfg: ProviderConfig = { ...cfg.provider };
    if (values.provider) {
      providerCfg.kind = parseProviderKind(values.provider);
    }
    if (values.model) providerCfg.model = values.model;
    if (values['base-url']) providerCfg.baseUrl = values['base-url'];
    const { sections, data } = gatherFacts(ws, question);
    const facts = renderFacts(sections);
    if (providerCfg.kind === 'offline' || values.facts) {
      if (values.json) {
        io.out(JSON.stringify({ schemaVersion: 1, question, facts: sections }));
        return 0;
      }
      io.out(facts);
      if (!values.facts)
        io.err(
          `(the offline provider has no model to answer in prose: these are the facts for "${question}"; --provider anthropic answers from them)`,
        );
      return 0;
    }
    const provider = createProvider(providerCfg);
    const r = await askModel(provider, question, facts, { signal: io.signal });
    if (values.json) {
      io.out(
        JSON.stringify({ schemaVersion: 1, question, answer: r.text, model: r.model, facts: sections, usage: r.usage, costUsd: r.costUsd }),
      );
      return 0;
    }
    io.out(r.text.trim());
    io.err(
      `(${r.model}, ${r.usage.inputTokens} input / ${r.usage.outputTokens} output tokens, $${r.costUsd.toFixed(4)}; facts on ${data.candidates.length} candidates — --facts prints them)`,
    );
    return 0;
  },
};
