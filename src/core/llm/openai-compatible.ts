// Any /v1/chat/completions endpoint (Ollama, LM Studio, vLLM, OpenAI) with plain fetch: local servers
// are the point, so no SDK and no key required.
import { CancelledError, ProviderError } from '../errors';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_TOKENS,
  callDeadline,
  responseTooLarge,
  type CompletionRequest,
  type CompletionResult,
  type LlmProvider,
} from './provider';
import { costUsd, priceFor, type Price } from './pricing';
import { causeOf } from './provider-errors';

export interface OpenAiCompatibleOptions {
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  maxTokens?: number;
  maxRetries?: number;
  timeoutMs?: number;
  pricing?: Price;
  temperature?: number;
  /** A response body that passes this many bytes is abandoned (default 1 MiB). */
  maxResponseBytes?: number;
  /** Total time of one call when the request gives no earlier deadline. */
  callTimeoutMs?: number;
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
    const maxBytes = this.opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    // One deadline for the whole call, retries included: a server that trickles bytes is never idle.
    const deadline = AbortSignal.timeout(Math.max(0, callDeadline(req, this.opts.callTimeoutMs) - Date.now()));
    const overDeadline = () =>
      new ProviderError(
        `${this.url} did not finish the call by its deadline (the end of the wall-clock budget, or the per-call limit)`,
        'raise --wall-minutes, or check the server: it kept the connection open without finishing',
      );
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 600_000);
      const signal = AbortSignal.any([deadline, timeout, ...(req.signal ? [req.signal] : [])]);
      let res: Response;
      try {
        res = await fetch(this.url, {
          method: 'POST',
          body,
          signal,
          headers: { 'content-type': 'application/json', ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}) },
        });
      } catch (e) {
        if (req.signal?.aborted) throw new CancelledError('model request cancelled');
        if (deadline.aborted) throw overDeadline();
        if (attempt < maxRetries) {
          await backoff(attempt, req.signal);
          continue;
        }
        throw new ProviderError(`${this.url} unreachable: ${causeOf(e)}`, 'start the server (e.g. `ollama serve`) or fix the base URL');
      }
      if ((res.status === 429 || res.status >= 500) && attempt < maxRetries) {
        await res.body?.cancel();
        await backoff(attempt, req.signal);
        continue;
      }
      let text: string;
      try {
        text = await readCapped(res, maxBytes, this.url);
      } catch (e) {
        if (req.signal?.aborted) throw new CancelledError('model request cancelled');
        if (deadline.aborted) throw overDeadline();
        throw e instanceof ProviderError
          ? e
          : new ProviderError(`${this.url}: the answer broke off: ${(e as Error).message}`, 'retry; check the server log');
      }
      if (!res.ok)
        throw new ProviderError(`${this.url} answered ${res.status}: ${text.slice(0, 300)}`, 'check the model name and the server log');
      let json: {
        model?: string;
        choices?: Array<{ message?: { content?: string }; finish_reason?: string }>;
        usage?: { prompt_tokens?: number; completion_tokens?: number };
      };
      try {
        json = JSON.parse(text);
      } catch {
        throw new ProviderError(`${this.url} did not answer JSON`, 'check that the base URL points at an OpenAI-compatible server');
      }
      const content = json.choices?.[0]?.message?.content ?? '';
      req.onText?.(content);
      const inputTokens = json.usage?.prompt_tokens ?? 0;
      const outputTokens = json.usage?.completion_tokens ?? 0;
      return {
        text: content,
        model: json.model ?? this.model,
        stopReason: json.choices?.[0]?.finish_reason,
        usage: { inputTokens, outputTokens },
        retries: attempt,
        costUsd: costUsd(inputTokens, outputTokens, priceFor(this.model, this.opts.pricing, {})),
      };
    }
  }
}

/** The body as text, refused (and the connection dropped) once it passes `max` bytes. */
async function readCapped(res: Response, max: number, url: string): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel().catch(() => undefined);
      throw new ProviderError(`${url}: ${responseTooLarge(n, max)}`, 'lower --max-tokens, or check the base URL points at a model server');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  const ms = Math.min(8000, 250 * 2 ** attempt);
  return new Promise((res, rej) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        rej(new CancelledError('model request cancelled'));
      },
      { once: true },
    );
  });
}
