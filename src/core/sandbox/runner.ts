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
import { MessageReader, MessageTooLargeError, encodeMessage } from './framing';
import { outputCap, resolveLimits, type SandboxLimits } from './limits';
import type { ChildMessage, RunRequest, RuntimeReport } from './protocol';
import { SourceMapper } from './sourcemap';
import type { PreparedCandidate } from './validator';

export interface RunOptions {
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
  /** Observability for tests and hosts: the child's pid right after spawn. */
  onSpawn?: (pid: number) => void;
}

export interface RunTiming {
  /** Candidate call only, measured inside the child. */
  ms: number;
  /** Spawn → candidate module loaded (start-up cost of one sandbox). */
  startupMs: number;
}

export type EncodeOutcome =
  | ({ ok: true; bytes: Uint8Array; meta?: { name?: string; description?: string } } & RunTiming)
  | { ok: false; failure: CandidateFailure };

export type DecodeOutcome =
  | ({ ok: true; video: DecodedVideo } & RunTiming)
  | { ok: false; failure: CandidateFailure };

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

export const DEFAULT_SEED = 0x5eed;

// ---- runtime detection ----------------------------------------------------------------------------

interface Support { permissionFlag: string | null; netns: string | null; runtime: RuntimeReport; rssWatchdog: boolean; groupKill: boolean; level: SandboxLevel }

/** `unshare` (util-linux), to start children in an empty network namespace where the OS allows it. */
function unshareBinary(): string | null {
  if (process.platform !== 'linux') return null;
  return ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p)) ?? null;
}

/** The command that starts a child: the runtime itself, or the runtime inside a fresh network namespace. */
function command(execPath: string, args: string[], netns: string | null): [string, string[]] {
  // -r maps our uid to root inside a new user namespace (no real privilege), which lets an
  // unprivileged user create the network namespace (-n) that has no usable interface.
  return netns ? [netns, ['-rn', '--', execPath, ...args]] : [execPath, args];
}
const supportCache = new Map<string, Promise<Support>>();

/** The child's environment: nothing of the host's (no API keys, no HOME, no NODE_OPTIONS). */
export function childEnv(): Record<string, string> {
  // Electron's binary only behaves as Node with this set; plain node ignores it. Set always, so the
  // same spawn works from VS Code (process.execPath = Electron) and from the CLI (node).
  return { ELECTRON_RUN_AS_NODE: '1' };
}

export function workerScript(opts: RunOptions = {}): string {
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
export async function probeRuntime(execPath: string, worker: string, permissionFlag: string | null, netns: string | null = null): Promise<RuntimeReport | undefined> {
  return new Promise((resolve) => {
    const [cmd, args] = command(execPath, [...nodeArgs(permissionFlag, worker, 64), '--probe'], netns);
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'], env: childEnv(), cwd: dirname(worker), windowsHide: true,
    });
    let report: RuntimeReport | undefined;
    const reader = new MessageReader((m) => { const h = m.header as unknown as ChildMessage; if (h.type === 'hello') report = h.runtime; }, 1 << 20);
    child.stdout!.on('data', (c: Buffer) => { try { reader.push(c); } catch { child.kill('SIGKILL'); } });
    child.stderr!.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', () => { clearTimeout(timer); resolve(undefined); });
    child.on('close', () => { clearTimeout(timer); resolve(report); });
  });
}

/** Detects (once per runtime) which permission flag works and what the child can still do. */
export function detectSupport(opts: RunOptions = {}): Promise<Support> {
  const execPath = opts.execPath ?? process.execPath;
  const worker = workerScript(opts);
  // What a runtime supports does not depend on which worker script it runs: cache per runtime.
  const key = execPath;
  let p = supportCache.get(key);
  if (!p) {
    p = (async () => {
      const flags = ['--permission', '--experimental-permission'].filter((f) =>
        execPath !== process.execPath || process.allowedNodeEnvironmentFlags.has(f));
      let flag: string | null = null;
      let r: RuntimeReport | undefined;
      for (const f of flags) {
        r = await probeRuntime(execPath, worker, f);
        if (r?.permissionModel) { flag = f; break; }
      }
      if (!flag) r = await probeRuntime(execPath, worker, null);
      if (!r) throw new EnvironmentError(`cannot start a sandbox child with ${execPath}`, 'check that this Node.js/Electron runtime can run scripts (ELECTRON_RUN_AS_NODE=1)');
      const unshare = unshareBinary();
      if (unshare) {
        const inNs = await probeRuntime(execPath, worker, flag, unshare);
        if (inNs?.denied?.network) return support(flag, unshare, inNs);
      }
      return support(flag, null, r);
    })();
    p.catch(() => supportCache.delete(key));
    supportCache.set(key, p);
  }
  return p;
}

function support(flag: string | null, netns: string | null, r: RuntimeReport): Support {
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
  if (rssWatchdog) layers.push('resident-memory watchdog (/proc)'); else missing.push(`resident-memory watchdog (no /proc on ${process.platform})`);
  layers.push(groupKill ? 'wall-clock kill of the process group' : 'wall-clock kill of the child');
  if (netns) layers.push('empty network namespace (unshare -rn: no connection possible, even to 127.0.0.1)');
  else missing.push('network namespace (unshare -rn unavailable here): only the vm context keeps sockets out of reach');
  const full = missing.length === 0;
  const runtime = r.electron ? `electron ${r.electron} (node ${r.node})` : `node ${r.node}`;
  return {
    permissionFlag: flag, netns, runtime: r, rssWatchdog, groupKill,
    level: {
      level: full ? 'full' : 'reduced', runtime, permissionFlag: flag, layers, missing,
      summary: `${full ? 'full' : 'reduced'}: ${runtime}; ${layers.length} layers${flag ? ` (${flag})` : ', NO permission model'}`,
    },
  };
}

export async function sandboxLevel(opts: RunOptions = {}): Promise<SandboxLevel> {
  return (await detectSupport(opts)).level;
}

// ---- one child ------------------------------------------------------------------------------------

interface ChildResult { header: ChildMessage; payload: Buffer; startupMs: number }

function killGroup(child: ChildProcess, groupKill: boolean): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (groupKill && child.pid) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch { try { child.kill('SIGKILL'); } catch { /* already gone */ } }
}

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch { return undefined; }
}

/** `framed` = the request header followed by its payload (see withLength). */
async function runChild(req: RunRequest, framed: Buffer[], maxReply: number, opts: RunOptions, frameDataBytes: number): Promise<ChildResult | { failure: CandidateFailure }> {
  const limits = resolveLimits(opts.limits);
  // The harness itself holds the frames about three times in the child (pipe buffer, the copy in the
  // candidate's context, the reply): that much comes on top of the cap, so big clips are not 'memory'.
  const rssCapMb = limits.rssMb + Math.ceil((3 * frameDataBytes) / (1024 * 1024));
  const sup = await detectSupport(opts);
  if (opts.requirePermissionModel && !sup.permissionFlag) {
    throw new EnvironmentError(`the sandbox needs Node's permission model and ${sup.level.runtime} lacks it`, 'use Node.js ≥ 20.19 or turn off the permission-model requirement');
  }
  if (opts.signal?.aborted) throw new CancelledError();
  const worker = workerScript(opts);
  const stage = req.op;
  const start = performance.now();
  const [cmd, args] = command(opts.execPath ?? process.execPath, nodeArgs(sup.permissionFlag, worker, limits.heapMb), sup.netns);
  const child = spawn(cmd, args, {
    stdio: ['pipe', 'pipe', 'pipe'], env: childEnv(), cwd: dirname(worker), detached: sup.groupKill, windowsHide: true,
  });
  if (child.pid) opts.onSpawn?.(child.pid);
  return new Promise((resolve, reject) => {
    let settled = false;
    let loadedAt: number | undefined;
    let started = false;
    let stderr = '';
    const timers: NodeJS.Timeout[] = [];
    const settle = (v: ChildResult | { failure: CandidateFailure } | Error) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t), clearInterval(t);
      opts.signal?.removeEventListener('abort', onAbort);
      killGroup(child, sup.groupKill);
      if (v instanceof Error) reject(v); else resolve(v);
    };
    const fail = (cls: CandidateFailure['class'], message: string, extra: Partial<CandidateFailure> = {}) =>
      settle({ failure: { class: cls, message, stage, ...extra, ...(stderr.trim() ? { detail: stderr.trim().slice(-limits.maxStderrBytes) } : {}) } });
    const onAbort = () => settle(new CancelledError());
    opts.signal?.addEventListener('abort', onAbort);

    const reader = new MessageReader((m) => {
      const h = m.header as unknown as ChildMessage;
      if (h.type === 'loaded') loadedAt = performance.now();
      else if (h.type === 'started') started = true;
      else if (h.type === 'failure') fail(h.class, h.message, { line: h.line, column: h.column });
      else if (h.type === 'encoded' || h.type === 'decoded') settle({ header: h, payload: m.payload, startupMs: (loadedAt ?? performance.now()) - start });
    }, maxReply);
    child.stdout!.on('data', (c: Buffer) => {
      try { reader.push(c); } catch (e) {
        if (e instanceof MessageTooLargeError) fail('output-limit', `${stage} produced a ${e.bytes}-byte reply, over the ${e.limit}-byte cap`);
        else fail('crash', `the sandbox child sent a malformed message: ${(e as Error).message}`);
      }
    });
    child.stderr!.on('data', (c: Buffer) => { if (stderr.length < limits.maxStderrBytes * 2) stderr += c.toString('utf8'); });
    child.stdin!.on('error', () => { /* the child died before reading everything; 'close' reports why */ });
    child.on('error', (e) => settle(new EnvironmentError(`cannot start the sandbox child: ${e.message}`, 'check codecEvolution runtime (process.execPath) and the bundled dist/sandbox-worker.js')));
    child.on('close', (code, signal) => {
      if (settled) return;
      if (/heap out of memory|Reached heap limit|Allocation failed - /i.test(stderr)) {
        fail('memory', `${stage} exceeded the ${limits.heapMb} MB JavaScript heap cap — allocate less or reuse buffers`);
      } else if (/ERR_ACCESS_DENIED/.test(stderr)) {
        fail('forbidden', `${stage} tried an operation the permission model refuses (file, process or worker access)`);
      } else {
        fail('crash', `the ${stage} process ended (${signal ? `signal ${signal}` : `exit code ${code}`}) without returning a result`);
      }
    });

    timers.push(setTimeout(() => {
      const where = loadedAt === undefined ? 'loading the module (top-level code)' : started ? `${stage}()` : `starting ${stage}`;
      fail('timeout', `${where} did not finish within ${limits.timeoutMs} ms — the process was killed; make it faster or check for an endless loop`);
    }, limits.timeoutMs));
    if (sup.rssWatchdog && child.pid) {
      const pid = child.pid;
      timers.push(setInterval(() => {
        const mb = rssMb(pid);
        if (mb !== undefined && mb > rssCapMb) fail('memory', `${stage} used ${Math.round(mb)} MB of resident memory, over the ${rssCapMb} MB cap — allocate less`);
      }, limits.rssPollMs));
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

function baseRequest(candidate: PreparedCandidate, op: 'encode' | 'decode', opts: RunOptions) {
  return { op, script: candidate.script, filename: candidate.filename.split(/[\\/]/).pop() || 'candidate.js', exports: candidate.exports, seed: opts.seed ?? DEFAULT_SEED };
}

export async function runEncode(candidate: PreparedCandidate, video: Video, quality: number, opts: RunOptions = {}): Promise<EncodeOutcome> {
  const limits = resolveLimits(opts.limits);
  const planes: Buffer[] = [];
  for (const f of video.frames) for (const p of [f.y, f.u, f.v]) planes.push(Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  const raw = video.frames.length * frameBytes(video.width, video.height);
  const cap = outputCap(limits, raw);
  const req: RunRequest = {
    ...baseRequest(candidate, 'encode', opts),
    video: { width: video.width, height: video.height, fpsNum: video.fpsNum, fpsDen: video.fpsDen, frames: video.frames.length },
    quality, maxOutputBytes: cap,
  };
  const r = await runChild(req, withLength(req, planes), cap + (1 << 20), opts, raw);
  if ('failure' in r) return { ok: false, failure: mapPosition(candidate, r.failure) };
  const h = r.header as Extract<ChildMessage, { type: 'encoded' }>;
  if (r.payload.length > cap) return { ok: false, failure: { class: 'output-limit', message: `encode returned ${r.payload.length} bytes, over the ${cap}-byte cap`, stage: 'encode' } };
  return { ok: true, bytes: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.length), ms: h.ms, startupMs: r.startupMs, ...(h.meta ? { meta: h.meta } : {}) };
}

export async function runDecode(candidate: PreparedCandidate, bytes: Uint8Array, expect: { width: number; height: number; frames: number }, opts: RunOptions & { checkDeterminism?: boolean } = {}): Promise<DecodeOutcome> {
  const total = expect.frames * frameBytes(expect.width, expect.height);
  const req: RunRequest = { ...baseRequest(candidate, 'decode', opts), expect, checkDeterminism: opts.checkDeterminism ?? true, maxOutputBytes: total };
  const payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = await runChild(req, withLength(req, [payload]), total + (1 << 20), opts, total);
  if ('failure' in r) return { ok: false, failure: mapPosition(candidate, r.failure) };
  const h = r.header as Extract<ChildMessage, { type: 'decoded' }>;
  // Never trust the child's own checks: the host re-derives every size from what it expects.
  if (h.width !== expect.width || h.height !== expect.height || h.frames !== expect.frames || r.payload.length !== total) {
    return { ok: false, failure: { class: 'bad-output', message: `decode returned ${r.payload.length} bytes of frames, expected ${total} (${expect.frames} frames of ${expect.width}x${expect.height})`, stage: 'decode' } };
  }
  const ySize = expect.width * expect.height;
  const cSize = chromaWidth(expect.width) * chromaHeight(expect.height);
  const frames: Frame[] = [];
  for (let i = 0, off = 0; i < expect.frames; i++) {
    const y = r.payload.subarray(off, off += ySize);
    const u = r.payload.subarray(off, off += cSize);
    const v = r.payload.subarray(off, off += cSize);
    frames.push({ y, u, v });
  }
  return { ok: true, video: { width: expect.width, height: expect.height, frames }, ms: h.ms, startupMs: r.startupMs };
}
