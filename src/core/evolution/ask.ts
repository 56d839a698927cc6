// A question about the run, answered by a model from the workspace's facts (facts.ts). The model gets
// the facts and the question, nothing else; without a model (the offline provider) the facts are the answer.
import type { CompletionResult, LlmProvider } from '../llm/provider';

export const ASK_SYSTEM = `You answer a person's questions about a supervised evolution of a video codec.
The facts below come from the run's records: every number was measured by the harness. Answer from
these facts only; name candidates by id (g0003-1) and quote numbers as given; when the facts do not
say, say so and name the command that would show it (codec-evolve history, review show ID, status).
Be brief: a few sentences or a short list.`;

/** The prompt for a question: the system text, and the facts followed by the question. */
export function askPrompt(question: string, facts: string): { system: string; user: string } {
  return { system: ASK_SYSTEM, user: `Facts from the workspace:\n\n${facts}\n\nQuestion: ${question.trim()}` };
}

export async function askModel(
  provider: LlmProvider,
  question: string,
  facts: string,
  opts: { signal?: AbortSignal; onText?: (t: string) => void; maxTokens?: number } = {},
): Promise<CompletionResult> {
  const p = askPrompt(question, facts);
  return provider.complete({
    system: p.system,
    messages: [{ role: 'user', content: p.user }],
    signal: opts.signal,
    onText: opts.onText,
    maxTokens: opts.maxTokens ?? 1024,
  });
}
