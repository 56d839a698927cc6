// Every model provider in one list: kind, label, what it needs (a secret and the environment variable
// the engine child reads it from), which settings configure it, where it runs, and how to build it.
// The CLI's --provider check, the config's kind, the VS Code settings enum, the Set API Key and Select
// Model pickers all read this list; a test checks package.json's enum against it.
import { UsageError } from '../errors';
import { AnthropicProvider } from './anthropic';
import { OfflineProvider } from './offline';
import { OpenAiCompatibleProvider } from './openai-compatible';
import type { LlmProvider } from './provider';
import type { ProviderConfig } from '../store/config';

/** What the host adds to the workspace's provider settings (keys, retries, time limits). */
export interface ProviderRuntimeOptions {
  apiKey?: string;
  maxRetries?: number;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** Cap on one response's size (default 1 MiB, DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Total time of one model call when the wall budget does not end it sooner. */
  callTimeoutMs?: number;
}

/** What a factory gets: the workspace's provider settings and the host's runtime options. */
type ProviderFactoryInput = Omit<ProviderConfig, 'kind'> & ProviderRuntimeOptions;

export interface ProviderEntry {
  kind: string;
  label: string;
  /** One line, shown as the settings enum's description and in pickers. */
  description: string;
  /** Where the key lives: VS Code SecretStorage name and the environment variable the engine reads;
   * `required`: the provider cannot run without one (a local OpenAI-compatible server may not need one). */
  secret?: { secret: string; env: string; required?: boolean };
  /** codecEvolution.* settings that configure it (relative keys). */
  settings: { baseUrl?: string; maxTokens?: string };
  /** `core`: built by the engine (CLI and VS Code); `vscode`: only the VS Code host can provide it. */
  runs: 'core' | 'vscode';
  create?: (o: ProviderFactoryInput) => LlmProvider;
}

export const PROVIDERS = [
  {
    kind: 'offline',
    label: 'Offline mutator',
    description: 'Built-in parameter mutator; needs no network or key.',
    settings: {},
    runs: 'core',
    create: () => new OfflineProvider(),
  },
  {
    kind: 'anthropic',
    label: 'Anthropic',
    description: 'Anthropic Messages API (key from Set API Key).',
    secret: { secret: 'codecEvolution.anthropicApiKey', env: 'ANTHROPIC_API_KEY', required: true },
    settings: { baseUrl: 'anthropic.baseUrl', maxTokens: 'anthropic.maxTokens' },
    runs: 'core',
    create: (o) =>
      new AnthropicProvider({
        apiKey: o.apiKey,
        model: o.model,
        maxTokens: o.maxTokens,
        baseUrl: o.baseUrl,
        pricing: o.pricing,
        temperature: o.temperature,
        maxRetries: o.maxRetries,
        timeoutMs: o.timeoutMs,
        idleTimeoutMs: o.idleTimeoutMs,
        maxResponseBytes: o.maxResponseBytes,
        callTimeoutMs: o.callTimeoutMs,
      }),
  },
  {
    kind: 'openai-compatible',
    label: 'OpenAI-compatible',
    description: 'Any /v1/chat/completions endpoint (Ollama, LM Studio, vLLM).',
    secret: { secret: 'codecEvolution.openaiApiKey', env: 'OPENAI_API_KEY' },
    settings: { baseUrl: 'openaiCompatible.baseUrl' },
    runs: 'core',
    create: (o) =>
      new OpenAiCompatibleProvider({
        apiKey: o.apiKey ?? process.env.OPENAI_API_KEY,
        model: o.model,
        maxTokens: o.maxTokens,
        baseUrl: o.baseUrl,
        pricing: o.pricing,
        temperature: o.temperature,
        maxRetries: o.maxRetries,
        timeoutMs: o.timeoutMs,
        maxResponseBytes: o.maxResponseBytes,
        callTimeoutMs: o.callTimeoutMs,
      }),
  },
  {
    kind: 'vscode-lm',
    label: 'VS Code chat model',
    description: 'A chat model provided by VS Code (Language Model API), e.g. Copilot.',
    settings: {},
    runs: 'vscode',
  },
] as const satisfies readonly ProviderEntry[];

/** Every provider kind, including the ones only the VS Code host offers. */
export type ProviderSettingKind = (typeof PROVIDERS)[number]['kind'];
/** The kinds the engine builds itself (what .codec-evolution/config.json and the CLI accept). */
export type ProviderKind = Extract<(typeof PROVIDERS)[number], { runs: 'core' }>['kind'];

export const PROVIDER_KINDS: readonly ProviderSettingKind[] = PROVIDERS.map((p) => p.kind);
export const CORE_PROVIDER_KINDS: readonly ProviderKind[] = PROVIDERS.filter((p) => p.runs === 'core').map((p) => p.kind as ProviderKind);

export function providerEntry(kind: string): ProviderEntry | undefined {
  return (PROVIDERS as readonly ProviderEntry[]).find((p) => p.kind === kind);
}

/** The kind a person typed (CLI flag or config), checked: an unknown kind is an error, never offline. */
export function parseProviderKind(kind: string, where = '--provider'): ProviderKind {
  if ((CORE_PROVIDER_KINDS as readonly string[]).includes(kind)) return kind as ProviderKind;
  const hostOnly = providerEntry(kind)?.runs === 'vscode';
  throw new UsageError(
    `${where} ${kind} is not ${hostOnly ? 'available here (only inside VS Code)' : 'a provider'}`,
    `use one of ${CORE_PROVIDER_KINDS.join(', ')}`,
  );
}
