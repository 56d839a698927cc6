// Runs one call of a candidate — encode or decode — in its own sandboxed child process and turns
// whatever happens (result, throw, hang, memory blow-up, crash) into a result or a classified
// failure. The outer isolation layers live here: Node's permission model (no fs/child/worker
// grants beyond the worker script), a scrubbed environment, heap flag, a resident-memory
// watchdog (typed arrays live outside the V8 heap), and a wall-clock kill of the process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DecodedVideo, Frame, Video } from '../codec/contract';
import { chromaHeight, chromaWidth, frameBytes } from '../codec/contract';
import { CancelledError, EnvironmentError } from '../errors';
import { distFile } from '../paths';
import type { CandidateFailure } from './failures';
import { MessageReader, MessageTooLargeError, encodeMessage, type PayloadStream } from './framing';
import { outputCap, resolveLimits, type SandboxLimits } from './limits';
import type { ChildMessage, RunRequest, RuntimeReport } from './protocol';
import { SourceMapper } from './sourcemap';
import type { PreparedCandidate } from './validator';

export interface SandboxRunOptions {
  limits?: Partial<SandboxLimits>;
  /** The runtime to start children with; default process.execPath (node, or Electron in VS Code). */
  execPath?: string;
  /** The bundled worker; default dist/sandbox-worker.js. */
  workerPath?: string;
  signal?: AbortSignal;
  /** Seed of Math.random in both children. */
  seed?: number;
  /** Refuse to run (EnvironmentError) unless the permission model is active. */
  requirePermissionModel?: boolean;
  /** Observability for tests and hosts: the pid of the child that takes the job (started now or ahead). */
  onSpawn?: (pid: number) => void;
  /** Children started ahead of need (see SandboxPool); without it every job starts its child cold. */
  pool?: SandboxPool;
}

interface RunTiming {
  /** Candidate call only, measured inside the child. */
  ms: number;
  /**
   * What the job waited for its sandbox: from the call until the candidate module was loaded. For
   * a cold child that is spawn → loaded; for one started ahead (warm) it is hand-over → loaded.
   */
  startupMs: number;
  /** Whether the child had been started ahead of need by a SandboxPool. */
  warm: boolean;
}

export type EncodeOutcome =
  ({ ok: true; bytes: Uint8Array; meta?: { name?: string; description?: string } } & RunTiming) | { ok: false; failure: CandidateFailure };

export type DecodeOutcome =
  /** With `onFrame`, the frames went to it as they arrived and `video.frames` is empty. */
  ({ ok: true; video: DecodedVideo } & RunTiming) | { ok: false; failure: CandidateFailure };

/** Which isolation layers are active, measured by a probe child (never assumed). */
export interface SandboxLevel {
  /** 'full' = every layer below active; 'reduced' = some missing (listed in `missing`). */
  level: 'full' | 'reduced';
  runtime: string;
  permissionFlag: string | null;
  layers: string[];
  missing: string[];
  summary: string;
}

const DEFAULT_SEED = 0x5eed;

// ---- runtime detection ----------------------------------------------------------------------------

interface Support {
  permissionFlag: string | null;
  netns: string | null;
  guards: Guards;
  runtime: RuntimeReport;
  rssWatchdog: boolean;
  groupKill: boolean;
  level: SandboxLevel;
}

/**
 * util-linux tools that bound a child's life on their own, without its host: the host's wall-clock
 * kill dies with the host (kill -9 of the CLI), and a detached child in its own process group would
 * then spin under PID 1 forever. setpriv --pdeathsig makes the kernel kill the child when its parent
 * dies — no thread of the child is needed, so a candidate's tight loop cannot hold it off — and
 * prlimit sets RLIMIT_CPU as a last bound (SIGXCPU, then SIGKILL at the hard limit).
 */
interface Guards {
  setpriv: string | null;
  prlimit: string | null;
}
const NO_GUARDS: Guards = { setpriv: null, prlimit: null };

function guardBinaries(): Guards {
  if (process.platform !== 'linux') return NO_GUARDS;
  const find = (name: string) => [`/usr/bin/${name}`, `/bin/${name}`].find((p) => existsSync(p)) ?? null;
  return { setpriv: find('setpriv'), prlimit: find('prlimit') };
}

/** RLIMIT_CPU of a child: soft (SIGXCPU) and hard (SIGKILL) seconds. */
function cpuLimitSeconds(limits: SandboxLimits): { soft: number; hard: number } {
  // GC threads add CPU time on top of the wall clock, hence the margin over the wall-clock limit.
  const soft = limits.cpuSeconds ?? Math.ceil((2 * limits.timeoutMs) / 1000) + 5;
  return { soft, hard: soft + 5 };
}

/** `unshare` (util-linux), to start children in an empty network namespace where the OS allows it. */
function unshareBinary(): string | null {
  if (process.platform !== 'linux') return null;
  return ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p)) ?? null;
}

/**
 * The command that starts a child: the runtime itself, or the runtime inside a fresh network
 * namespace, behind the guards when given. Each wrapper execs the next, so the child keeps one pid.
 */
function command(
  execPath: string,
  args: string[],
  netns: string | null,
  guards: Guards = NO_GUARDS,
  cpu?: { soft: number; hard: number },
): [string, string[]] {
  const chain: string[] = [];
  // -r maps our uid to root inside a new user namespace (no real privilege), which lets an
  // unprivileged user create the network namespace (-n) that has no usable interface.
  if (netns) chain.push(netns, '-rn', '--');
  if (guards.prlimit && cpu) chain.push(guards.prlimit, `--cpu=${cpu.soft}:${cpu.hard}`, '--');
  // Last before the runtime: entering the user namespace changes credentials, which clears the
  // parent-death signal, so it is set after unshare.
  if (guards.setpriv) chain.push(guards.setpriv, '--pdeathsig', 'KILL', '--');
  chain.push(execPath, ...args);
  return [chain[0], chain.slice(1)];
}
const supportCache = new Map<string, Promise<Support>>();
/** The same, once known: lets a pool start a child without waiting a turn of the event loop. */
const supportKnown = new Map<string, Support>();

/** The child's environment: nothing of the host's (no API keys, no HOME, no NODE_OPTIONS). */
export function childEnv(): Record<string, string> {
  // Electron's binary only behaves as Node with this set; plain node ignores it. Set always, so the
  // same spawn works from VS Code (process.execPath = Electron) and from the CLI (node).
  return { ELECTRON_RUN_AS_NODE: '1' };
}

function workerScript(opts: SandboxRunOptions = {}): string {
  const p = opts.workerPath ?? distFile('sandbox-worker.js');
  if (!existsSync(p)) throw new EnvironmentError(`the sandbox worker ${p} is missing`, "run 'npm run build' to bundle it");
  return p;
}

function nodeArgs(permissionFlag: string | null, worker: string, heapMb: number): string[] {
  return [
    ...(permissionFlag ? [permissionFlag, `--allow-fs-read=${worker}`] : []),
    `--max-old-space-size=${heapMb}`,
    '--disallow-code-generation-from-strings',
    '--no-warnings',
    worker,
  ];
}

/** Starts one child in probe mode: it reports its runtime and tries what the permission model refuses. */
export async function probeRuntime(
  execPath: string,
  worker: string,
  permissionFlag: string | null,
  netns: string | null = null,
  guards: Guards = NO_GUARDS,
): Promise<RuntimeReport | undefined> {
  return new Promise((resolve) => {
    const [cmd, args] = command(execPath, [...nodeArgs(permissionFlag, worker, 64), '--probe'], netns, guards, { soft: 30, hard: 35 });
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv(),
      cwd: dirname(worker),
      windowsHide: true,
    });
    let report: RuntimeReport | undefined;
    const reader = new MessageReader((m) => {
      const h = m.header as unknown as ChildMessage;
      if (h.type === 'hello') report = h.runtime;
    }, 1 << 20);
    child.stdout!.on('data', (c: Buffer) => {
      try {
        reader.push(c);
      } catch {
        child.kill('SIGKILL');
      }
    });
    child.stderr!.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(report);
    });
  });
}

/** Detects (once per runtime) which permission flag works and what the child can still do. */
function detectSupport(opts: SandboxRunOptions = {}): Promise<Support> {
  const execPath = opts.execPath ?? process.execPath;
  const worker = workerScript(opts);
  // What a runtime supports does not depend on which worker script it runs: cache per runtime.
  const key = execPath;
  let p = supportCache.get(key);
  if (!p) {
    p = (async () => {
      const flags = ['--permission', '--experimental-permission'].filter(
        (f) => execPath !== process.execPath || process.allowedNodeEnvironmentFlags.has(f),
      );
      let flag: string | null = null;
      let r: RuntimeReport | undefined;
      for (const f of flags) {
        r = await probeRuntime(execPath, worker, f);
        if (r?.permissionModel) {
          flag = f;
          break;
        }
      }
      if (!flag) r = await probeRuntime(execPath, worker, null);
      if (!r)
        throw new EnvironmentError(
          `cannot start a sandbox child with ${execPath}`,
          'check that this Node.js/Electron runtime can run scripts (ELECTRON_RUN_AS_NODE=1)',
        );
      const unshare = unshareBinary();
      let netns: string | null = null;
      if (unshare) {
        const inNs = await probeRuntime(execPath, worker, flag, unshare);
        if (inNs?.denied?.network) {
          netns = unshare;
          r = inNs;
        }
      }
      // The guards are used only if a child starts through them here.
      const found = guardBinaries();
      let guards = NO_GUARDS;
      if (found.setpriv || found.prlimit) {
        const guarded = await probeRuntime(execPath, worker, flag, netns, found);
        if (guarded) {
          guards = found;
          r = guarded;
        }
      }
      return support(flag, netns, r, guards);
    })();
    p.then(
      (s) => supportKnown.set(key, s),
      () => supportCache.delete(key),
    );
    supportCache.set(key, p);
  }
  return p;
}

function support(flag: string | null, netns: string | null, r: RuntimeReport, guards: Guards = NO_GUARDS): Support {
  const rssWatchdog = process.platform === 'linux';
  const groupKill = process.platform !== 'win32';
  const layers: string[] = [];
  const missing: string[] = [];
  const d = r.denied;
  if (flag && d) {
    const fsAndProcs = Object.entries(d).filter(([k]) => k !== 'network');
    const denied = fsAndProcs.filter(([, v]) => v).map(([k]) => k);
    const allowed = fsAndProcs.filter(([, v]) => !v).map(([k]) => k);
    layers.push(`permission model (${flag}; refused: ${denied.join(', ')})`);
    if (allowed.length) missing.push(`permission model did not refuse: ${allowed.join(', ')}`);
  } else missing.push('Node permission model (runtime supports neither --permission nor --experimental-permission)');
  layers.push('vm context (code generation from strings and WebAssembly off, no host objects, seeded Math.random, frozen clock)');
  if (r.codegenFromStringsDisabled) layers.push('--disallow-code-generation-from-strings in the child realm');
  else missing.push('--disallow-code-generation-from-strings had no effect');
  if (r.envKeys.every((k) => k === 'ELECTRON_RUN_AS_NODE')) layers.push('scrubbed environment');
  else missing.push(`environment not scrubbed: ${r.envKeys.join(', ')}`);
  layers.push('heap cap (--max-old-space-size)');
  if (rssWatchdog) layers.push('resident-memory watchdog (/proc)');
  else missing.push(`resident-memory watchdog (no /proc on ${process.platform})`);
  layers.push(groupKill ? 'wall-clock kill of the process group' : 'wall-clock kill of the child');
  if (netns) layers.push('empty network namespace (unshare -rn: no connection possible, even to 127.0.0.1)');
  else missing.push('network namespace (unshare -rn unavailable here): only the vm context keeps sockets out of reach');
  if (guards.setpriv) layers.push('dies with its host (parent-death signal, setpriv --pdeathsig KILL)');
  else missing.push('parent-death signal (setpriv unavailable): a child whose host is killed lives until its CPU-time limit');
  if (guards.prlimit) layers.push('CPU-time limit of its own (RLIMIT_CPU via prlimit)');
  else missing.push('CPU-time limit (prlimit unavailable): only the host enforces the time limit');
  const full = missing.length === 0;
  const runtime = r.electron ? `electron ${r.electron} (node ${r.node})` : `node ${r.node}`;
  return {
    permissionFlag: flag,
    netns,
    guards,
    runtime: r,
    rssWatchdog,
    groupKill,
    level: {
      level: full ? 'full' : 'reduced',
      runtime,
      permissionFlag: flag,
      layers,
      missing,
      summary: `${full ? 'full' : 'reduced'}: ${runtime}; ${layers.length} layers${flag ? ` (${flag})` : ', NO permission model'}`,
    },
  };
}

export async function sandboxLevel(opts: SandboxRunOptions = {}): Promise<SandboxLevel> {
  return (await detectSupport(opts)).level;
}

// ---- children started ahead of need -------------------------------------------------------------------

interface SpawnSpec {
  key: string;
  cmd: string;
  args: string[];
  cwd: string;
  groupKill: boolean;
}

function spawnSpec(opts: SandboxRunOptions, sup: Support, limits: SandboxLimits): SpawnSpec {
  const worker = workerScript(opts);
  const [cmd, args] = command(
    opts.execPath ?? process.execPath,
    nodeArgs(sup.permissionFlag, worker, limits.heapMb),
    sup.netns,
    sup.guards,
    cpuLimitSeconds(limits),
  );
  return { key: JSON.stringify([cmd, args]), cmd, args, cwd: dirname(worker), groupKill: sup.groupKill };
}

function spawnChild(spec: SpawnSpec): ChildProcess {
  return spawn(spec.cmd, spec.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: childEnv(),
    cwd: spec.cwd,
    detached: spec.groupKill,
    windowsHide: true,
  });
}

type Unrefable = { ref?(): void; unref?(): void } | null | undefined;
/** An idle spare must not keep the host's event loop (a finished CLI run) alive. */
function setRef(child: ChildProcess, on: boolean): void {
  for (const h of [child, child.stdin, child.stdout, child.stderr] as Unrefable[]) {
    if (on) h?.ref?.();
    else h?.unref?.();
  }
}

/** A child started ahead of need, idle until a job takes it. */
interface Spare {
  spec: SpawnSpec;
  child: ChildProcess;
  /** stdout before hand-over (the worker's hello), replayed to the job's reader. */
  early: Buffer[];
  stderr: string;
  gone: boolean;
  detach(): void;
}

const openPools = new Set<SandboxPool>();
let exitHook = false;

/**
 * Keeps one sandbox child started ahead of need per command line, so that a job's child has already
 * booted Node and made its vm context when the job comes: the start-up (~25–40 ms per child, two
 * children per RD point) runs while the previous job computes instead of on the evaluation's
 * critical path. A replacement is started as soon as a job's candidate has loaded.
 *
 * Isolation is exactly that of a cold start. Each spare is a fresh process started with the same
 * flags (permission model, heap cap, scrubbed environment, network namespace); it has loaded no
 * candidate code, receives nothing until its one job's request, serves that one job and exits. Encode
 * and decode still run in separate processes, and only the bitstream reaches a decoder. Spares are
 * killed by close(), by the pool's abort signal, and at host exit; a spare whose host dies without
 * that sees end of input and exits by itself.
 *
 * Why not load the candidate once per child and run all qualities in it (fewer start-ups still): a
 * decoder that decodes several bitstreams in one process could carry state from one to the next —
 * frames kept from the q=80 decode and reused for q=20 buy PSNR without bits — and an encoder could
 * likewise learn across qualities. The determinism check (the same bytes decoded twice) cannot see
 * that, and the quality search visits qualities in an order that depends on earlier results. One job
 * per process keeps every RD point a function of its own bitstream only.
 */
export class SandboxPool {
  private readonly spares = new Map<string, Spare>();
  private closed = false;
  private readonly onAbort = () => this.close();

  // A pool lives for one evaluation, its signal for a whole session: close() must take the listener
  // off again, or every evaluation leaves one behind on the session's signal.
  constructor(private readonly signal?: AbortSignal) {
    if (signal?.aborted) this.closed = true;
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (!this.closed) openPools.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const p of openPools) p.close();
      });
    }
  }

  /** Starts a spare for jobs with these options now, e.g. while the clip is being read. */
  async prewarm(opts: SandboxRunOptions = {}): Promise<void> {
    const sup = await detectSupport(opts);
    this.refill(spawnSpec(opts, sup, resolveLimits(opts.limits)));
  }

  /**
   * Starts a spare right now, synchronously, if this runtime has been probed already (false if not):
   * the child then boots while the caller does synchronous work such as validating the source.
   */
  prewarmNow(opts: SandboxRunOptions = {}): boolean {
    const sup = supportKnown.get(opts.execPath ?? process.execPath);
    if (!sup) return false;
    try {
      this.refill(spawnSpec(opts, sup, resolveLimits(opts.limits)));
      return true;
    } catch {
      return false; /* a missing worker or bad limits are reported by the job itself */
    }
  }

  /** Process ids of the idle spares (observability for tests and hosts). */
  get idlePids(): number[] {
    return [...this.spares.values()].filter((s) => !s.gone && s.child.pid).map((s) => s.child.pid!);
  }

  /** The idle spare for this command line, if one is alive; it leaves the pool. */
  take(spec: SpawnSpec): Spare | undefined {
    const s = this.spares.get(spec.key);
    if (!s) return undefined;
    this.spares.delete(spec.key);
    if (s.gone || s.child.exitCode !== null || s.child.signalCode !== null) {
      killGroup(s.child, s.spec.groupKill);
      return undefined;
    }
    s.detach();
    setRef(s.child, true);
    return s;
  }

  /** Starts a spare for this command line unless one is idle already. */
  refill(spec: SpawnSpec): void {
    if (this.closed || this.spares.get(spec.key)?.gone === false) return;
    const child = spawnChild(spec);
    const spare: Spare = {
      spec,
      child,
      early: [],
      stderr: '',
      gone: false,
      detach: () => {
        child.stdout!.off('data', onOut);
        child.stderr!.off('data', onErr);
        child.off('close', onGone);
        child.off('error', onGone);
      },
    };
    const onOut = (c: Buffer) => {
      spare.early.push(c);
    };
    const onErr = (c: Buffer) => {
      if (spare.stderr.length < 64 * 1024) spare.stderr += c.toString('utf8');
    };
    const onGone = () => {
      spare.gone = true;
      if (this.spares.get(spec.key) === spare) this.spares.delete(spec.key);
    };
    child.stdout!.on('data', onOut);
    child.stderr!.on('data', onErr);
    child.stdin!.on('error', () => {
      /* reported by the job that takes it, or it was never needed */
    });
    child.on('close', onGone);
    child.on('error', onGone);
    setRef(child, false);
    this.spares.set(spec.key, spare);
  }

  /** Kills every idle spare; later jobs start cold. */
  close(): void {
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    openPools.delete(this);
    for (const s of this.spares.values()) killGroup(s.child, s.spec.groupKill);
    this.spares.clear();
  }
}

// ---- one child ------------------------------------------------------------------------------------

interface ChildResult {
  header: ChildMessage;
  payload: Buffer;
  startupMs: number;
  warm: boolean;
}

function killGroup(child: ChildProcess, groupKill: boolean): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (groupKill && child.pid) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** `framed` = the request header followed by its payload (see withLength). */
/** An exception of the host's own frame consumer: a bug of ours, never the candidate's failure. */
class ConsumerError extends Error {
  constructor(readonly inner: unknown) {
    super('frame consumer failed');
  }
}

async function runChild(
  req: RunRequest,
  framed: Buffer[],
  maxReply: number,
  opts: SandboxRunOptions,
  frameDataBytes: number,
  stream?: PayloadStream,
): Promise<ChildResult | { failure: CandidateFailure }> {
  const limits = resolveLimits(opts.limits);
  // The harness itself holds the frames about three times in the child (pipe buffer, the copy in the
  // candidate's context, the reply): that much comes on top of the cap, so big clips are not 'memory'.
  const rssCapMb = limits.rssMb + Math.ceil((3 * frameDataBytes) / (1024 * 1024));
  const sup = await detectSupport(opts);
  if (opts.requirePermissionModel && !sup.permissionFlag) {
    throw new EnvironmentError(
      `the sandbox needs Node's permission model and ${sup.level.runtime} lacks it`,
      'use Node.js ≥ 20.19 or turn off the permission-model requirement',
    );
  }
  if (opts.signal?.aborted) throw new CancelledError();
  const spec = spawnSpec(opts, sup, limits);
  const stage = req.op;
  const start = performance.now();
  const spare = opts.pool?.take(spec);
  const child = spare?.child ?? spawnChild(spec);
  if (child.pid) opts.onSpawn?.(child.pid);
  return new Promise((resolve, reject) => {
    let settled = false;
    let loadedAt: number | undefined;
    let started = false;
    let stderr = spare?.stderr ?? '';
    const timers: NodeJS.Timeout[] = [];
    const settle = (v: ChildResult | { failure: CandidateFailure } | Error) => {
      if (settled) return;
      settled = true;
      for (const t of timers) {
        clearTimeout(t);
        clearInterval(t);
      }
      opts.signal?.removeEventListener('abort', onAbort);
      killGroup(child, sup.groupKill);
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const fail = (cls: CandidateFailure['class'], message: string, extra: Partial<CandidateFailure> = {}) =>
      settle({
        failure: {
          class: cls,
          message,
          stage,
          ...extra,
          ...(stderr.trim() ? { detail: stderr.trim().slice(-limits.maxStderrBytes) } : {}),
        },
      });
    const onAbort = () => settle(new CancelledError());
    opts.signal?.addEventListener('abort', onAbort);

    const reader = new MessageReader(
      (m) => {
        const h = m.header as unknown as ChildMessage;
        if (h.type === 'loaded') loadedAt = performance.now();
        else if (h.type === 'started') {
          started = true;
          // The next job's child boots while this one computes (see SandboxPool).
          opts.pool?.refill(spec);
        } else if (h.type === 'failure') fail(h.class, h.message, { line: h.line, column: h.column });
        else if (h.type === 'encoded' || h.type === 'decoded')
          settle({ header: h, payload: m.payload, startupMs: (loadedAt ?? performance.now()) - start, warm: spare !== undefined });
      },
      maxReply,
      stream,
    );
    const feed = (c: Buffer) => {
      try {
        reader.push(c);
      } catch (e) {
        if (e instanceof ConsumerError) settle(e.inner instanceof Error ? e.inner : new Error(String(e.inner)));
        else if (e instanceof MessageTooLargeError)
          fail('output-limit', `${stage} produced a ${e.bytes}-byte reply, over the ${e.limit}-byte cap`);
        else fail('crash', `the sandbox child sent a malformed message: ${(e as Error).message}`);
      }
    };
    for (const c of spare?.early ?? []) feed(c);
    child.stdout!.on('data', feed);
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < limits.maxStderrBytes * 2) stderr += c.toString('utf8');
    });
    if (!spare)
      child.stdin!.on('error', () => {
        /* the child died before reading everything; 'close' reports why */
      });
    child.on('error', (e) =>
      settle(
        new EnvironmentError(
          `cannot start the sandbox child: ${e.message}`,
          'check codecEvolution runtime (process.execPath) and the bundled dist/sandbox-worker.js',
        ),
      ),
    );
    child.on('close', (code, signal) => {
      if (settled) return;
      // Classified by how the process ended, never by its stderr: that carries the candidate's own
      // text (an escaping exception prints its source line), so a candidate could pick its class.
      if (signal === 'SIGXCPU') {
        fail(
          'timeout',
          `${stage} used up its ${cpuLimitSeconds(limits).soft} s of CPU time — the process was stopped; make it faster or check for an endless loop`,
        );
      } else if (signal === 'SIGABRT' || code === 134) {
        // V8 aborts the process when the heap cap is reached; nothing the candidate can call aborts.
        fail('memory', `${stage} exceeded the ${limits.heapMb} MB JavaScript heap cap — allocate less or reuse buffers`);
      } else {
        fail('crash', `the ${stage} process ended (${signal ? `signal ${signal}` : `exit code ${code}`}) without returning a result`);
      }
    });

    timers.push(
      setTimeout(() => {
        const where = loadedAt === undefined ? 'loading the module (top-level code)' : started ? `${stage}()` : `starting ${stage}`;
        fail(
          'timeout',
          `${where} did not finish within ${limits.timeoutMs} ms — the process was killed; make it faster or check for an endless loop`,
        );
      }, limits.timeoutMs),
    );
    if (sup.rssWatchdog && child.pid) {
      const pid = child.pid;
      timers.push(
        setInterval(() => {
          const mb = rssMb(pid);
          if (mb !== undefined && mb > rssCapMb)
            fail('memory', `${stage} used ${Math.round(mb)} MB of resident memory, over the ${rssCapMb} MB cap — allocate less`);
        }, limits.rssPollMs),
      );
    }
    for (const b of framed) child.stdin!.write(b);
    child.stdin!.end();
  });
}

function withLength(req: RunRequest, payload: Buffer[]): Buffer[] {
  // encodeMessage wants one payload; the planes are written as-is right after the header.
  const total = payload.reduce((s, b) => s + b.length, 0);
  const [prefix, header] = encodeMessage(req, Buffer.alloc(0));
  prefix.writeUInt32LE(total, 4);
  return [prefix, header, ...payload];
}

function mapPosition(candidate: PreparedCandidate, f: CandidateFailure): CandidateFailure {
  if (f.line === undefined || !candidate.sourceMap) return f;
  const o = SourceMapper.fromJson(candidate.sourceMap).original(f.line, (f.column ?? 1) - 1);
  return o ? { ...f, line: o.line, column: o.column + 1 } : { ...f, line: undefined, column: undefined };
}

function baseRequest(candidate: PreparedCandidate, op: 'encode' | 'decode', opts: SandboxRunOptions) {
  return {
    op,
    script: candidate.script,
    filename: candidate.filename.split(/[\\/]/).pop() || 'candidate.js',
    exports: candidate.exports,
    seed: opts.seed ?? DEFAULT_SEED,
  };
}

export async function runEncode(
  candidate: PreparedCandidate,
  video: Video,
  quality: number,
  opts: SandboxRunOptions = {},
): Promise<EncodeOutcome> {
  const limits = resolveLimits(opts.limits);
  const planes: Buffer[] = [];
  for (const f of video.frames) for (const p of [f.y, f.u, f.v]) planes.push(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  const raw = video.frames.length * frameBytes(video.width, video.height);
  const cap = outputCap(limits, raw);
  const req: RunRequest = {
    ...baseRequest(candidate, 'encode', opts),
    video: { width: video.width, height: video.height, fpsNum: video.fpsNum, fpsDen: video.fpsDen, frames: video.frames.length },
    quality,
    maxOutputBytes: cap,
  };
  const r = await runChild(req, withLength(req, planes), cap + (1 << 20), opts, raw);
  if ('failure' in r) return { ok: false, failure: mapPosition(candidate, r.failure) };
  const h = r.header as Extract<ChildMessage, { type: 'encoded' }>;
  if (r.payload.length > cap)
    return {
      ok: false,
      failure: { class: 'output-limit', message: `encode returned ${r.payload.length} bytes, over the ${cap}-byte cap`, stage: 'encode' },
    };
  return {
    ok: true,
    bytes: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.length),
    ms: h.ms,
    startupMs: r.startupMs,
    warm: r.warm,
    ...(h.meta ? { meta: h.meta } : {}),
  };
}

export interface SandboxDecodeOptions extends SandboxRunOptions {
  /** Decode twice in the child and compare (default true). */
  checkDeterminism?: boolean;
  /**
   * Takes each decoded frame as it arrives instead of the whole video at the end, so the host never
   * holds the decoded clip (one frame at a time; the frame's planes are reused after the call). Only
   * a reply whose header matches `expect` exactly is streamed; anything else is buffered and judged
   * as usual.
   */
  onFrame?: (index: number, frame: Frame) => void;
}

export async function runDecode(
  candidate: PreparedCandidate,
  bytes: Uint8Array,
  expect: { width: number; height: number; frames: number },
  opts: SandboxDecodeOptions = {},
): Promise<DecodeOutcome> {
  const total = expect.frames * frameBytes(expect.width, expect.height);
  const req: RunRequest = {
    ...baseRequest(candidate, 'decode', opts),
    expect,
    checkDeterminism: opts.checkDeterminism ?? true,
    maxOutputBytes: total,
  };
  const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ySize = expect.width * expect.height;
  const cSize = chromaWidth(expect.width) * chromaHeight(expect.height);
  const onFrame = opts.onFrame;
  let streamed = 0;
  const stream: PayloadStream | undefined =
    onFrame &&
    ((header, n) => {
      const d = header as unknown as ChildMessage;
      if (d.type !== 'decoded' || d.width !== expect.width || d.height !== expect.height || d.frames !== expect.frames || n !== total)
        return undefined;
      const fb = ySize + 2 * cSize;
      const frame = Buffer.allocUnsafe(fb);
      const planes: Frame = { y: frame.subarray(0, ySize), u: frame.subarray(ySize, ySize + cSize), v: frame.subarray(ySize + cSize) };
      let fill = 0;
      return (piece) => {
        for (let off = 0; off < piece.length;) {
          const k = Math.min(fb - fill, piece.length - off);
          piece.copy(frame, fill, off, off + k);
          fill += k;
          off += k;
          if (fill < fb) continue;
          fill = 0;
          try {
            onFrame(streamed++, planes);
          } catch (e) {
            throw new ConsumerError(e);
          }
        }
      };
    });
  const r = await runChild(req, withLength(req, [payload]), total + (1 << 20), opts, total, stream);
  if ('failure' in r) return { ok: false, failure: mapPosition(candidate, r.failure) };
  const h = r.header as Extract<ChildMessage, { type: 'decoded' }>;
  if (streamed === expect.frames && r.payload.length === 0) {
    return { ok: true, video: { width: expect.width, height: expect.height, frames: [] }, ms: h.ms, startupMs: r.startupMs, warm: r.warm };
  }
  // Never trust the child's own checks: the host re-derives every size from what it expects.
  if (h.width !== expect.width || h.height !== expect.height || h.frames !== expect.frames || r.payload.length !== total) {
    return {
      ok: false,
      failure: {
        class: 'bad-output',
        message: `decode returned ${r.payload.length} bytes of frames, expected ${total} (${expect.frames} frames of ${expect.width}x${expect.height})`,
        stage: 'decode',
      },
    };
  }
  const frames: Frame[] = [];
  for (let i = 0, off = 0; i < expect.frames; i++) {
    const y = r.payload.subarray(off, (off += ySize));
    const u = r.payload.subarray(off, (off += cSize));
    const v = r.payload.subarray(off, (off += cSize));
    frames.push({ y, u, v });
  }
  return { ok: true, video: { width: expect.width, height: expect.height, frames }, ms: h.ms, startupMs: r.startupMs, warm: r.warm };
}
