// One workspace folder's engine child as the extension host keeps it: started on first need (and again
// on the next request after it died, by EngineClient), the loop's run and stop, and the events coming in.
// It knows whether a loop runs; what the views show of the events is the listener's business.
import { join } from 'node:path';
import { CancelledError, CodecEvolutionError, type ErrorKind } from '../core/errors';
import { SECRET_ENV } from './settings';
import { EngineClient, type LmChatRequest, type LmChatResult } from './engine-client';
import type { HostMethod, ParamsOf, ResultOf, StartParams } from '../engine-host/protocol';
import type { EngineEventArgs, EngineEventListener } from '../core/events';
import type * as vscode from 'vscode';

export interface EngineSessionOptions {
  /** The extension's folder: dist/engine-host.js lives under it. */
  extensionPath: string;
  /** The workspace root; throws when there is no folder (the session then starts nothing). */
  root(): string;
  log: vscode.LogOutputChannel;
  /** Every engine event, after the session has noted what it says about the loop. */
  onEvent: EngineEventListener;
  onLmRequest(req: LmChatRequest, signal: AbortSignal): Promise<LmChatResult>;
}

/** What a run asks of its caller: the params (read when it starts), what to do with an error, and what after. */
export interface RunHooks {
  prepare(): Promise<Omit<StartParams, 'generations'>>;
  failed(e: unknown): void;
  ended(): Promise<void>;
}

export class EngineSession {
  private client?: EngineClient;
  /** The engine said a loop runs (run-started until run-stopped, loop-error or its exit). */
  private loopRunning = false;
  private runDone?: Promise<void>;
  private loopEnded?: (err?: unknown) => void;

  constructor(private readonly opts: EngineSessionOptions) {}

  /** A loop runs in the child, or a run of this host is starting or ending. */
  get running(): boolean {
    return this.loopRunning || !!this.runDone;
  }
  /** Only what the engine said: no loop there yet while a run prepares. */
  get loopActive(): boolean {
    return this.loopRunning;
  }
  /** The run in progress (from prepare to ended), if any. */
  get currentRun(): Promise<void> | undefined {
    return this.runDone;
  }
  get alive(): boolean {
    return !!this.client?.alive;
  }

  private childEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1', CODEC_EVOLUTION_HOST: 'vscode' };
    // Secrets never sit in a child's environment: the key travels in the 'start' request only.
    for (const k of SECRET_ENV) delete env[k];
    return env;
  }

  /** The engine child for this folder, started on first use. */
  private engine(): EngineClient {
    const root = this.opts.root();
    if (this.client) return this.client;
    const log = this.opts.log;
    this.client = new EngineClient({
      script: join(this.opts.extensionPath, 'dist', 'engine-host.js'),
      root,
      env: this.childEnv(),
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m), debug: (m) => log.debug(m) },
      onEvent: (...args) => this.onEvent(...args),
      onLmRequest: (req, signal) => this.opts.onLmRequest(req, signal),
      onExit: () => {
        if (this.loopRunning) {
          this.loopRunning = false;
          this.loopEnded?.(new Error('the engine process exited while the loop ran'));
        }
      },
    });
    return this.client;
  }

  call<M extends HostMethod>(method: M, params: ParamsOf<M>, signal?: AbortSignal): Promise<ResultOf<M>> {
    return this.engine().call(method, params, signal);
  }

  private onEvent(...args: EngineEventArgs): void {
    const [type, data] = args;
    if (type === 'run-started') this.loopRunning = true;
    else if (type === 'run-stopped') {
      this.loopRunning = false;
      this.opts.log.info(`loop stopped: ${data.reason}`);
      this.loopEnded?.();
    } else if (type === 'loop-error') {
      this.loopRunning = false;
      const err = data.error;
      this.loopEnded?.(new CodecEvolutionError((err.kind ?? 'internal') as ErrorKind, err.message || 'the loop failed', err.remedy));
    }
    this.opts.onEvent(...args);
  }

  /** The engine's `status` says whether a loop runs (e.g. one started before this host saw its events). */
  observeLoop(running: boolean): void {
    if (running !== this.loopRunning && !this.runDone) this.loopRunning = running;
  }

  /** Runs the loop in the engine child until budgets, `generations`, Stop or deactivate end it; a second
   * call while one runs gets the same promise. */
  run(generations: number | undefined, hooks: RunHooks): Promise<void> {
    if (this.runDone) return this.runDone;
    this.runDone = (async () => {
      try {
        const params = await hooks.prepare();
        const e = this.engine();
        if (generations === 1) {
          const s = await e.call('runOneGeneration', params);
          this.opts.log.info(`generation done: ${s.stopReason ?? ''}`);
        } else {
          const ended = new Promise<void>((resolve, reject) => {
            this.loopEnded = (err) => (err ? reject(err) : resolve());
          });
          await e.call('start', { ...params, generations });
          await ended;
        }
      } catch (e) {
        if (!(e instanceof CancelledError)) {
          hooks.failed(e);
          throw e;
        }
      } finally {
        this.loopEnded = undefined;
        this.runDone = undefined;
        this.loopRunning = false;
        await hooks.ended();
      }
    })();
    return this.runDone;
  }

  async stop(): Promise<void> {
    if (!this.client?.alive) return;
    const done = this.runDone;
    const r = await this.client.call('stop', {});
    this.opts.log.info(r.stopped ? 'loop stopped' : 'no loop was running');
    if (done) await done.catch(() => undefined);
  }

  /** Stops a running loop (4 s at most) and the child. */
  async dispose(): Promise<void> {
    try {
      if (this.running && this.client?.alive) await Promise.race([this.client.call('stop', {}), new Promise((r) => setTimeout(r, 4000))]);
    } catch {
      /* exiting anyway */
    }
    await this.client?.dispose();
  }
}
