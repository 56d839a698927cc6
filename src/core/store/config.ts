// The workspace configuration (.codec-evolution/config.json): what to evolve, on which clips, with
// which model, under which budgets and adoption policy. Defaults run offline on the bundled clip.
import { cpus } from 'node:os';
import { DEFAULT_GUARDS, DEFAULT_OBJECTIVE, METRIC_IDS, type Guard, type MetricId } from '../metrics/registry';
import { REFERENCE_CODECS } from '../baseline/reference';
import { arr, bool, num, obj, str, type Shape } from './schema';

import type { ProviderKind } from '../llm/registry';
export type AdoptionPolicy = 'review' | 'auto' | 'off';
import type { ReferenceCodec } from '../baseline/reference';
export interface ProviderConfig {
  kind: ProviderKind;
  model?: string;
  maxTokens?: number;
  baseUrl?: string;
  /** USD per million tokens, overriding the built-in table for this model. */
  pricing?: { inputPerMTok: number; outputPerMTok: number };
  temperature?: number;
}

interface ClipConfig {
  /** Seconds-long first stage: a tiny clip, few frames. */
  smoke: { path: string; frames: number };
  /** Clips whose numbers the model sees. */
  training: { path: string; frames?: number }[];
  /** Clips only run for candidates that beat their parent; their numbers never reach a prompt. */
  heldOut: { path: string; frames?: number }[];
}

export interface EvolutionConfig {
  islands: number;
  /** Parallel evaluations; 0 means cores − 1 (at least 1). */
  concurrency: number;
  /** Candidates proposed per generation; 0 means one per evaluation slot. */
  candidatesPerGeneration: number;
  migrationInterval: number;
  eliteArchiveSize: number;
  stagnationGenerations: number;
  repairRounds: number;
  /** BD-rate percentage points a candidate must gain on training clips to count as better. */
  noiseMarginPercent: number;
  /** The metric whose BD-rate (against primaryReference) is the training score: selection, the
   * noise-margin test and the queue (default psnrYuv). */
  objective: MetricId;
  /** Metrics that must not regress beyond their tolerance (BD-rate pp vs the adopted version) for a
   * candidate to be queued, however much the objective gains. */
  guards: Guard[];
  adoptionPolicy: AdoptionPolicy;
  gitCommit: boolean;
  seed: number;
  /** Estimated input tokens one prompt may use (3.5 chars a token); over it the lowest-ranked other
   * programs, then failure details, are left out. The parent is always sent in full. 0: no limit. */
  promptTokenBudget: number;
}

export interface BudgetConfig {
  generations?: number;
  wallMinutes?: number;
  usd?: number;
}

export interface WorkspaceConfig {
  schemaVersion?: number;
  /** The codec file being evolved, relative to the workspace. */
  codecFile: string;
  provider: ProviderConfig;
  clips: ClipConfig;
  qualities?: number[];
  references: ReferenceCodec[];
  /** The reference whose BD-rate ranks candidates. */
  primaryReference: ReferenceCodec;
  evolution: EvolutionConfig;
  budgets: BudgetConfig;
  /** maxLiteralBytes: embedded data (string, array, template literals) a candidate may carry; default 32 KB. */
  limits?: { timeoutMs?: number; memoryMb?: number; maxOutputBytes?: number; maxLiteralBytes?: number };
  ffmpegPath?: string;
}

/** Room for the hybrid seed (211 KB ≈ 60k tokens at 3.5 characters a token, and growing), the system text
 * and contract (~3k) and three other programs that each rewrite a whole block (~4–5k tokens of diff each);
 * about $0.27 a prompt at Sonnet's uncached input price, less with the cached prefix. */
export const DEFAULT_PROMPT_TOKEN_BUDGET = 90000;

export function defaultConcurrency(): number {
  return Math.max(1, cpus().length - 1);
}

export function defaultConfig(clipPath: string): WorkspaceConfig {
  return {
    codecFile: 'codec.js',
    provider: { kind: 'offline' },
    clips: { smoke: { path: clipPath, frames: 2 }, training: [{ path: clipPath }], heldOut: [] },
    references: ['x264'],
    primaryReference: 'x264',
    evolution: {
      islands: 3,
      concurrency: 0,
      candidatesPerGeneration: 0,
      migrationInterval: 5,
      eliteArchiveSize: 8,
      stagnationGenerations: 6,
      repairRounds: 1,
      noiseMarginPercent: 0.2,
      objective: DEFAULT_OBJECTIVE,
      guards: DEFAULT_GUARDS.map((g) => ({ ...g })),
      adoptionPolicy: 'review',
      gitCommit: true,
      seed: 1,
      promptTokenBudget: DEFAULT_PROMPT_TOKEN_BUDGET,
    },
    budgets: {},
  };
}

/** Fills what an older or hand-written config.json leaves out, so readers see every field. */
export function withDefaults(partial: Partial<WorkspaceConfig>, clipPath: string): WorkspaceConfig {
  const d = defaultConfig(clipPath);
  return {
    ...d,
    ...partial,
    provider: { ...d.provider, ...partial.provider },
    clips: { ...d.clips, ...partial.clips },
    evolution: { ...d.evolution, ...partial.evolution },
    budgets: { ...d.budgets, ...partial.budgets },
  };
}

export function resolvedConcurrency(c: EvolutionConfig): number {
  return c.concurrency > 0 ? c.concurrency : defaultConcurrency();
}

const clipShape = obj({ path: str(), frames: num({ int: true, min: 1, optional: true }) });

/** What config.json must look like where it says anything (every field may be left to its default). */
export const CONFIG_SHAPE: Shape = obj({
  codecFile: str({ optional: true }),
  provider: obj(
    {
      kind: str({ optional: true }),
      model: str({ optional: true }),
      maxTokens: num({ int: true, min: 1, optional: true }),
      baseUrl: str({ optional: true }),
      temperature: num({ min: 0, max: 2, optional: true }),
      pricing: obj({ inputPerMTok: num({ min: 0 }), outputPerMTok: num({ min: 0 }) }, { optional: true }),
    },
    { optional: true },
  ),
  clips: obj(
    {
      smoke: obj({ path: str(), frames: num({ int: true, min: 1 }) }, { optional: true }),
      training: arr(clipShape, { optional: true }),
      heldOut: arr(clipShape, { optional: true }),
    },
    { optional: true },
  ),
  qualities: arr(num({ min: 0, max: 100 }), { optional: true }),
  references: arr(str({ oneOf: REFERENCE_CODECS }), { optional: true }),
  primaryReference: str({ oneOf: REFERENCE_CODECS, optional: true }),
  evolution: obj(
    {
      islands: num({ int: true, min: 1, optional: true }),
      concurrency: num({ int: true, min: 0, optional: true }),
      candidatesPerGeneration: num({ int: true, min: 0, optional: true }),
      migrationInterval: num({ int: true, min: 1, optional: true }),
      eliteArchiveSize: num({ int: true, min: 1, optional: true }),
      stagnationGenerations: num({ int: true, min: 1, optional: true }),
      repairRounds: num({ int: true, min: 0, optional: true }),
      noiseMarginPercent: num({ min: 0, optional: true }),
      objective: str({ oneOf: METRIC_IDS, optional: true }),
      guards: arr(obj({ metric: str({ oneOf: METRIC_IDS }), tolerancePercent: num({ min: 0 }) }), { optional: true }),
      adoptionPolicy: str({ oneOf: ['review', 'auto', 'off'], optional: true }),
      gitCommit: bool({ optional: true }),
      seed: num({ int: true, optional: true }),
      promptTokenBudget: num({ int: true, min: 0, optional: true }),
    },
    { optional: true },
  ),
  budgets: obj(
    {
      generations: num({ int: true, min: 0, optional: true }),
      wallMinutes: num({ min: 0, optional: true }),
      usd: num({ min: 0, optional: true }),
    },
    { optional: true },
  ),
  limits: obj(
    {
      timeoutMs: num({ min: 1, optional: true }),
      memoryMb: num({ min: 1, optional: true }),
      maxOutputBytes: num({ min: 1, optional: true }),
    },
    { optional: true },
  ),
  ffmpegPath: str({ optional: true }),
});
