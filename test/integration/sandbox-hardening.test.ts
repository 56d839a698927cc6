// The sandbox against a dying host and against a candidate that plays with the harness's own error
// handling: children never outlive their host, positions and failure classes come from the harness.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { prepareCandidate, type PreparedCandidate } from '../../src/core/sandbox/validator';
import { runEncode, sandboxLevel } from '../../src/core/sandbox/runner';
import type { Video } from '../../src/core/codec/contract';
import { hasProc } from '../helpers/processes';
import { smallVideo, workerBundle } from '../helpers/sandbox-helpers';

const FIX = join(__dirname, '..', 'fixtures');
const prepare = (src: string, file = 'codec.js'): PreparedCandidate => {
  const r = prepareCandidate(src, file);
  assert.deepEqual(r.diagnostics, []);
  return r.candidate!;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** CPU ticks (user + system) a process has used, from /proc. */
const cpuTicks = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sandbox hardening', function () {
  this.timeout(120_000);
  let video: Video;
  before(async () => {
    workerBundle();
    video = await smallVideo(2);
  });

  it("a child dies with its host: kill -9 of the host's process group while the candidate spins", async function () {
    if (!hasProc()) this.skip();
    const host = spawn(
      process.execPath,
      ['-r', join(__dirname, '..', 'register.cjs'), join(__dirname, '..', 'helpers', 'sandbox-host.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
    );
    const [line] = (await once(createInterface({ input: host.stdout! }), 'line')) as [string];
    const child = Number(/^child (\d+)$/.exec(line)![1]);
    try {
      // The candidate is spinning once the child has burnt CPU well beyond its start-up.
      for (let i = 0; i < 1200 && cpuTicks(child) < 50; i++) await sleep(50);
      assert.ok(cpuTicks(child) >= 50, 'the candidate never started spinning');
      process.kill(-host.pid!, 'SIGKILL');
      // Bounded wait for the kernel to take the child down with its parent.
      for (let i = 0; i < 600 && alive(child); i++) await sleep(50);
      assert.equal(alive(child), false, `sandbox child ${child} outlived its host`);
    } finally {
      if (alive(child)) process.kill(child, 'SIGKILL');
      try {
        process.kill(-host.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  it("a child stops at its own CPU-time limit (RLIMIT_CPU), class timeout, whatever the host's wall clock allows", async function () {
    if (!(await sandboxLevel()).layers.some((l) => /RLIMIT_CPU/.test(l))) this.skip();
    const c = prepare(readFileSync(join(FIX, 'candidates', 'attacks', 'loop-encode.js'), 'utf8'), 'loop-encode.js');
    const r = await runEncode(c, video, 50, { limits: { timeoutMs: 3_600_000, cpuSeconds: 1 } });
    assert.ok(!r.ok);
    assert.equal(r.failure.class, 'timeout', r.failure.message);
    assert.match(r.failure.message, /1 s of CPU time/);
  });

  it("a replaced global Error cannot forge the reported line nor run in the harness's error handling", async () => {
    const forged = prepare(
      [
        'export function encode() {',
        "  Error = { prepareStackTrace() { return 'codec.js:4242:1'; } };",
        "  throw new TypeError('forged');",
        '}',
        'export function decode(b) { return { width: 0, height: 0, frames: [] }; }',
      ].join('\n'),
    );
    const r = await runEncode(forged, video, 50, { limits: { timeoutMs: 30_000 } });
    assert.ok(!r.ok);
    assert.equal(r.failure.class, 'runtime', r.failure.message);
    // The assignment itself is refused (the binding is read-only), at its true line.
    assert.equal(r.failure.line, 2, r.failure.message);
    const written = prepare(
      [
        'export function encode() {',
        "  const e = new Error('x');",
        "  e.stack = 'codec.js:4242:7';",
        '  throw e;',
        '}',
        'export function decode(b) { return { width: 0, height: 0, frames: [] }; }',
      ].join('\n'),
    );
    const w = await runEncode(written, video, 50, { limits: { timeoutMs: 30_000 } });
    assert.ok(!w.ok);
    assert.equal(w.failure.class, 'runtime');
    assert.notEqual(w.failure.line, 4242, 'a stack string the candidate wrote is not read as its position');
    const plain = prepare(
      'export function encode() {\n  null.x;\n}\nexport function decode(b) { return { width: 0, height: 0, frames: [] }; }',
    );
    const p = await runEncode(plain, video, 50, { limits: { timeoutMs: 30_000 } });
    assert.ok(!p.ok);
    assert.deepEqual([p.failure.class, p.failure.line, p.failure.column], ['runtime', 2, 8], 'a real error keeps its true position');
  });

  it('stderr text does not choose the failure class: a child that prints "heap out of memory" and ERR_ACCESS_DENIED, then exits 1, is a crash', async () => {
    await sandboxLevel(); // the real worker answers the runtime probe
    const c = prepare(
      'export function encode() { return new Uint8Array(1); }\nexport function decode(b) { return { width: 0, height: 0, frames: [] }; }',
    );
    const r = await runEncode(c, video, 50, { workerPath: join(FIX, 'sandbox', 'noisy-worker.js'), limits: { timeoutMs: 30_000 } });
    assert.ok(!r.ok);
    assert.equal(r.failure.class, 'crash', r.failure.message);
    assert.match(r.failure.message, /exit code 1/);
  });
});
