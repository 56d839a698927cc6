// Builds the provider a workspace asks for.
import type { ProviderConfig } from '../store/config';
import { AnthropicProvider } from './anthropic';
import { OfflineProvider } from './offline';
import { OpenAiCompatibleProvider } from './openai-compatible';
import type { LlmProvider } from './provider';

export interface ProviderRuntimeOptions {
  apiKey?: string;
  maxRetries?: number;
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

export function createProvider(cfg: ProviderConfig, rt: ProviderRuntimeOptions = {}): LlmProvider {
  switch (cfg.kind) {
    case 'anthropic':
      return new AnthropicProvider({ apiKey: rt.apiKey, model: cfg.model, maxTokens: cfg.maxTokens, baseUrl: cfg.baseUrl, pricing: cfg.pricing,
        temperature: cfg.temperature, maxRetries: rt.maxRetries, timeoutMs: rt.timeoutMs, idleTimeoutMs: rt.idleTimeoutMs });
    case 'openai-compatible':
      return new OpenAiCompatibleProvider({ apiKey: rt.apiKey ?? process.env.OPENAI_API_KEY, model: cfg.model, maxTokens: cfg.maxTokens,
        baseUrl: cfg.baseUrl, pricing: cfg.pricing, temperature: cfg.temperature, maxRetries: rt.maxRetries, timeoutMs: rt.timeoutMs });
    default:
      return new OfflineProvider();
  }
}

export type { LlmProvider, CompletionRequest, CompletionResult, ProposalContext, ChatMessage } from './provider';
