// One evolution session on a workspace, as every host runs it: take the lock, build the provider and
// the evaluator from the config, run the engine, release the lock (also on error and cancel).
import { createProvider, type ProviderRuntimeOptions } from '../llm/index';
import type { LlmProvider } from '../llm/provider';
import type { ProviderConfig } from '../store/config';
import { codecFile } from '../store/seed-files';
import type { Workspace } from '../store/workspace';
import { createEvaluator } from './cascade';
import { Engine, type EngineStatus, type EngineRunOptions } from './engine';
import type { Evaluator } from './evaluator';
import type { EngineEventListener } from '../events';
import { QueueDispatcher } from '../queue/dispatcher';

export interface SessionOptions extends EngineRunOptions {
  provider?: Partial<ProviderConfig>;
  providerRuntime?: ProviderRuntimeOptions;
  /** Replaces the configured provider entirely (the VS Code host passes its vscode.lm bridge). */
  providerInstance?: LlmProvider;
  signal?: AbortSignal;
  onEvent?: EngineEventListener;
  evaluator?: Evaluator;
  /** redis://HOST:PORT (or rediss://): every evaluation stage goes to `codec-evolve worker`s as a job. */
  queue?: string;
}

export async function runSession(ws: Workspace, opts: SessionOptions = {}): Promise<EngineStatus> {
  const note = ws.lock.acquire(`codec-evolve evolve (pid ${process.pid})`);
  if (note) opts.onEvent?.('warning', { message: note });
  try {
    const config = ws.readConfig();
    const providerConfig = { ...config.provider, ...opts.provider } as ProviderConfig;
    const provider = opts.providerInstance ?? createProvider(providerConfig, opts.providerRuntime);
    const dispatcher =
      !opts.evaluator && opts.queue
        ? await QueueDispatcher.connect(opts.queue, { config, root: ws.root, signal: opts.signal, onEvent: opts.onEvent })
        : undefined;
    try {
      const evaluate = opts.evaluator ?? dispatcher?.evaluate ?? createEvaluator(ws, config, opts.signal);
      const engine = new Engine(ws, {
        provider,
        evaluate,
        signal: opts.signal,
        onEvent: opts.onEvent,
        contractText: codecFile('codec.d.ts'),
      });
      return await engine.run(opts);
    } finally {
      await dispatcher?.close();
    }
  } finally {
    ws.lock.release();
  }
}
