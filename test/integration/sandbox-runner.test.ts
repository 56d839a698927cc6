import { getEventListeners } from 'node:events';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareCandidate, type PreparedCandidate } from '../../src/core/sandbox/validator';
import { SandboxPool, childEnv, probeRuntime, runDecode, runEncode, sandboxLevel } from '../../src/core/sandbox/runner';
import { psnrVideo } from '../../src/core/metrics/psnr';
import { CancelledError } from '../../src/core/errors';
import type { Video } from '../../src/core/codec/contract';
import { packageRoot } from '../../src/core/paths';
import { smallVideo, workerBundle } from '../helpers/sandbox-helpers';

const FIX = join(__dirname, '..', 'fixtures', 'candidates');
const LIMITS = { limits: { timeoutMs: 5000 } };

function prepare(src: string, file: string): PreparedCandidate {
  const r = prepareCandidate(src, file);
  assert.deepEqual(r.diagnostics, []);
  return r.candidate!;
}
const fixture = (rel: string) => prepare(readFileSync(join(FIX, rel), 'utf8'), rel.split('/').pop()!);
const shape = (v: Video) => ({ width: v.width, height: v.height, frames: v.frames.length });

describe('sandbox runner', function () {
  this.timeout(60_000);
  let video: Video;
  before(async () => {
    workerBundle();
    video = await smallVideo(3);
  });

  it('round-trips a lossless codec through two separate children', async () => {
    const c = fixture('allowed/raw-copy.js');
    const enc = await runEncode(c, video, 50, LIMITS);
    assert.ok(enc.ok, JSON.stringify(!enc.ok && enc.failure));
    assert.equal(enc.bytes.length, 6 + 3 * (80 * 44 + 2 * 40 * 22));
    assert.deepEqual(enc.meta, { name: 'raw-copy', description: 'stores every plane as is' });
    const dec = await runDecode(c, enc.bytes, shape(video), LIMITS);
    assert.ok(dec.ok, JSON.stringify(!dec.ok && dec.failure));
    for (let i = 0; i < 3; i++) assert.ok(Buffer.from(dec.video.frames[i].y).equals(Buffer.from(video.frames[i].y)));
    assert.ok(enc.startupMs > 0 && enc.startupMs < 10_000);
    console.log(`      start-up (spawn → candidate loaded): encode ${enc.startupMs.toFixed(0)} ms, decode ${dec.startupMs.toFixed(0)} ms`);
  });

  it('onFrame takes the decoded frames one by one as they arrive, equal to the buffered result', async () => {
    const c = fixture('allowed/raw-copy.js');
    const enc = await runEncode(c, video, 50, LIMITS);
    assert.ok(enc.ok);
    const buffered = await runDecode(c, enc.bytes, shape(video), LIMITS);
    assert.ok(buffered.ok);
    const seen: number[] = [];
    const streamed = await runDecode(c, enc.bytes, shape(video), {
      ...LIMITS,
      onFrame: (i, f) => {
        seen.push(i);
        for (const p of ['y', 'u', 'v'] as const)
          assert.ok(Buffer.from(f[p]).equals(Buffer.from(buffered.video.frames[i][p])), `frame ${i} plane ${p}`);
      },
    });
    assert.ok(streamed.ok, JSON.stringify(!streamed.ok && streamed.failure));
    assert.deepEqual(seen, [0, 1, 2]);
    assert.equal(streamed.video.frames.length, 0, 'the host kept no decoded frame');
    // A consumer's own exception is the host's bug: it is thrown, never blamed on the candidate.
    await assert.rejects(
      runDecode(c, enc.bytes, shape(video), {
        ...LIMITS,
        onFrame: () => {
          throw new RangeError('metric bug');
        },
      }),
      /metric bug/,
    );
  });

  it('runs TypeScript candidates', async () => {
    const c = fixture('allowed/typed.mts');
    const enc = await runEncode(c, video, 50, LIMITS);
    assert.ok(enc.ok);
    assert.equal(enc.bytes.length, 4 + 3 * 3);
    const dec = await runDecode(c, enc.bytes, shape(video), LIMITS);
    assert.ok(dec.ok);
  });

  it('accepts console output (dropped) and sees a frozen clock', async () => {
    const c = fixture('allowed/console-log.js');
    const enc = await runEncode(c, video, 50, LIMITS);
    assert.ok(enc.ok, JSON.stringify(!enc.ok && enc.failure));
    assert.deepEqual([...enc.bytes], [80, 44, 3, 0, 0]);
    assert.ok((await runDecode(c, enc.bytes, shape(video), LIMITS)).ok);
  });

  it('reports runtime errors at the candidate line, mapped back through TypeScript', async () => {
    const js = prepare(
      'export function encode(video, options) {\n  const f = video.frames[9];\n  return f.y;\n}\nexport function decode(b) { return null; }',
      'codec.js',
    );
    const e1 = await runEncode(js, video, 50, LIMITS);
    assert.ok(!e1.ok);
    assert.equal(e1.failure.class, 'runtime');
    assert.match(e1.failure.message, /TypeError/);
    assert.deepEqual([e1.failure.line, e1.failure.column], [3, 12]);
    const ts = prepare(
      'type T = { n: number };\nconst t: T = { n: 1 };\nexport function encode(video: any, options: { quality: number }): Uint8Array {\n  const x: T | undefined = undefined;\n  return new Uint8Array((x as any).n);\n}\nexport function decode(b: Uint8Array) { return null; }',
      'codec.ts',
    );
    const e2 = await runEncode(ts, video, 50, LIMITS);
    assert.ok(!e2.ok);
    assert.equal(e2.failure.line, 5);
  });

  it('contract: decode returning the wrong type is classified with a precise message', async () => {
    const c = prepare(
      'export function encode() { return new Uint8Array(1); }\nexport function decode(b) { return { width: 80, height: 44, frames: [1, 2, 3] }; }',
      'c.js',
    );
    const d = await runDecode(c, new Uint8Array(1), shape(video), LIMITS);
    assert.ok(!d.ok);
    assert.equal(d.failure.class, 'contract');
    assert.match(d.failure.message, /frames\[0\]/);
  });

  it('a child that dies without a result is a crash, with its exit status', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codec-evolve-crash-'));
    try {
      const fake = join(dir, 'worker.js');
      writeFileSync(fake, "process.stderr.write('dying on purpose\\n'); process.exit(7);");
      const c = fixture('allowed/raw-copy.js');
      await sandboxLevel(); // probed with the real worker; the fake one only answers the run
      const e = await runEncode(c, video, 50, { ...LIMITS, workerPath: fake });
      assert.ok(!e.ok);
      assert.equal(e.failure.class, 'crash');
      assert.match(e.failure.message, /exit code 7/);
      assert.match(e.failure.detail ?? '', /dying on purpose/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a timeout kills the child process for real', async () => {
    const c = fixture('attacks/loop-encode.js');
    let pid = 0;
    const e = await runEncode(c, video, 50, {
      limits: { timeoutMs: 800 },
      onSpawn: (p) => {
        pid = p;
      },
    });
    assert.ok(!e.ok);
    assert.equal(e.failure.class, 'timeout');
    assert.ok(pid > 0);
    // Killed by the limit; it is gone once reaped (waited for, not timed).
    const exists = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (exists()) await new Promise((r) => setTimeout(r, 25));
  });

  it('cancellation kills the child and throws CancelledError', async () => {
    const c = fixture('attacks/loop-encode.js');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    // The 20 s sandbox limit would end it as 'timeout', not CancelledError: the class proves the abort did.
    await assert.rejects(runEncode(c, video, 50, { limits: { timeoutMs: 20_000 }, signal: ac.signal }), CancelledError);
  });

  it('measures its sandbox level and the child environment is scrubbed', async () => {
    const level = await sandboxLevel();
    console.log(
      `      sandbox level: ${level.summary}\n        layers: ${level.layers.join('; ')}\n        missing: ${level.missing.join('; ')}`,
    );
    const flagKnown =
      process.allowedNodeEnvironmentFlags.has('--permission') || process.allowedNodeEnvironmentFlags.has('--experimental-permission');
    assert.equal(level.permissionFlag !== null, flagKnown, 'the permission model is used exactly when the runtime has it');
    process.env.CODEC_EVOLVE_FAKE_API_KEY = 'sk-must-not-leak';
    try {
      const r = await probeRuntime(process.execPath, workerBundle(), level.permissionFlag);
      assert.ok(r);
      assert.deepEqual(r.envKeys, Object.keys(childEnv()).sort());
      if (level.permissionFlag)
        assert.deepEqual(
          { ...r.denied, network: undefined },
          { fsRead: true, fsWrite: true, childProcess: true, workerThreads: true, network: undefined },
        );
      assert.equal(r.denied!.network, false, 'without the namespace, loopback is reachable (the probe can tell)');
      const netns = level.layers.some((l) => /network namespace/.test(l));
      if (existsSync('/usr/bin/unshare') && netns) {
        const inNs = await probeRuntime(process.execPath, workerBundle(), level.permissionFlag, '/usr/bin/unshare');
        assert.equal(inNs!.denied!.network, true);
      }
      assert.equal(r.codegenFromStringsDisabled, true);
    } finally {
      delete process.env.CODEC_EVOLVE_FAKE_API_KEY;
    }
  });

  it('runs with an explicit runtime path and ELECTRON_RUN_AS_NODE set, as the VS Code host does', async () => {
    assert.equal(childEnv().ELECTRON_RUN_AS_NODE, '1');
    const c = fixture('allowed/shadowing.js');
    const e = await runEncode(c, video, 50, { ...LIMITS, execPath: process.execPath });
    assert.ok(e.ok);
  });

  it('proof that the code runs: one quantiser constant changes bytes and PSNR', async () => {
    const template = readFileSync(join(packageRoot(), 'src', 'core', 'codec', 'template.js'), 'utf8');
    assert.match(template, /const STEP_SCALE = 1\.0;/);
    const variants = [template, template.replace('const STEP_SCALE = 1.0;', 'const STEP_SCALE = 2.5;')];
    const results: Array<{ bytes: number; psnr: number }> = [];
    for (const src of variants) {
      const c = prepare(src, 'codec.js');
      const enc = await runEncode(c, video, 60, LIMITS);
      assert.ok(enc.ok, JSON.stringify(!enc.ok && enc.failure));
      const dec = await runDecode(c, enc.bytes, shape(video), LIMITS);
      assert.ok(dec.ok, JSON.stringify(!dec.ok && dec.failure));
      results.push({ bytes: enc.bytes.length, psnr: psnrVideo(video, { ...video, frames: dec.video.frames }).y });
    }
    console.log(
      `      STEP_SCALE 1.0: ${results[0].bytes} B ${results[0].psnr.toFixed(2)} dB; 2.5: ${results[1].bytes} B ${results[1].psnr.toFixed(2)} dB`,
    );
    assert.notEqual(results[0].bytes, results[1].bytes);
    assert.notEqual(results[0].psnr, results[1].psnr);
    assert.ok(
      results[1].bytes < results[0].bytes && results[1].psnr < results[0].psnr,
      'a coarser quantiser spends fewer bytes and loses quality',
    );
  });

  describe('children started ahead (SandboxPool)', () => {
    it('a closed pool leaves no abort listener on a longer-lived signal', () => {
      const session = new AbortController();
      for (let i = 0; i < 20; i++) new SandboxPool(session.signal).close();
      assert.equal(getEventListeners(session.signal, 'abort').length, 0);
      const open = new SandboxPool(session.signal);
      assert.equal(getEventListeners(session.signal, 'abort').length, 1, 'an open pool listens for abort');
      open.close();
    });

    /** Alive = exists and is not a zombie waiting to be reaped. */
    const alive = (pid: number): boolean => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    /** Waits until the processes are gone: an event, bounded by the test's timeout (no wall-clock threshold). */
    const gone = async (pids: number[]): Promise<number[]> => {
      while (pids.some(alive)) await new Promise((r) => setTimeout(r, 25));
      return pids.filter(alive);
    };

    it('every job gets a fresh, already started process: encode and decode apart, nothing carried over', async () => {
      const pool = new SandboxPool();
      try {
        await sandboxLevel();
        assert.ok(pool.prewarmNow(LIMITS), 'a probed runtime starts a spare synchronously');
        assert.equal(pool.idlePids.length, 1);
        await pool.prewarm(LIMITS);
        assert.equal(pool.idlePids.length, 1, 'one spare per command line');
        const used: number[] = [];
        const opts = { ...LIMITS, pool, onSpawn: (p: number) => used.push(p) };
        // The stash attack: encode keeps the input in a module variable; a decoder in the same
        // process would return it. Through the pool the decoder must still see only the bitstream.
        const c = fixture('attacks/side-channel-global.js');
        const idleBefore = pool.idlePids[0];
        const enc = await runEncode(c, video, 50, opts);
        assert.ok(enc.ok && enc.warm, JSON.stringify(enc));
        assert.equal(used[0], idleBefore, 'the encode took the spare');
        const dec = await runDecode(c, enc.bytes, shape(video), opts);
        assert.ok(dec.ok && dec.warm, JSON.stringify(!dec.ok && dec.failure));
        assert.ok(psnrVideo(video, { ...video, frames: dec.video.frames }).y < 20, 'the decoder had only the bitstream');
        const enc2 = await runEncode(fixture('allowed/raw-copy.js'), video, 50, opts);
        assert.ok(enc2.ok && enc2.warm);
        assert.equal(new Set(used).size, 3, `three jobs, three processes: ${used}`);
        assert.deepEqual(await gone(used), [], 'a child exits after its one job');
        console.log(`      start-up as waited for: warm encode ${enc.startupMs.toFixed(1)} ms, warm decode ${dec.startupMs.toFixed(1)} ms`);
      } finally {
        pool.close();
      }
    });

    it('spares run under the same layers: escapes are refused as in a cold child', async () => {
      const pool = new SandboxPool();
      try {
        await pool.prewarm(LIMITS);
        for (const [file, cls] of [
          ['attacks/spawn-escape.js', 'forbidden'],
          ['attacks/loop-top-level.js', 'timeout'],
        ] as const) {
          const src = readFileSync(join(FIX, file), 'utf8');
          const p = prepareCandidate(src, file.split('/').pop()!, { unsafeSkipForbiddenGlobals: true });
          assert.ok(p.candidate, file);
          const e = await runEncode(p.candidate, video, 50, { limits: { timeoutMs: 1500 }, pool });
          assert.ok(!e.ok, file);
          assert.equal(e.failure.class, cls, `${file}: ${e.failure.message}`);
        }
      } finally {
        pool.close();
      }
    });

    it('close() and the abort signal kill idle spares', async () => {
      const ac = new AbortController();
      const pool = new SandboxPool(ac.signal);
      await pool.prewarm(LIMITS);
      const [spare] = pool.idlePids;
      assert.ok(spare && alive(spare));
      ac.abort();
      assert.deepEqual(pool.idlePids, []);
      assert.deepEqual(await gone([spare]), [], 'the spare is killed on abort');
      await pool.prewarm(LIMITS);
      assert.deepEqual(pool.idlePids, [], 'a closed pool starts nothing');
      await assert.rejects(runEncode(fixture('allowed/raw-copy.js'), video, 50, { ...LIMITS, pool, signal: ac.signal }), CancelledError);
    });

    it('an idle spare keeps no host alive, and does not outlive it', async () => {
      const script = `require(${JSON.stringify(join(packageRoot(), 'test', 'register.cjs'))});
const { SandboxPool } = require(${JSON.stringify(join(packageRoot(), 'src', 'core', 'sandbox', 'runner.ts'))});
const pool = new SandboxPool();
pool.prewarm().then(() => { process.stdout.write(String(pool.idlePids[0])); });`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c;
      });
      const code = await new Promise<number | null>((r) => child.on('close', r));
      assert.equal(code, 0);
      const spare = Number(out);
      assert.ok(spare > 0, `spare pid: ${out}`);
      assert.deepEqual(await gone([spare]), [], 'the spare died with its host');
    });
  });
});
