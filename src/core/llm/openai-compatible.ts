// Any /v1/chat/completions endpoint (Ollama, LM Studio, vLLM, OpenAI) with plain fetch: local servers
// are the point, so no SDK and no key required.
import { CancelledError, ProviderError } from '../errors';
import { DEFAULT_MAX_TOKENS, type CompletionRequest, type CompletionResult, type LlmProvider } from './provider';
import { costUsd, priceFor, type Price } from './pricing';

export interface OpenAiCompatibleOptions {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  maxTokens?: number;
  maxRetries?: number;
  timeoutMs?: number;
  pricing?: Price;
  temperature?: number;
}

export class OpenAiCompatibleProvider implements LlmProvider {
  readonly kind = 'openai-compatible';
  readonly model: string;
  private readonly url: string;

  constructor(private readonly opts: OpenAiCompatibleOptions = {}) {
    this.model = opts.model ?? 'llama3.1';
    const base = (opts.baseUrl ?? 'http://127.0.0.1:11434').replace(/\/+$/, '');
    this.url = base.endsWith('/v1') ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const body = JSON.stringify({
      model: this.model,
      max_tokens: req.maxTokens ?? this.opts.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: [{ role: 'system', content: req.system }, ...req.messages.map((m) => ({ role: m.role, content: m.content }))],
      ...(this.opts.temperature !== undefined ? { temperature: this.opts.temperature } : {}),
    });
    const maxRetries = this.opts.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 600_000);
      const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await fetch(this.url, {
          method: 'POST', body, signal,
          headers: { 'content-type': 'application/json', ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}) },
        });
      } catch (e) {
        if (req.signal?.aborted) throw new CancelledError('model request cancelled');
        if (attempt < maxRetries) { await backoff(attempt, req.signal); continue; }
        throw new ProviderError(`${this.url} unreachable: ${(e as Error).message}`, 'start the server (e.g. `ollama serve`) or fix the base URL');
      }
      if ((res.status === 429 || res.status >= 500) && attempt < maxRetries) {
        await res.body?.cancel();
        await backoff(attempt, req.signal);
        continue;
      }
      const text = await res.text();
      if (!res.ok) throw new ProviderError(`${this.url} answered ${res.status}: ${text.slice(0, 300)}`, 'check the model name and the server log');
      let json: { model?: string; choices?: Array<{ message?: { content?: string }; finish_reason?: string }>; usage?: { prompt_tokens?: number; completion_tokens?: number } };
      try { json = JSON.parse(text); } catch { throw new ProviderError(`${this.url} did not answer JSON`, 'check that the base URL points at an OpenAI-compatible server'); }
      const content = json.choices?.[0]?.message?.content ?? '';
      req.onText?.(content);
      const inputTokens = json.usage?.prompt_tokens ?? 0;
      const outputTokens = json.usage?.completion_tokens ?? 0;
      return {
        text: content, model: json.model ?? this.model, stopReason: json.choices?.[0]?.finish_reason,
        usage: { inputTokens, outputTokens }, retries: attempt,
        costUsd: costUsd(inputTokens, outputTokens, priceFor(this.model, this.opts.pricing, {})),
      };
    }
  }
}

function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  const ms = Math.min(8000, 250 * 2 ** attempt);
  return new Promise((res, rej) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); rej(new CancelledError('model request cancelled')); }, { once: true });
  });
}
