// Every event the engine emits: one map from type to payload, shared by the emitters (engine, review,
// init), the event log, the engine child's protocol and the hosts' listeners (CLI progress, the VS Code
// controller). A listener written as `(type, data) => { if (type === 'x') data.… }` gets `data` typed
// for that event; emitting a type that is not declared here does not compile.
import type { BudgetConfig } from './store/config';
import type { CandidateState } from './store/records';
import type { CandidateFailure } from './sandbox/failures';
import type { EngineStatus } from './evolution/engine';
import type { Strategy } from './evolution/stagnation';
import type { QueueStatus } from './queue/job';

export interface EngineEvents {
  'workspace-initialized': { seed: string; clips: string[]; heldOut: string[] };
  'run-started': { pid: number; provider: string; model: string; concurrency: number; budgets: BudgetConfig };
  'run-stopped': { reason: string; generationsRun?: number };
  'generation-started': { generation: number; slots: number; strategy: Strategy };
  'generation-finished': { generation: number; best?: { id: string; trainingBdRate: number }; strategy: Strategy; stagnation?: string };
  'candidate-proposed': { id: string; generation: number; parentId: string | null; hypothesis?: string };
  'evaluation-started': { id: string };
  'candidate-finished': {
    id: string;
    generation: number;
    state: CandidateState;
    trainingBdRate?: number;
    failure?: Pick<CandidateFailure, 'class' | 'message'>;
    costUsd: number;
    /** Re-logged on load: the record was written but the crash came before its event. */
    recovered?: boolean;
  };
  /** After Stop: the same provider evaluates the interrupted candidate without a new model call. */
  'candidate-resumed': { id: string; generation: number; provider: string; message: string };
  /** After Stop: another provider proposes the interrupted candidate afresh (same id). */
  'candidate-reproposed': { id: string; generation: number; from: string; to: string; message: string };
  'clip-added': { path: string; role: 'training' | 'held-out' };
  'candidate-adopted': { id: string; version: number; by: string; reason?: string; gitCommit?: string; trainingBdRate?: number };
  'candidate-rejected': { id: string; by: string; reason: string };
  'directive-added': { id: string; text: string; block?: string; by: string };
  'directive-cleared': { ids: string[] };
  'strategy-changed': { generation: number; from: Strategy; to: Strategy; reason: string };
  migration: { generation: number; moves: Array<{ id: string; from: number; to: number }> };
  /** Not logged: shown to the person (CLI stderr, the extension's log). */
  warning: { message: string };
  /** Not logged: a status snapshot after each step (also written to status.json). */
  status: EngineStatus;
  /** Not logged: the evaluation queue's workers and depth, every few seconds while stages are in flight. */
  queue: QueueStatus;
  /** From the engine child: progress of a `references` request. */
  'references-progress': { requestId?: number; message: string };
  /** From the engine child: the background loop ended with an error. */
  'loop-error': { error: { kind: string; message: string; remedy?: string } };
}

export type EngineEventType = keyof EngineEvents;

/** `[type, data]` pairs, one per event: a listener's parameters narrow together. */
export type EngineEventArgs = { [K in EngineEventType]: [type: K, data: EngineEvents[K]] }[EngineEventType];

export type EngineEventListener = (...args: EngineEventArgs) => void;

/** One event as a value (`{type, data}`), as the engine child sends it. */
export type EngineEventOf = { [K in EngineEventType]: { type: K; time: string; data: EngineEvents[K] } }[EngineEventType];
