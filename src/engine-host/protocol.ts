// The typed IPC protocol between a host (the VS Code extension) and the engine running in a child
// process (dist/engine-host.js, spawned with process.execPath and ELECTRON_RUN_AS_NODE=1, stdio 'ipc').
// Both sides import this file; every message is declared here and nowhere else.
//
// Flow: the host spawns `engine-host.js <workspaceRoot>`; the child sends `ready`. The host sends
// requests `{kind:'request', id, method, params}`; the child answers each with exactly one
// `{kind:'response', id, ok, result | error}`. While a loop runs the child streams
// `{kind:'event', event}` (every engine event, including `status` snapshots). When the workspace's
// provider is `host` (VS Code's Language Model API), the child asks the host for completions with
// `{kind:'llm-request', id, ...}` and the host answers `{kind:'llm-response', id, ...}`.
// Requests are answered concurrently: a person's request (status, history, reviewShow, accept, reject)
// never waits behind a running loop, an evaluation or the reference encoders.
// The host may cancel an in-flight request with `{kind:'cancel', id}`: the child aborts its work
// (sandbox children killed) and answers that request with an error of kind 'cancelled'.
// Secrets (the API key) travel only inside `start` params, never in the child's environment.
import type { RdPoint } from '../core/metrics/rd';
import type { EngineStatus } from '../core/evolution/engine';
import type { CandidateRecord, VersionRecord } from '../core/store/records';
import type { BudgetConfig, ProviderConfig, WorkspaceConfig } from '../core/store/config';
import type { ConfigOverrides } from '../core/store/config-overrides';
import type { ClipRole } from '../core/store/clips';
import type { StageResult } from '../core/evolution/evaluator';
import type { ChatMessage } from '../core/llm/provider';
import type { FramesParams, FramesResult } from '../core/evolution/frames';
import type { EngineEventOf } from '../core/events';
import type { Directive } from '../core/store/directives';
import type { FactSection, FactsQuery } from '../core/evolution/facts';

export type { FramesResult } from '../core/evolution/frames';

export const HOST_PROTOCOL_VERSION = 1;

export interface StartParams {
  /** Generations to run (default: until a budget or stop). */
  generations?: number;
  budgets?: BudgetConfig;
  concurrency?: number;
  /** Overrides the workspace's provider settings; kind 'host' routes completions to the host (vscode.lm). */
  provider?: Partial<Omit<ProviderConfig, 'kind'>> & { kind?: ProviderConfig['kind'] | 'host' };
  /** API key for anthropic / openai-compatible, from the host's SecretStorage. */
  apiKey?: string;
  /** codecEvolution.queue: a Redis URL (it may hold a password, so it travels here, never in config.json). */
  queue?: string;
}

interface ReviewShowResult {
  candidate: CandidateRecord;
  /** The candidate's code and the adopted version's code (left side of the diff). */
  code: string;
  baseCode: string;
  baseVersion: number;
  diff: string;
}

/** Every request: method → [params, result]. */
export interface HostMethods {
  init: [{ seed?: 'minimal' | 'hybrid' | 'template'; force?: boolean }, { created: string[] }];
  /** Starts the loop in the background; resolves when it has started (events follow). */
  start: [StartParams, { started: true }];
  /** Cancels the loop; resolves once every child process is gone and the status is written. */
  stop: [Record<string, never>, { stopped: boolean; status?: EngineStatus }];
  /** Runs exactly one generation and resolves with the status after it. */
  runOneGeneration: [Omit<StartParams, 'generations'>, EngineStatus];
  status: [Record<string, never>, EngineStatus & { loopRunning: boolean }];
  reviewList: [{ includeEvaluated?: boolean }, CandidateRecord[]];
  reviewShow: [{ id: string }, ReviewShowResult];
  accept: [{ id: string; reason?: string }, { version: VersionRecord; gitNote?: string }];
  reject: [{ id: string; reason: string }, CandidateRecord];
  history: [Record<string, never>, { candidates: CandidateRecord[]; versions: VersionRecord[] }];
  /** Runs the cascade's training stage on arbitrary source (Evaluate Codec command). */
  /** `filename` tells TypeScript (.ts) from JavaScript; default codec.js. */
  evaluate: [{ source: string; filename?: string }, StageResult];
  /** Original and decoded frame N of a clip for the best version or a candidate (the dashboard's frame
   * viewer); the decoded clip is cached in the child, so scrubbing does not re-encode. */
  frames: [FramesParams, FramesResult];
  /** The configured reference encoders on the training clips (cached in the workspace's baseline
   * cache), for the RD plot's reference curves. Progress streams as `references-progress` events
   * carrying this request's id; cancel kills the ffmpeg runs. */
  references: [Record<string, never>, ReferencesResult];
  /** The person's directives, active and cleared (store/directives.ts). */
  directives: [Record<string, never>, Directive[]];
  /** Adds a directive; a running loop quotes it from its next proposal on. */
  steer: [{ text: string; block?: string; by: Directive['by'] }, Directive];
  /** Clears one directive, or every active one without an id; answers with what was cleared. */
  clearDirective: [{ id?: string }, Directive[]];
  /** Merges the host's overrides (explicitly set codecEvolution.* settings) into .codec-evolution/config.json
   * (core/store/config-overrides.ts). Config writes happen only while no loop runs: refused (kind 'usage')
   * while this child runs one, and (kind 'environment') while another process holds the workspace lock. */
  applyConfig: [{ overrides: ConfigOverrides }, { config: WorkspaceConfig; changed: boolean }];
  /** Copies a clip into .codec-evolution/clips and lists it as training or held-out (core/store/clips.ts);
   * refused like applyConfig while a loop runs. `added` is false when it was listed already. */
  addClip: [{ path: string; role: ClipRole }, { path: string; added: boolean }];
  /** Facts from the records (core/evolution/facts.ts): picked for a question, or the topics and
   * candidates named. `knownIds` lets the host turn candidate ids into links. */
  facts: [FactsParams, { sections: FactSection[]; knownIds: string[] }];
  /** A question answered by the workspace's provider from the facts (the chat participant's free
   * questions when the provider is anthropic or openai-compatible); the offline provider answers
   * with no text, only the facts. */
  ask: [
    { question: string; apiKey?: string },
    { text?: string; model?: string; costUsd?: number; sections: FactSection[]; knownIds: string[] },
  ];
}

export type FactsParams = FactsQuery;

export interface ReferencesResult {
  clips: Array<{
    clip: string;
    curves: Array<{ codec: string; points: RdPoint[] }>;
    /** ffmpeg encodes this request ran (0: every point came from the cache), and codecs this ffmpeg lacks. */
    encodes?: number;
    skipped?: Array<{ codec: string; reason: string }>;
  }>;
}

export type HostMethod = keyof HostMethods;

type HostRequest = { [M in HostMethod]: { kind: 'request'; id: number; method: M; params: HostMethods[M][0] } }[HostMethod];

export interface SerializedError {
  kind: string;
  message: string;
  remedy?: string;
}

type EngineResponse =
  { kind: 'response'; id: number; ok: true; result: unknown } | { kind: 'response'; id: number; ok: false; error: SerializedError };

export interface EngineEventMessage {
  kind: 'event';
  event: EngineEventOf;
}

export interface LlmRequestMessage {
  kind: 'llm-request';
  id: number;
  system: string;
  messages: ChatMessage[];
  maxTokens?: number;
}
export type LlmResponseMessage =
  | { kind: 'llm-response'; id: number; ok: true; text: string; model: string; inputTokens: number; outputTokens: number; costUsd: number }
  | { kind: 'llm-response'; id: number; ok: false; error: SerializedError };
/** The host cancels an llm-request (e.g. the loop was stopped). */
interface LlmCancelMessage {
  kind: 'llm-cancel';
  id: number;
}

/** The host cancels one of its requests (evaluate, frames, runOneGeneration); unknown ids are ignored. */
interface CancelMessage {
  kind: 'cancel';
  id: number;
}

export interface ReadyMessage {
  kind: 'ready';
  protocol: number;
  pid: number;
  workspace: string;
}

export type HostToEngine = HostRequest | LlmResponseMessage | CancelMessage;
export type EngineToHost = ReadyMessage | EngineResponse | EngineEventMessage | LlmRequestMessage | LlmCancelMessage;

/** Narrowing helper for the host: the result type of a method. */
export type ResultOf<M extends HostMethod> = HostMethods[M][1];
export type ParamsOf<M extends HostMethod> = HostMethods[M][0];
