// The sandbox child (bundled to dist/sandbox-worker.js). Runs ONE call — encode or decode — of an
// untrusted candidate inside a vm context with code generation from strings and WebAssembly
// disabled, no host objects, a seeded Math.random and a frozen clock, then reports over framed
// stdout and exits. The host (runner.ts) adds the outer layers: permission model, scrubbed
// environment, heap flag, resident-memory watchdog and a wall-clock kill of the process group.
import * as vm from 'node:vm';
import { readSync, writeSync } from 'node:fs';
import { types } from 'node:util';
import { encodeMessage } from './framing';
import type { ChildMessage, RunRequest, RuntimeReport } from './protocol';
import type { FailureClass } from './failures';

// This realm's intrinsics, captured before any candidate code exists. Applied to objects of the
// candidate's context they read internal slots, so tampering with the context's own prototypes
// (a getter on Uint8Array.prototype.byteLength, say) cannot change what the harness measures.
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const taByteLength = Object.getOwnPropertyDescriptor(TypedArrayProto, 'byteLength')!.get!;
const taByteOffset = Object.getOwnPropertyDescriptor(TypedArrayProto, 'byteOffset')!.get!;
const taBuffer = Object.getOwnPropertyDescriptor(TypedArrayProto, 'buffer')!.get!;
const taSet: (this: Uint8Array, src: ArrayLike<number>, offset?: number) => void = TypedArrayProto.set;
const getDesc = Object.getOwnPropertyDescriptor;
const getProto = Object.getPrototypeOf;
const { isUint8Array, isProxy, isNativeError, isTypedArray } = types;
const now = () => performance.now();

/**
 * The harness's own exceptions, recognised by identity: `instanceof` on a thrown value walks its
 * prototype chain, and a candidate's object whose prototype is a Proxy would run its trap right in
 * the harness's catch block. WeakSet.has reads no property of its argument.
 */
const ours = new WeakSet<object>();
const isOurs = (v: unknown): boolean => typeof v === 'object' && v !== null && ours.has(v);

class Failure extends Error {
  constructor(
    readonly cls: FailureClass,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    ours.add(this);
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/**
 * Synchronous on every platform (process.stdout is asynchronous on pipes outside Linux): the result
 * is out before anything the candidate queued (a microtask flood, say) can run.
 */
function send(msg: ChildMessage, payload?: Uint8Array): void {
  for (const b of encodeMessage(msg, payload)) {
    for (let off = 0; off < b.length;) {
      try {
        off += writeSync(1, b, off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  }
}

/**
 * Fills `into` from stdin, blocking: this process has nothing else to do until its job arrives.
 * False at end of input (the host went away). process.stdin is never touched: creating that stream
 * costs ~7 ms of start-up (net, stream and tty modules) for no use here. `into` may be an array of
 * the candidate's context made by the prelude, before any candidate code exists: its length is read
 * through this realm's getter all the same.
 */
function readFully(into: Uint8Array): boolean {
  const length = taByteLength.call(into) as number;
  for (let off = 0; off < length;) {
    let n: number;
    try {
      n = readSync(0, into, off, length - off, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
      continue;
    }
    if (n === 0) return false;
    off += n;
  }
  return true;
}

/**
 * The one request's header (framing.ts layout). Its payload stays in the pipe: run() reads it
 * straight into the arrays of the candidate's context, so the clip is held once in this process, not
 * also as a harness-side copy.
 */
function readRequest(): { req: RunRequest; payloadBytes: number } | undefined {
  const prefix = Buffer.alloc(8);
  if (!readFully(prefix)) return undefined;
  const header = Buffer.allocUnsafe(prefix.readUInt32LE(0));
  if (!readFully(header)) return undefined;
  return { req: JSON.parse(header.toString('utf8')) as RunRequest, payloadBytes: prefix.readUInt32LE(4) };
}

class HostGone extends Error {
  constructor() {
    super('the host closed the pipe');
    ours.add(this);
  }
}

/** Runs in the candidate's context before the candidate: seeded random, no clock, fewer globals. */
const PRELUDE = `(function (seed) {
  'use strict';
  const imul = Math.imul, defineProperty = Object.defineProperty, construct = Reflect.construct;
  let state = 0;
  const reseed = function (s) { state = s >>> 0; };
  reseed(seed);
  // mulberry32: fast, and the same sequence in the encoder's and the decoder's process.
  const random = function random() {
    state = (state + 0x6D2B79F5) | 0;
    let t = imul(state ^ (state >>> 15), 1 | state);
    t = (t + imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  defineProperty(Math, 'random', { value: random, writable: false, configurable: false, enumerable: false });
  const RealDate = Date;
  const FrozenDate = function Date(...args) {
    if (new.target === undefined) return construct(RealDate, [0], RealDate).toString();
    return construct(RealDate, args.length ? args : [0], new.target);
  };
  FrozenDate.prototype = RealDate.prototype;
  FrozenDate.now = function now() { return 0; };
  FrozenDate.UTC = RealDate.UTC;
  FrozenDate.parse = RealDate.parse;
  defineProperty(RealDate.prototype, 'constructor', { value: FrozenDate, writable: false, configurable: false, enumerable: false });
  defineProperty(globalThis, 'Date', { value: FrozenDate, writable: false, configurable: false, enumerable: false });
  // Stack formatting stays ours. Node formats an error of this context with this context's
  // globalThis.Error.prepareStackTrace, looked up when the stack is first read — which the harness
  // does. A candidate that could replace either (the global Error binding, or the hook) would run its
  // code inside the harness's error handling and could report any line it liked. So the binding and
  // the hook are fixed here, and the hook records where each error was thrown in a WeakMap only the
  // harness reads: positions come from V8's own call sites, never from text the candidate can write.
  const apply = Reflect.apply, getProto = Object.getPrototypeOf;
  const wmGet = WeakMap.prototype.get, wmSet = WeakMap.prototype.set, wmHas = WeakMap.prototype.has;
  const positions = new WeakMap();
  let candidateFile = '';
  let csFile, csLine, csColumn;
  defineProperty(Error, 'prepareStackTrace', { value: function (e, trace) { const p = getProto(trace[0]); csFile = p.getFileName; csLine = p.getLineNumber; csColumn = p.getColumnNumber; return ''; }, writable: true, configurable: true });
  void new Error('probe').stack;
  const prepareStackTrace = function prepareStackTrace(error, trace) {
    let out = 'Error';
    let pos;
    try {
      // On anything but V8's own call sites (a candidate calling this with forgeries) these throw.
      for (let i = 0, n = trace.length; i < n; i++) {
        const f = trace[i];
        const file = apply(csFile, f, []), line = apply(csLine, f, []), column = apply(csColumn, f, []);
        out += '\\n    at ' + file + ':' + line + ':' + column;
        if (pos === undefined && file === candidateFile) pos = { line: line, column: column };
      }
    } catch (_) { return ''; }
    if (pos !== undefined && error !== null && typeof error === 'object' && !apply(wmHas, positions, [error])) apply(wmSet, positions, [error, pos]);
    return out;
  };
  defineProperty(Error, 'prepareStackTrace', { value: prepareStackTrace, writable: false, configurable: false });
  // Re-capturing a stack elsewhere would move the reported line; constructors that call it still work.
  defineProperty(Error, 'captureStackTrace', { value: function captureStackTrace() {}, writable: false, configurable: false });
  defineProperty(globalThis, 'Error', { value: Error, writable: false, configurable: false, enumerable: false });
  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'Intl', 'WeakRef', 'FinalizationRegistry']) delete globalThis[name];
  // Models write console.log while debugging; output has nowhere to go, so it is accepted and dropped.
  const quiet = function () {};
  const console = {};
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'assert', 'time', 'timeEnd', 'group', 'groupEnd', 'count']) console[m] = quiet;
  defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true, enumerable: false });
  const U8 = Uint8Array;
  return {
    reseed,
    setFile: function (name) { candidateFile = name; },
    position: function (e) { return apply(wmGet, positions, [e]); },
    bytes: function (n) { return new U8(n); },
    video: function (w, h, fpsNum, fpsDen, n, cw, ch) {
      const frames = [];
      for (let i = 0; i < n; i++) frames[i] = { y: new U8(w * h), u: new U8(cw * ch), v: new U8(cw * ch) };
      return { width: w, height: h, fpsNum: fpsNum, fpsDen: fpsDen, frames: frames };
    },
    options: function (q) { return { quality: q }; },
  };
})`;

interface PreludeApi {
  reseed(seed: number): void;
  setFile(name: string): void;
  /** Where a candidate-realm error was thrown, as V8's call sites said when its stack was formatted. */
  position(e: object): { line: number; column: number } | undefined;
  bytes(n: number): Uint8Array;
  video(
    w: number,
    h: number,
    fpsNum: number,
    fpsDen: number,
    n: number,
    cw: number,
    ch: number,
  ): { frames: Array<{ y: Uint8Array; u: Uint8Array; v: Uint8Array }> };
  options(q: number): object;
}

/** Whether a TCP connection to loopback is impossible (no network namespace interfaces). */
function probeNetwork(): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const net = require('node:net') as typeof import('node:net');
      const s = net.connect(9, '127.0.0.1');
      const done = (denied: boolean) => {
        s.destroy();
        resolve(denied);
      };
      s.on('connect', () => done(false));
      // ECONNREFUSED = a reachable loopback with nothing listening; ENETUNREACH = no network at all.
      s.on('error', (e: NodeJS.ErrnoException) => done(e.code !== 'ECONNREFUSED'));
      s.setTimeout(2000, () => done(false));
    } catch (e) {
      resolve((e as { code?: string }).code === 'ERR_ACCESS_DENIED');
    }
  });
}

function runtimeReport(probe: boolean): RuntimeReport {
  let codegen = false;
  try {
    new Function('return 1');
  } catch {
    codegen = true;
  }
  const report: RuntimeReport = {
    node: process.versions.node,
    ...(process.versions.electron ? { electron: process.versions.electron } : {}),
    permissionModel: Boolean((process as { permission?: unknown }).permission),
    codegenFromStringsDisabled: codegen,
    wasmExposed: typeof WebAssembly !== 'undefined',
    envKeys: Object.keys(process.env).sort(),
  };
  if (probe) report.denied = { ...probeDenials(), network: false };
  return report;
}

/** Tries what the permission model should refuse, from this (harness) realm. */
function probeDenials(): Omit<NonNullable<RuntimeReport['denied']>, 'network'> {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const refused = (f: () => void): boolean => {
    try {
      f();
      return false;
    } catch (e) {
      return (e as { code?: string }).code === 'ERR_ACCESS_DENIED';
    }
  };
  const target = path.join(os.tmpdir(), `codec-evolve-probe-${process.pid}`);
  return {
    fsRead: refused(() => fs.closeSync(fs.openSync(process.execPath, 'r'))),
    fsWrite: refused(() => {
      fs.writeFileSync(target, 'x');
      fs.unlinkSync(target);
    }),
    childProcess: refused(() =>
      (require('node:child_process') as typeof import('node:child_process')).spawnSync(process.execPath, ['-e', '0']),
    ),
    workerThreads: refused(() => {
      const w = new (require('node:worker_threads') as typeof import('node:worker_threads')).Worker('0', { eval: true });
      void w.terminate();
    }),
  };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object' && typeof v !== 'function') return typeof v;
  if (isProxy(v)) return 'a Proxy';
  if (Array.isArray(v)) return 'an array';
  if (isTypedArray(v)) return 'a typed array other than Uint8Array';
  return typeof v === 'function' ? 'a function' : 'an object';
}

/** A primitive, shown safely (never calls candidate code). */
function showPrimitive(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 200 ? v.slice(0, 200) + '…' : v);
  if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null)
    return String(v);
  return typeName(v);
}

/** Reads an own data property; refuses getters and proxies so candidate code never runs here. */
function dataProp(obj: object, key: string, what: string): unknown {
  const d = getDesc(obj, key);
  if (!d) throw new Failure('contract', `${what}.${key} is missing`);
  if (d.get || d.set) throw new Failure('bad-output', `${what}.${key} is a getter/setter — return plain data properties, not accessors`);
  return d.value;
}

function plainObject(v: unknown, what: string): object {
  if (isProxy(v)) throw new Failure('bad-output', `${what} is a Proxy — return plain objects and arrays`);
  if (typeof v !== 'object' || v === null) throw new Failure('contract', `${what} must be an object, got ${typeName(v)}`);
  return v;
}

function errorLocation(stack: string, filename: string): { line?: number; column?: number } {
  const esc = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${esc}:(\\d+)(?::(\\d+))?`).exec(stack);
  return m ? { line: Number(m[1]), column: m[2] ? Number(m[2]) : undefined } : {};
}

/** Whether `e` was made in this (the harness's) realm: only Node itself throws those here. */
function hostRealm(e: object): boolean {
  for (let o = getProto(e) as object | null; o; o = getProto(o) as object | null) {
    if (isProxy(o)) return false;
    if (o === Error.prototype) return true;
  }
  return false;
}

/** Turns whatever the candidate threw into a failure without running candidate code. */
function thrown(e: unknown, stage: string, filename: string, api: PreludeApi): Failure {
  // `instanceof` walks the prototype chain, which a Proxy's trap can hang: test for proxies first.
  if (isProxy(e)) return new Failure('runtime', `${stage} threw a Proxy — throw new Error('...') so the message and line are kept`);
  if (isOurs(e)) return e as Failure;
  if (isNativeError(e)) {
    let name = 'Error';
    for (let o: object | null = e as object; o; o = getProto(o)) {
      if (isProxy(o)) break;
      const d = getDesc(o, 'name');
      if (d) {
        if (typeof d.value === 'string') name = d.value;
        break;
      }
    }
    const md = getDesc(e as object, 'message');
    const message = md && typeof md.value === 'string' ? md.value.slice(0, 1000) : '';
    let loc: { line?: number; column?: number } = {};
    if (hostRealm(e as object)) {
      // Node's own errors (a compile error of the module, a permission refusal): formatted by this
      // realm, where the candidate has no hook.
      const sd = getDesc(e as object, 'stack');
      if (sd && typeof sd.value === 'string') loc = errorLocation(sd.value, filename);
      const cd = getDesc(e as object, 'code');
      if (cd && cd.value === 'ERR_ACCESS_DENIED') {
        return new Failure(
          'forbidden',
          `${stage} tried an operation the permission model refuses (file, process or worker access)`,
          loc.line,
          loc.column,
        );
      }
    } else {
      // Reading the descriptor makes V8 format the stack once, through the prelude's fixed hook,
      // which records the position; an accessor the candidate put there is never called.
      try {
        getDesc(e as object, 'stack');
      } catch {
        /* a broken stack only loses the line number */
      }
      const p = api.position(e as object);
      if (p) loc = { line: p.line, column: p.column };
    }
    if (name === 'EvalError' && /code generation from strings/i.test(message)) {
      return new Failure(
        'forbidden',
        `${stage}: code generation from strings (eval, new Function, constructor.constructor) is disabled in the sandbox — write the code directly`,
        loc.line,
        loc.column,
      );
    }
    if (name === 'RangeError' && /allocation failed|invalid typed array length|invalid array buffer length/i.test(message)) {
      return new Failure('memory', `${stage}: ${name}: ${message} — allocate less (the sandbox caps memory)`, loc.line, loc.column);
    }
    if (name === 'SyntaxError' && stage === 'load' && loc.line !== undefined)
      return new Failure('syntax', `${name}: ${message}`, loc.line, loc.column);
    return new Failure('runtime', `${stage} threw ${name}: ${message}`, loc.line, loc.column);
  }
  return new Failure(
    'runtime',
    `${stage} threw a non-Error value: ${showPrimitive(e)} — throw new Error('...') so the message and line are kept`,
  );
}

function extractVideo(v: unknown, expect: NonNullable<RunRequest['expect']>, into: Buffer): void {
  const obj = plainObject(v, 'decode’s result');
  const width = dataProp(obj, 'width', 'result');
  const height = dataProp(obj, 'height', 'result');
  if (width !== expect.width || height !== expect.height) {
    throw new Failure(
      'bad-output',
      `decode returned ${showPrimitive(width)}x${showPrimitive(height)}, expected ${expect.width}x${expect.height} (the size encode was given) — store the size in the bitstream`,
    );
  }
  const frames = dataProp(obj, 'frames', 'result');
  if (isProxy(frames)) throw new Failure('bad-output', 'result.frames is a Proxy — return a plain array of frames');
  if (!Array.isArray(frames)) throw new Failure('contract', `result.frames must be an array of {y, u, v}, got ${typeName(frames)}`);
  const n = getDesc(frames, 'length')!.value as number;
  if (n !== expect.frames)
    throw new Failure('bad-output', `decode returned ${n} frames, expected ${expect.frames} — every input frame must come back`);
  const cw = (expect.width + 1) >> 1,
    ch = (expect.height + 1) >> 1;
  const sizes = { y: expect.width * expect.height, u: cw * ch, v: cw * ch };
  let off = 0;
  for (let i = 0; i < n; i++) {
    const f = plainObject(dataProp(frames, String(i), 'frames'), `frames[${i}]`);
    for (const p of ['y', 'u', 'v'] as const) {
      const plane = dataProp(f, p, `frames[${i}]`);
      if (isProxy(plane)) throw new Failure('bad-output', `frames[${i}].${p} is a Proxy — return a Uint8Array`);
      if (!isUint8Array(plane)) throw new Failure('contract', `frames[${i}].${p} must be a Uint8Array, got ${typeName(plane)}`);
      const len = taByteLength.call(plane) as number;
      if (len !== sizes[p]) {
        const dims = p === 'y' ? `${expect.width}x${expect.height}` : `${cw}x${ch}`;
        throw new Failure('bad-output', `frames[${i}].${p} has ${len} bytes, expected ${sizes[p]} (${dims}, 4:2:0)`);
      }
      taSet.call(into, plane as Uint8Array, off);
      off += len;
    }
  }
}

function firstDifference(a: Buffer, b: Buffer, expect: NonNullable<RunRequest['expect']>): string {
  const cw = (expect.width + 1) >> 1,
    ch = (expect.height + 1) >> 1;
  const y = expect.width * expect.height,
    c = cw * ch,
    fb = y + 2 * c;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      const f = Math.floor(i / fb),
        r = i - f * fb;
      const plane = r < y ? 'y' : r < y + c ? 'u' : 'v';
      const idx = plane === 'y' ? r : plane === 'u' ? r - y : r - y - c;
      return `frame ${f} plane ${plane} byte ${idx}: ${a[i]} then ${b[i]}`;
    }
  }
  return 'none';
}

interface Realm {
  ctx: vm.Context;
  api: PreludeApi;
}

/**
 * The candidate's context with the prelude applied, made before the job arrives (it depends on
 * nothing the job says): a child started ahead of need has it ready. Math.random is re-seeded with
 * the job's seed before the candidate's code runs.
 */
function makeRealm(): Realm {
  const ctx = vm.createContext(Object.create(null), { name: 'candidate', codeGeneration: { strings: false, wasm: false } });
  const api = (new vm.Script(PRELUDE, { filename: 'sandbox-prelude.js' }).runInContext(ctx) as (seed: number) => PreludeApi)(0);
  return { ctx, api };
}

function run({ ctx, api }: Realm, req: RunRequest, payloadBytes: number): void {
  api.reseed(req.seed);
  api.setFile(req.filename);

  // Inputs are built inside the context before the candidate's code runs: no host object reaches it.
  let video: ReturnType<PreludeApi['video']> | undefined;
  let options: object | undefined;
  const bitstreams: Uint8Array[] = [];
  if (req.op === 'encode') {
    const v = req.video!;
    const cw = (v.width + 1) >> 1,
      ch = (v.height + 1) >> 1;
    video = api.video(v.width, v.height, v.fpsNum, v.fpsDen, v.frames, cw, ch);
    let total = 0;
    for (const f of video.frames) {
      for (const p of [f.y, f.u, f.v]) {
        if (!readFully(p)) throw new HostGone();
        total += taByteLength.call(p) as number;
      }
    }
    if (total !== payloadBytes) throw new Failure('crash', `the host sent ${payloadBytes} bytes of frames for a video of ${total}`);
    options = api.options(req.quality!);
  } else {
    const first = api.bytes(payloadBytes);
    if (!readFully(first)) throw new HostGone();
    bitstreams.push(first);
    // The second copy is taken before any candidate code has run: both are the bytes the host sent.
    if (req.checkDeterminism) {
      const second = api.bytes(payloadBytes);
      taSet.call(second, first);
      bitstreams.push(second);
    }
  }

  const e = req.exports;
  const wrapped = `(function () { "use strict";\n${req.script}\n;return { encode: ${e.encode}, decode: ${e.decode}, meta: ${e.meta ?? 'undefined'} }; })()`;
  const t0 = now();
  let exp: object;
  try {
    const script = new vm.Script(wrapped, { filename: req.filename, lineOffset: -1 });
    exp = script.runInContext(ctx) as object;
  } catch (err) {
    throw thrown(err, 'load', req.filename, api);
  }
  send({ type: 'loaded', loadMs: now() - t0 });
  const fn = getDesc(exp, req.op)!.value;
  if (typeof fn !== 'function') throw new Failure('contract', `\`${req.op}\` must be a function, got ${typeName(fn)}`);
  send({ type: 'started' });

  if (req.op === 'encode') {
    const t1 = now();
    let out: unknown;
    try {
      out = fn(video, options);
    } catch (err) {
      throw thrown(err, 'encode', req.filename, api);
    }
    const ms = now() - t1;
    if (isProxy(out)) throw new Failure('bad-output', 'encode returned a Proxy — return a plain Uint8Array');
    if (!isUint8Array(out)) throw new Failure('contract', `encode must return a Uint8Array, got ${typeName(out)}`);
    const len = taByteLength.call(out) as number;
    if (len > req.maxOutputBytes)
      throw new Failure(
        'output-limit',
        `encode returned ${len} bytes, over the ${req.maxOutputBytes}-byte output cap (2 × the raw video) — a codec must compress`,
      );
    const bytes = Buffer.from(taBuffer.call(out) as ArrayBuffer, taByteOffset.call(out) as number, len);
    send({ type: 'encoded', ms, meta: readMeta(getDesc(exp, 'meta')?.value) }, bytes);
    return;
  }

  const expect = req.expect!;
  const cw = (expect.width + 1) >> 1,
    ch = (expect.height + 1) >> 1;
  const total = expect.frames * (expect.width * expect.height + 2 * cw * ch);
  const outputs: Buffer[] = [];
  let ms = 0;
  for (const bits of bitstreams) {
    api.reseed(req.seed);
    const t1 = now();
    let out: unknown;
    try {
      out = fn(bits);
    } catch (err) {
      throw thrown(err, 'decode', req.filename, api);
    }
    if (!outputs.length) ms = now() - t1;
    const into = Buffer.allocUnsafe(total);
    extractVideo(out, expect, into);
    outputs.push(into);
  }
  if (outputs.length === 2 && !outputs[0].equals(outputs[1])) {
    throw new Failure(
      'nondeterministic',
      `decoding the same bytes twice gave different frames (first difference: ${firstDifference(outputs[0], outputs[1], expect)}) — decode must depend only on the bitstream, not on state kept between calls`,
    );
  }
  send({ type: 'decoded', ms, width: expect.width, height: expect.height, frames: expect.frames }, outputs[0]);
}

function readMeta(m: unknown): { name?: string; description?: string } | undefined {
  if (typeof m !== 'object' || m === null || isProxy(m)) return undefined;
  const out: { name?: string; description?: string } = {};
  for (const k of ['name', 'description'] as const) {
    const d = getDesc(m, k);
    if (d && typeof d.value === 'string') out[k] = d.value.slice(0, 200);
  }
  return out;
}

function finish(code: number): void {
  process.exit(code);
}

function main(): void {
  if (process.argv.includes('--probe')) {
    const runtime = runtimeReport(true);
    void probeNetwork().then((denied) => {
      runtime.denied!.network = denied;
      send({ type: 'hello', runtime });
      finish(0);
    });
    return;
  }
  send({ type: 'hello', runtime: runtimeReport(false) });
  const realm = makeRealm();
  const job = readRequest();
  if (!job) finish(0);
  try {
    run(realm, job!.req, job!.payloadBytes);
  } catch (err) {
    if (isOurs(err) && getProto(err) === HostGone.prototype) finish(0);
    // Only the harness's own failures get here (candidate exceptions are turned into one by
    // thrown()); anything else is a harness bug, reported without touching the value.
    const f = isOurs(err)
      ? (err as Failure)
      : new Failure(
          'crash',
          `sandbox worker error: ${isNativeError(err) && hostRealm(err as object) ? String(getDesc(err as object, 'message')?.value) : typeName(err)}`,
        );
    send({ type: 'failure', class: f.cls, message: f.message, line: f.line, column: f.column });
  }
  finish(0);
}

main();
