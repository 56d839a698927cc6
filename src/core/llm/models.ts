// Which models a provider offers, asked of the provider itself (Anthropic's Models API through the
// SDK; GET /v1/models on an OpenAI-compatible server), with a built-in list as the fallback when it
// cannot be asked (no key yet, offline). A hard-coded list alone goes stale: its first entry retired.
import Anthropic from '@anthropic-ai/sdk';
import { DEFAULT_ANTHROPIC_MODEL } from './anthropic';
import { causeOf } from './provider-errors';

export interface ModelChoice {
  id: string;
  label?: string;
  created?: string;
}

export interface ModelList {
  models: ModelChoice[];
  /** 'provider': as the provider answered; 'fallback': the built-in list, with why. */
  source: 'provider' | 'fallback';
  note?: string;
}

/** Current Anthropic models (November 2026), the default first; used only when the API cannot be asked. */
export const ANTHROPIC_FALLBACK_MODELS: ModelChoice[] = [
  { id: DEFAULT_ANTHROPIC_MODEL, label: 'Claude Sonnet 4.6' },
  { id: 'claude-opus-4-6', label: 'Claude Opus 4.6' },
  { id: 'claude-haiku-4-5', label: 'Claude Haiku 4.5' },
];

export async function anthropicModels(o: { apiKey?: string; baseUrl?: string; signal?: AbortSignal }): Promise<ModelList> {
  if (!o.apiKey)
    return { models: ANTHROPIC_FALLBACK_MODELS, source: 'fallback', note: 'no API key yet (Set API Key), so the built-in list' };
  try {
    const client = new Anthropic({ apiKey: o.apiKey, baseURL: o.baseUrl || undefined, maxRetries: 1, timeout: 20_000 });
    const models: ModelChoice[] = [];
    for await (const m of client.models.list({ limit: 100 }, { signal: o.signal })) {
      models.push({ id: m.id, label: m.display_name, created: m.created_at });
    }
    if (!models.length) return { models: ANTHROPIC_FALLBACK_MODELS, source: 'fallback', note: 'the Models API listed no model' };
    return { models, source: 'provider' };
  } catch (e) {
    if (o.signal?.aborted) throw e;
    return { models: ANTHROPIC_FALLBACK_MODELS, source: 'fallback', note: `the Models API could not be asked (${causeOf(e)})` };
  }
}

/** The models endpoint of an OpenAI-compatible base URL (with or without its /v1). */
function openAiModelsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}/models` : `${base}/v1/models`;
}

export async function openAiCompatibleModels(o: { baseUrl: string; apiKey?: string; signal?: AbortSignal }): Promise<ModelList> {
  const url = openAiModelsUrl(o.baseUrl);
  try {
    const timeout = AbortSignal.timeout(20_000);
    const res = await fetch(url, {
      signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
      headers: o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {},
    });
    if (!res.ok) return { models: [], source: 'fallback', note: `${url} answered ${res.status}` };
    const json = (await res.json()) as { data?: Array<{ id?: unknown; created?: unknown }> };
    const models = (json.data ?? [])
      .filter((m) => typeof m.id === 'string')
      .map((m) => ({ id: m.id as string, created: typeof m.created === 'number' ? new Date(m.created * 1000).toISOString() : undefined }));
    return models.length ? { models, source: 'provider' } : { models: [], source: 'fallback', note: `${url} listed no model` };
  } catch (e) {
    if (o.signal?.aborted) throw e;
    return { models: [], source: 'fallback', note: `${url} could not be asked (${causeOf(e)})` };
  }
}
