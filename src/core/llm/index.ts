// Builds the provider a workspace asks for, from the registry (registry.ts).
import type { ProviderConfig } from '../store/config';
import { InputError } from '../errors';
import { CORE_PROVIDER_KINDS, providerEntry, type ProviderRuntimeOptions } from './registry';
import type { LlmProvider } from './provider';

export type { ProviderRuntimeOptions };

export function createProvider(cfg: ProviderConfig, rt: ProviderRuntimeOptions = {}): LlmProvider {
  const entry = providerEntry(String(cfg.kind));
  if (!entry?.create) {
    throw new InputError(
      `.codec-evolution/config.json: provider.kind '${String(cfg.kind)}' is not a provider the engine can run`,
      `set provider.kind to one of ${CORE_PROVIDER_KINDS.join(', ')}`,
    );
  }
  return entry.create({
    ...rt,
    model: cfg.model,
    maxTokens: cfg.maxTokens,
    baseUrl: cfg.baseUrl,
    pricing: cfg.pricing,
    temperature: cfg.temperature,
  });
}

export type { LlmProvider } from './provider';
