// The engine as a child process of the VS Code host (bundled to dist/engine-host.js). Heavy work —
// candidate runs, metrics, reference encoders — happens here, never on the extension host's thread.
// Messages are declared in protocol.ts.
import { CancelledError, CodecEvolutionError, ProviderError, errorMessage } from '../core/errors';
import type { CompletionRequest, CompletionResult, LlmProvider } from '../core/llm/provider';
import { initWorkspace } from '../core/store/init';
import { Workspace } from '../core/store/workspace';
import { readJsonIfExists } from '../core/store/atomic';
import { createEvaluator } from '../core/evolution/cascade';
import { FrameCache } from '../core/evolution/frames';
import { idleStatus, STATUS_FILE, type EngineStatus } from '../core/evolution/engine';
import {
  HOST_PROTOCOL_VERSION,
  type EngineToHost,
  type HostMethod,
  type HostMethods,
  type HostToEngine,
  type LlmResponseMessage,
  type ReferencesResult,
  type SerializedError,
  type StartParams,
} from './protocol';
import { adoptCandidate, rejectCandidate } from '../core/evolution/review';
import { runSession } from '../core/evolution/session';
import { unifiedDiff } from '../core/evolution/diff';
import { runReference, type ReferenceCodec } from '../core/baseline/reference';
import { locateFfmpeg } from '../core/video/ffmpeg';
import { readVideo } from '../core/video/read';
import { addClip } from '../core/store/clips';
import { mergeConfigOverrides } from '../core/store/config-overrides';
import { addDirective, clearDirectives, listDirectives } from '../core/store/directives';
import { factsFor, renderFacts } from '../core/evolution/facts';
import { askModel } from '../core/evolution/ask';
import { createProvider } from '../core/llm/index';
import { basename, join, resolve } from 'node:path';
import type { EngineEventOf } from '../core/events';

function send(m: EngineToHost): void {
  process.send?.(m);
}

function serialize(e: unknown): SerializedError {
  if (e instanceof CodecEvolutionError) return { kind: e.kind, message: e.message, remedy: e.remedy };
  return { kind: 'internal', message: errorMessage(e) };
}

/** Completions answered by the host (VS Code's Language Model API). */
class HostProvider implements LlmProvider {
  readonly kind = 'host';
  readonly model = 'vscode.lm';
  private next = 1;
  private readonly pending = new Map<number, (m: LlmResponseMessage) => void>();
  complete(req: CompletionRequest): Promise<CompletionResult> {
    const id = this.next++;
    return new Promise((res, rej) => {
      const onAbort = () => {
        this.pending.delete(id);
        send({ kind: 'llm-cancel', id });
        rej(new ProviderError('cancelled'));
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, (m) => {
        req.signal?.removeEventListener('abort', onAbort);
        if (m.ok)
          res({ text: m.text, model: m.model, usage: { inputTokens: m.inputTokens, outputTokens: m.outputTokens }, costUsd: m.costUsd });
        else rej(new ProviderError(m.error.message, m.error.remedy));
      });
      send({ kind: 'llm-request', id, system: req.system, messages: req.messages, maxTokens: req.maxTokens });
    });
  }
  answer(m: LlmResponseMessage): void {
    this.pending.get(m.id)?.(m);
    this.pending.delete(m.id);
  }
}

export class EngineHost {
  private loop?: { controller: AbortController; done: Promise<EngineStatus | undefined> };
  private readonly hostProvider = new HostProvider();
  private readonly frameCache = new FrameCache(() => this.ws());
  /** In-flight requests by id, so `cancel` (and shutdown) can abort them. */
  private readonly inFlight = new Map<number, AbortController>();
  constructor(readonly root: string) {}

  private ws(): Workspace {
    return new Workspace(this.root);
  }

  private startLoop(p: StartParams): { controller: AbortController; done: Promise<EngineStatus | undefined> } {
    if (this.loop) throw new CodecEvolutionError('usage', 'the evolution loop is already running', 'stop it first');
    const controller = new AbortController();
    const { kind, ...rest } = p.provider ?? {};
    const done = runSession(this.ws(), {
      generations: p.generations,
      budgets: p.budgets,
      concurrency: p.concurrency,
      signal: controller.signal,
      provider: kind && kind !== 'host' ? { ...rest, kind } : rest,
      providerInstance: kind === 'host' ? this.hostProvider : undefined,
      providerRuntime: { apiKey: p.apiKey },
      ...(p.queue ? { queue: p.queue } : {}),
      onEvent: (...[type, data]) => send({ kind: 'event', event: { type, time: new Date().toISOString(), data } as EngineEventOf }),
    })
      .then(
        (s) => s,
        (e) => {
          send({ kind: 'event', event: { type: 'loop-error', time: new Date().toISOString(), data: { error: serialize(e) } } });
          return undefined;
        },
      )
      .finally(() => {
        this.loop = undefined;
      });
    this.loop = { controller, done };
    return this.loop;
  }

  /** A write to config.json (or the clips it lists) while no loop runs: a loop reads the config when it
   * starts and must not see it change. This child's own loop is refused by name; the workspace lock,
   * held for the write, refuses a loop of another process (codec-evolve evolve) and keeps one from
   * starting meanwhile. Requests are served concurrently, but the write itself is synchronous. */
  private configWrite<T>(what: string, write: (ws: Workspace) => T): T {
    if (this.loop) throw new CodecEvolutionError('usage', `stop the loop before ${what}`, 'the loop reads the config when it starts');
    const ws = this.ws();
    ws.lock.acquire(`${what} (engine process ${process.pid})`);
    try {
      return write(ws);
    } finally {
      ws.lock.release();
    }
  }

  async handle<M extends HostMethod>(
    method: M,
    params: HostMethods[M][0],
    signal?: AbortSignal,
    requestId?: number,
  ): Promise<HostMethods[M][1]> {
    const h = this.handlers[method] as (p: HostMethods[M][0], signal?: AbortSignal, requestId?: number) => Promise<HostMethods[M][1]>;
    return h(params, signal, requestId);
  }

  private readonly handlers: {
    [M in HostMethod]: (p: HostMethods[M][0], signal?: AbortSignal, requestId?: number) => Promise<HostMethods[M][1]>;
  } = {
    init: async (p) => ({ created: initWorkspace(this.root, { seed: p.seed, force: p.force }).created }),
    start: async (p) => {
      this.startLoop(p);
      return { started: true as const };
    },
    stop: async () => {
      if (!this.loop) return { stopped: false };
      this.loop.controller.abort();
      const status = await this.loop.done;
      return { stopped: true, status };
    },
    runOneGeneration: async (p, signal) => {
      const loop = this.startLoop({ ...p, generations: 1 });
      const onAbort = () => loop.controller.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const s = await loop.done.finally(() => signal?.removeEventListener('abort', onAbort));
      if (signal?.aborted) throw new CancelledError('the generation was cancelled');
      if (!s) throw new CodecEvolutionError('internal', 'the generation failed', 'see the loop-error event / the log');
      return s;
    },
    status: async () => {
      const ws = this.ws();
      const saved = readJsonIfExists<EngineStatus>(join(ws.dir, STATUS_FILE));
      return {
        ...(saved ?? idleStatus()),
        loopRunning: !!this.loop,
      };
    },
    reviewList: async (p) =>
      this.ws()
        .listCandidates()
        .filter((c) => c.state === 'pending-review' || (p.includeEvaluated && c.state === 'evaluated')),
    reviewShow: async (p) => {
      const ws = this.ws();
      const candidate = ws.readCandidate(p.id);
      const v = ws.latestVersion();
      const baseCode = v ? ws.versionCode(v.version) : '';
      const code = ws.readCandidateFile(p.id, 'code.js') ?? '';
      return { candidate, code, baseCode, baseVersion: v?.version ?? 0, diff: unifiedDiff(baseCode, code, `v${v?.version ?? 0}`, p.id) };
    },
    accept: async (p) => {
      const r = await adoptCandidate(this.ws(), p.id, { by: 'person', reason: p.reason });
      return { version: r.version, gitNote: r.gitNote };
    },
    reject: async (p) => rejectCandidate(this.ws(), p.id, { by: 'person', reason: p.reason }),
    history: async () => ({ candidates: this.ws().listCandidates(), versions: this.ws().listVersions() }),
    evaluate: async (p, signal) => {
      const ws = this.ws();
      const cfg = ws.readConfig();
      const evaluate = createEvaluator(ws, cfg, signal);
      const r = await evaluate(p.source, {
        stage: 'training',
        filename: p.filename,
        clips: cfg.clips.training.map((c) => ({ path: ws.resolvePath(c.path), frames: c.frames })),
        references: cfg.references,
        qualities: cfg.qualities,
      });
      // A cancelled run can surface as a candidate failure (its sandbox child was killed): report the cancel.
      if (signal?.aborted) throw new CancelledError('the evaluation was cancelled');
      return r;
    },
    frames: (p, signal) => this.frameCache.frames(p, signal),
    references: async (_p, signal, requestId) => {
      const ws = this.ws();
      const cfg = ws.readConfig();
      const ffmpeg = await locateFfmpeg({ ffmpegPath: cfg.ffmpegPath });
      const progress = (message: string) =>
        send({ kind: 'event', event: { type: 'references-progress', time: new Date().toISOString(), data: { requestId, message } } });
      const clips: ReferencesResult['clips'] = [];
      for (const c of cfg.clips.training) {
        const path = ws.resolvePath(c.path);
        // The evaluation's frames (a clip's `frames` limit) and options: both fill and read the same cache
        // entries, and the curves sit beside the candidates' points.
        const video = await readVideo(path, { ffmpegPath: ffmpeg.path, maxFrames: c.frames, signal });
        const r = await runReference(video, {
          codecs: cfg.references as ReferenceCodec[],
          ffmpeg,
          cacheDir: ws.baselineCacheDir,
          signal,
          onProgress: (m) => progress(`${basename(path)}: ${m}`),
        });
        clips.push({
          clip: basename(path),
          curves: r.curves.map((k) => ({ codec: k.codec, points: k.points })),
          encodes: r.ffmpegRuns,
          skipped: r.skipped,
        });
      }
      if (signal?.aborted) throw new CancelledError('the reference encoders were cancelled');
      return { clips };
    },
    directives: async () => listDirectives(this.ws()),
    steer: async (p) => addDirective(this.ws(), p),
    clearDirective: async (p) => clearDirectives(this.ws(), p.id),
    applyConfig: async (p) =>
      this.configWrite('changing its settings', (ws) => {
        const cfg = ws.readConfig();
        const next = mergeConfigOverrides(cfg, p.overrides);
        const changed = JSON.stringify(next) !== JSON.stringify(cfg);
        if (changed) ws.writeConfig(next);
        return { config: next, changed };
      }),
    addClip: async (p) => this.configWrite('changing its clips', (ws) => addClip(ws, resolve(this.root, p.path), p.role)),
    facts: async (p) => factsFor(this.ws(), p),
    ask: async (p, signal) => {
      const ws = this.ws();
      const f = factsFor(ws, { question: p.question });
      const cfg = ws.readConfig();
      if (cfg.provider.kind === 'offline') return f;
      const r = await askModel(createProvider(cfg.provider, { apiKey: p.apiKey }), p.question, renderFacts(f.sections), { signal });
      return { ...f, text: r.text, model: r.model, costUsd: r.costUsd };
    },
  };

  async onMessage(m: HostToEngine): Promise<void> {
    if (m.kind === 'llm-response') {
      this.hostProvider.answer(m);
      return;
    }
    if (m.kind === 'cancel') {
      this.inFlight.get(m.id)?.abort();
      return;
    }
    if (m.kind !== 'request') return;
    const controller = new AbortController();
    this.inFlight.set(m.id, controller);
    try {
      const result = await this.handle(m.method, m.params as never, controller.signal, m.id);
      send({ kind: 'response', id: m.id, ok: true, result });
    } catch (e) {
      send({
        kind: 'response',
        id: m.id,
        ok: false,
        error: serialize(controller.signal.aborted && !(e instanceof CancelledError) ? new CancelledError() : e),
      });
    } finally {
      this.inFlight.delete(m.id);
    }
  }

  /** Stops the loop (if any) and waits for it: used on disconnect so children die with us. */
  async shutdown(): Promise<void> {
    // Aborting a request kills its sandbox children before this process exits.
    for (const c of this.inFlight.values()) c.abort();
    this.frameCache.clear();
    if (this.loop) {
      this.loop.controller.abort();
      await this.loop.done;
    }
  }
}

if (require.main === module) {
  const root = resolve(process.argv[2] ?? process.cwd());
  const host = new EngineHost(root);
  process.on('message', (m) => {
    void host.onMessage(m as HostToEngine);
  });
  process.on('disconnect', () => {
    void host.shutdown().finally(() => process.exit(0));
  });
  process.on('SIGTERM', () => {
    void host.shutdown().finally(() => process.exit(0));
  });
  send({ kind: 'ready', protocol: HOST_PROTOCOL_VERSION, pid: process.pid, workspace: root });
}
