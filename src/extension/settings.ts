// codecEvolution.* settings → the overrides the engine applies over .codec-evolution/config.json.
// Only values a person actually set count: a default of the manifest must not overwrite what the
// workspace's own config says (e.g. its reference codecs), so the config file stays the record.
import type { WorkspaceConfig } from '../core/store/config';
import type { ConfigOverrides } from '../core/store/config-overrides';
import { isMetricId, type MetricId } from '../core/metrics/registry';

import { PROVIDERS, providerEntry, type ProviderSettingKind } from '../core/llm/registry';

export type ProviderSetting = ProviderSettingKind;

/** The keys package.json declares under contributes.configuration, without the `codecEvolution.`
 * prefix: reading a setting the manifest does not declare does not compile. */
type ManifestSettings = (typeof import('../../package.json'))['contributes']['configuration']['properties'];
type SettingKey = { [K in keyof ManifestSettings]: K extends `codecEvolution.${infer R}` ? R : never }[keyof ManifestSettings];

/** Reads one explicitly set value (folder, workspace or user scope), undefined when only the default applies. */
export type ExplicitGetter = <T>(key: SettingKey) => T | undefined;

export interface EngineOverrides {
  provider?: ProviderSetting;
  model?: string;
  maxTokens?: number;
  baseUrl?: string;
  budgets?: { generations?: number; wallMinutes?: number; usd?: number };
  concurrency?: number;
  /** codecEvolution.queue: evaluations go to queue workers (empty: this machine). */
  queue?: string;
  /** What the engine merges into .codec-evolution/config.json (engine request `applyConfig`). */
  config?: ConfigOverrides;
}

export function engineOverrides(get: ExplicitGetter): EngineOverrides {
  const o: EngineOverrides = {};
  const provider = get<ProviderSetting>('provider');
  if (provider) o.provider = provider;
  const model = get<string>('model');
  if (model) o.model = model;
  // Registry keys are plain strings in core; the registry test checks each is declared in package.json.
  const keys = providerEntry(provider ?? 'offline')?.settings ?? {};
  const url = keys.baseUrl ? get<string>(keys.baseUrl as SettingKey) : undefined;
  if (url) o.baseUrl = url;
  const mt = keys.maxTokens ? get<number>(keys.maxTokens as SettingKey) : undefined;
  if (mt) o.maxTokens = mt;
  const budgets: NonNullable<EngineOverrides['budgets']> = {};
  const g = get<number>('budget.generations');
  if (g !== undefined) budgets.generations = g;
  const w = get<number>('budget.wallMinutes');
  if (w !== undefined) budgets.wallMinutes = w;
  const u = get<number>('budget.usd');
  if (u !== undefined) budgets.usd = u;
  if (Object.keys(budgets).length) o.budgets = budgets;
  const c = get<number>('concurrency');
  if (c !== undefined) o.concurrency = c;
  const q = get<string>('queue');
  if (q?.trim()) o.queue = q.trim();
  const cfg: NonNullable<EngineOverrides['config']> = {};
  const refs = get<string[]>('referenceCodecs');
  if (refs?.length) cfg.references = refs as WorkspaceConfig['references'];
  const ff = get<string>('ffmpegPath');
  if (ff) cfg.ffmpegPath = ff;
  const policy = get<'review' | 'auto' | 'off'>('adoptionPolicy');
  if (policy) cfg.adoptionPolicy = policy;
  const objective = get<string>('objective');
  if (isMetricId(objective)) cfg.objective = objective;
  const guards = get<Array<{ metric?: string; tolerancePercent?: number }>>('guards');
  if (Array.isArray(guards)) {
    cfg.guards = guards
      .filter((g) => isMetricId(g?.metric))
      .map((g) => ({
        metric: g.metric as MetricId,
        tolerancePercent: typeof g.tolerancePercent === 'number' && g.tolerancePercent >= 0 ? g.tolerancePercent : 1,
      }));
  }
  const git = get<boolean>('git.commitOnAdopt');
  if (git !== undefined) cfg.gitCommit = git;
  const ptb = get<number>('promptTokenBudget');
  if (ptb !== undefined) cfg.promptTokenBudget = ptb;
  const tr = get<string[]>('clips.training');
  if (tr?.length) cfg.training = tr;
  const ho = get<string[]>('clips.heldOut');
  if (ho?.length) cfg.heldOut = ho;
  const limits: NonNullable<WorkspaceConfig['limits']> = {};
  const t = get<number>('sandbox.timeoutSeconds');
  if (t !== undefined) limits.timeoutMs = Math.round(t * 1000);
  const m = get<number>('sandbox.memoryMb');
  if (m !== undefined) limits.memoryMb = m;
  const out = get<number>('sandbox.maxOutputMb');
  if (out !== undefined) limits.maxOutputBytes = out * 1024 * 1024;
  const lit = get<number>('sandbox.maxEmbeddedDataKb');
  if (lit !== undefined) limits.maxLiteralBytes = lit * 1024;
  if (Object.keys(limits).length) cfg.limits = limits;
  if (Object.keys(cfg).length) o.config = cfg;
  return o;
}

/** Which secret a provider needs from SecretStorage, and the env variable the child reads it from. */
export function secretFor(provider: ProviderSetting | undefined): { secret: string; env: string; required?: boolean } | null {
  return (provider && providerEntry(provider)?.secret) || null;
}

/** Keys the child must never inherit from the extension host (someone's shell may export them). */
export const SECRET_ENV = [...PROVIDERS.flatMap((p): string[] => ('secret' in p ? [p.secret.env] : [])), 'ANTHROPIC_AUTH_TOKEN'];
