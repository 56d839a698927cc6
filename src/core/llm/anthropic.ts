// Anthropic Messages API through the official SDK: its retries cover 429/5xx/529, streaming gives
// text as it arrives, an AbortSignal cancels the request, and usage is priced per call.
import Anthropic from '@anthropic-ai/sdk';
import { CancelledError, EnvironmentError, ProviderError } from '../errors';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_TOKENS,
  callDeadline,
  responseTooLarge,
  type CompletionRequest,
  type CompletionResult,
  type LlmProvider,
  type MessagePart,
} from './provider';
import { costUsd, priceFor, type Price } from './pricing';
import { causeOf } from './provider-errors';

export interface AnthropicOptions {
  apiKey?: string;
  model?: string;
  maxTokens?: number;
  baseUrl?: string;
  maxRetries?: number;
  timeoutMs?: number;
  /** A stream that sends nothing for this long is abandoned (a stalled connection). */
  idleTimeoutMs?: number;
  /** A response whose text passes this many bytes is abandoned (default 1 MiB). */
  maxResponseBytes?: number;
  /** Total time of one call when the request gives no earlier deadline. */
  callTimeoutMs?: number;
  pricing?: Price;
  temperature?: number;
}

export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-6';

export class AnthropicProvider implements LlmProvider {
  readonly kind = 'anthropic';
  readonly model: string;
  private readonly client: Anthropic;

  constructor(private readonly opts: AnthropicOptions = {}) {
    const apiKey = opts.apiKey ?? process.env.ANTHROPIC_API_KEY;
    if (!apiKey) {
      throw new EnvironmentError(
        'no Anthropic API key',
        'set ANTHROPIC_API_KEY (CLI) or run "Codec Evolution: Set API Key" (VS Code), or use --provider offline',
      );
    }
    this.model = opts.model ?? DEFAULT_ANTHROPIC_MODEL;
    this.client = new Anthropic({
      apiKey,
      baseURL: opts.baseUrl,
      maxRetries: opts.maxRetries ?? 4,
      timeout: opts.timeoutMs ?? 600_000,
    });
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const idleMs = this.opts.idleTimeoutMs ?? 120_000;
    const local = new AbortController();
    const onAbort = () => local.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    let stalled = false;
    let overDeadline = false;
    let received = 0;
    let tooLarge = false;
    const maxBytes = this.opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const deadline = callDeadline(req, this.opts.callTimeoutMs);
    const total = setTimeout(
      () => {
        overDeadline = true;
        local.abort();
      },
      Math.max(0, deadline - Date.now()),
    );
    let idle: NodeJS.Timeout | undefined;
    const arm = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        local.abort();
      }, idleMs);
    };
    try {
      arm();
      const stream = this.client.messages.stream(
        {
          model: this.model,
          max_tokens: req.maxTokens ?? this.opts.maxTokens ?? DEFAULT_MAX_TOKENS,
          system: req.systemParts?.length ? req.systemParts.map(textBlock) : req.system,
          messages: req.messages.map((m) => ({ role: m.role, content: m.parts?.length ? m.parts.map(textBlock) : m.content })),
          ...(this.opts.temperature !== undefined ? { temperature: this.opts.temperature } : {}),
        },
        { signal: local.signal },
      );
      stream.on('text', (delta) => {
        received += Buffer.byteLength(delta, 'utf8');
        if (received > maxBytes) {
          if (!tooLarge) {
            tooLarge = true;
            local.abort();
          }
          return;
        }
        arm();
        req.onText?.(delta);
      });
      stream.on('streamEvent', () => arm());
      const msg = await stream.finalMessage();
      const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      // input_tokens counts only what was neither written to nor read from the cache.
      const cacheWriteTokens = msg.usage.cache_creation_input_tokens ?? 0;
      const cacheReadTokens = msg.usage.cache_read_input_tokens ?? 0;
      const inputTokens = msg.usage.input_tokens + cacheWriteTokens + cacheReadTokens;
      const outputTokens = msg.usage.output_tokens;
      return {
        text,
        model: msg.model || this.model,
        stopReason: msg.stop_reason ?? undefined,
        usage: { inputTokens, outputTokens, cacheWriteTokens, cacheReadTokens },
        costUsd: costUsd(inputTokens, outputTokens, priceFor(msg.model || this.model, this.opts.pricing), {
          write: cacheWriteTokens,
          read: cacheReadTokens,
        }),
      };
    } catch (e) {
      if (req.signal?.aborted) throw new CancelledError('model request cancelled');
      if (tooLarge)
        throw new ProviderError(responseTooLarge(received, maxBytes), 'lower --max-tokens, or check the base URL points at a model server');
      if (overDeadline)
        throw new ProviderError(
          'the Anthropic call did not finish by its deadline (the end of the wall-clock budget, or the per-call limit)',
          'raise --wall-minutes, or check the server: it kept the stream open without finishing',
        );
      if (stalled)
        throw new ProviderError(
          `the Anthropic stream stalled (no data for ${idleMs} ms)`,
          'retry later; check the network or the base URL',
        );
      throw toProviderError(e, this.opts.baseUrl);
    } finally {
      if (idle) clearTimeout(idle);
      clearTimeout(total);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** A text content block; a cache breakpoint (5-minute ephemeral cache) where the prompt marks one. */
function textBlock(p: MessagePart): Anthropic.TextBlockParam {
  return { type: 'text', text: p.text, ...(p.cache ? { cache_control: { type: 'ephemeral' as const } } : {}) };
}

function toProviderError(e: unknown, baseUrl?: string): ProviderError {
  // A connection error is an APIError without a status: the API never answered, so say where we
  // tried and the socket's own reason (ECONNREFUSED, ENOTFOUND, ...), not "reported by the API".
  if (e instanceof Anthropic.APIConnectionError) {
    return new ProviderError(
      `could not reach the Anthropic API at ${baseUrl || 'https://api.anthropic.com'}: ${causeOf(e)}`,
      'the API never answered: check the network (a proxy?) and the base URL (codecEvolution.anthropic.baseUrl / --base-url)',
      { cause: e },
    );
  }
  if (e instanceof Anthropic.APIError) {
    const status = e.status;
    const remedy =
      status === 401
        ? 'check ANTHROPIC_API_KEY (or Set API Key in VS Code)'
        : status === 429
          ? 'rate limited even after retries; lower concurrency or wait'
          : status === 529
            ? 'Anthropic is overloaded even after retries; try again later'
            : status === 404
              ? 'check the model name (codecEvolution.model / --model)'
              : 'retry later; the error was reported by the API';
    return new ProviderError(`Anthropic API error ${status ?? ''}: ${e.message}`.trim(), remedy, { cause: e });
  }
  return new ProviderError(`Anthropic request failed: ${(e as Error)?.message ?? String(e)}`, 'check the network and the base URL', {
    cause: e,
  });
}
