// The extension host's end of the engine child process (dist/engine-host.js, protocol in
// src/engine-host/protocol.ts): typed requests, events, the child's requests for vscode.lm
// completions, and a clean stop. No vscode import, so it is tested against a real child in plain node.
import { fork, type ChildProcess } from 'node:child_process';
import { CancelledError, CodecEvolutionError, type ErrorKind } from '../core/errors';
import type { EngineToHost, HostMethod, HostToEngine, LlmRequestMessage, ParamsOf, ResultOf } from '../engine-host/protocol';
import type { EngineEventArgs, EngineEventListener } from '../core/events';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug?(msg: string): void;
}

export type LmChatRequest = Omit<LlmRequestMessage, 'kind'>;
export interface LmChatResult {
  text: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export interface EngineClientOptions {
  script: string;
  /** The workspace folder the engine works on (its argv[2] and cwd). */
  root: string;
  /** The child's whole environment: the caller decides what it may see. */
  env: NodeJS.ProcessEnv;
  /** Defaults to process.execPath; in VS Code that is Electron, hence ELECTRON_RUN_AS_NODE in env. */
  execPath?: string;
  log: Logger;
  onEvent?: EngineEventListener;
  onLmRequest?: (req: LmChatRequest, signal: AbortSignal) => Promise<LmChatResult>;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** How long the child gets to stop after its IPC channel closes before it is killed. */
  shutdownGraceMs?: number;
  /** How long to wait for the child's 'ready'. */
  startTimeoutMs?: number;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  method: string;
}

export class EngineClient {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private lm = new Map<number, AbortController>();
  private exited?: Promise<void>;

  constructor(private readonly opts: EngineClientOptions) {}

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private start(): Promise<void> {
    if (this.ready && this.alive) return this.ready;
    const o = this.opts;
    const child = fork(o.script, [o.root], {
      cwd: o.root,
      env: o.env,
      execPath: o.execPath ?? process.execPath,
      // Never inherit the host's own flags (VS Code's extension host runs with inspector/loader flags).
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (d: string) =>
      d
        .split('\n')
        .filter(Boolean)
        .forEach((l) => o.log.info(`[engine] ${l}`)),
    );
    child.stderr?.setEncoding('utf8').on('data', (d: string) =>
      d
        .split('\n')
        .filter(Boolean)
        .forEach((l) => o.log.warn(`[engine] ${l}`)),
    );
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CodecEvolutionError(
              'environment',
              `the engine process did not start within ${(o.startTimeoutMs ?? 15000) / 1000} s`,
              'see Codec Evolution: Show Log',
            ),
          ),
        o.startTimeoutMs ?? 15000,
      );
      child.on('message', (m) => {
        const msg = m as EngineToHost;
        if (msg?.kind === 'ready') {
          clearTimeout(timer);
          o.log.info(`engine process ${msg.pid} ready (protocol ${msg.protocol}) on ${msg.workspace}`);
          resolve();
          return;
        }
        this.receive(msg);
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(
          new CodecEvolutionError(
            'internal',
            'the engine process exited before it was ready',
            'see Codec Evolution: Show Log (is dist/engine-host.js built?)',
          ),
        );
      });
    });
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        const err = new CodecEvolutionError(
          'internal',
          `the engine process stopped (${signal ?? `exit code ${code}`})`,
          'see Codec Evolution: Show Log; the next command starts a new one',
        );
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        for (const c of this.lm.values()) c.abort();
        this.lm.clear();
        o.log.info(`engine process ${child.pid} exited (${signal ?? code})`);
        o.onExit?.(code, signal);
        resolve();
      }),
    );
    child.on('error', (e) => o.log.error(`engine process: ${e.message}`));
    return this.ready;
  }

  private send(msg: HostToEngine): void {
    if (this.child?.connected) this.child.send(msg as never);
  }

  private receive(m: EngineToHost): void {
    const o = this.opts;
    if (!m || typeof m !== 'object') return;
    const handlers: { [K in EngineToHost['kind']]: (msg: Extract<EngineToHost, { kind: K }>) => void } = {
      ready: () => {},
      response: (r) => {
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        if (r.ok) p.resolve(r.result);
        else
          p.reject(
            r.error.kind === 'cancelled'
              ? new CancelledError(r.error.message)
              : new CodecEvolutionError((r.error.kind as ErrorKind) ?? 'internal', r.error.message, r.error.remedy),
          );
      },
      event: (e) => o.onEvent?.(...([e.event.type, e.event.data] as EngineEventArgs)),
      'llm-request': (req) => {
        void this.answerLm(req);
      },
      'llm-cancel': (c) => this.lm.get(c.id)?.abort(),
    };
    const h = (handlers as Record<string, (x: unknown) => void>)[m.kind];
    if (h) h(m);
    else o.log.warn(`engine sent an unknown message kind '${String((m as { kind?: unknown }).kind)}'`);
  }

  private async answerLm(req: LlmRequestMessage): Promise<void> {
    const ctl = new AbortController();
    this.lm.set(req.id, ctl);
    try {
      if (!this.opts.onLmRequest) throw new Error('this host has no language model bridge');
      const { kind: _k, ...rest } = req;
      const r = await this.opts.onLmRequest(rest, ctl.signal);
      // VS Code does not tell what a chat model costs: spend is recorded as 0 for vscode.lm.
      this.send({ kind: 'llm-response', id: req.id, ok: true, ...r, costUsd: 0 });
    } catch (e) {
      this.send({
        kind: 'llm-response',
        id: req.id,
        ok: false,
        error: { kind: ctl.signal.aborted ? 'cancelled' : 'provider', message: e instanceof Error ? e.message : String(e) },
      });
    } finally {
      this.lm.delete(req.id);
    }
  }

  /** One typed request. Aborting `signal` sends `cancel`: the child aborts the work (its sandbox
   * children are killed) and the request rejects with a CancelledError once the child confirms. */
  async call<M extends HostMethod>(method: M, params: ParamsOf<M>, signal?: AbortSignal): Promise<ResultOf<M>> {
    if (signal?.aborted) throw new CancelledError();
    await this.start();
    const id = this.nextId++;
    const onAbort = () => this.send({ kind: 'cancel', id });
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: (v) => resolve(v as ResultOf<M>), reject });
      this.send({ kind: 'request', id, method, params } as HostToEngine);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    }).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Closes the IPC channel (the child stops its loop and exits), kills it after the grace period. */
  async dispose(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        this.opts.log.warn(`engine process ${child.pid} did not stop; killing it`);
        child.kill('SIGKILL');
      }
    }, this.opts.shutdownGraceMs ?? 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Bridges a CancellationToken-like source to an AbortSignal. */
export function abortSignalOf(
  token: { isCancellationRequested: boolean; onCancellationRequested(cb: () => void): { dispose(): void } } | undefined,
): AbortSignal | undefined {
  if (!token) return undefined;
  const ctl = new AbortController();
  if (token.isCancellationRequested) ctl.abort();
  else token.onCancellationRequested(() => ctl.abort());
  return ctl.signal;
}
