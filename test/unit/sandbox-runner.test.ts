import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareCandidate, type PreparedCandidate } from '../../src/core/sandbox/validator';
import { childEnv, probeRuntime, runDecode, runEncode, sandboxLevel } from '../../src/core/sandbox/runner';
import { psnrVideo } from '../../src/core/metrics/psnr';
import { CancelledError } from '../../src/core/errors';
import type { Video } from '../../src/core/codec/contract';
import { packageRoot } from '../../src/core/paths';
import { smallVideo, workerBundle } from './sandbox-helpers';

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
  before(async () => { workerBundle(); video = await smallVideo(3); });

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
    const js = prepare('export function encode(video, options) {\n  const f = video.frames[9];\n  return f.y;\n}\nexport function decode(b) { return null; }', 'codec.js');
    const e1 = await runEncode(js, video, 50, LIMITS);
    assert.ok(!e1.ok);
    assert.equal(e1.failure.class, 'runtime');
    assert.match(e1.failure.message, /TypeError/);
    assert.deepEqual([e1.failure.line, e1.failure.column], [3, 12]);
    const ts = prepare('type T = { n: number };\nconst t: T = { n: 1 };\nexport function encode(video: any, options: { quality: number }): Uint8Array {\n  const x: T | undefined = undefined;\n  return new Uint8Array((x as any).n);\n}\nexport function decode(b: Uint8Array) { return null; }', 'codec.ts');
    const e2 = await runEncode(ts, video, 50, LIMITS);
    assert.ok(!e2.ok);
    assert.equal(e2.failure.line, 5);
  });

  it('contract: decode returning the wrong type is classified with a precise message', async () => {
    const c = prepare('export function encode() { return new Uint8Array(1); }\nexport function decode(b) { return { width: 80, height: 44, frames: [1, 2, 3] }; }', 'c.js');
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
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('a timeout kills the child process for real', async () => {
    const c = fixture('attacks/loop-encode.js');
    let pid = 0;
    const e = await runEncode(c, video, 50, { limits: { timeoutMs: 800 }, onSpawn: (p) => { pid = p; } });
    assert.ok(!e.ok);
    assert.equal(e.failure.class, 'timeout');
    assert.ok(pid > 0);
    await new Promise((r) => setTimeout(r, 200));
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the spinning child is gone');
  });

  it('cancellation kills the child and throws CancelledError', async () => {
    const c = fixture('attacks/loop-encode.js');
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(runEncode(c, video, 50, { limits: { timeoutMs: 20_000 }, signal: ac.signal }), CancelledError);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('measures its sandbox level and the child environment is scrubbed', async () => {
    const level = await sandboxLevel();
    console.log(`      sandbox level: ${level.summary}\n        layers: ${level.layers.join('; ')}\n        missing: ${level.missing.join('; ')}`);
    const flagKnown = process.allowedNodeEnvironmentFlags.has('--permission') || process.allowedNodeEnvironmentFlags.has('--experimental-permission');
    assert.equal(level.permissionFlag !== null, flagKnown, 'the permission model is used exactly when the runtime has it');
    process.env.CODEC_EVOLVE_FAKE_API_KEY = 'sk-must-not-leak';
    try {
      const r = await probeRuntime(process.execPath, workerBundle(), level.permissionFlag);
      assert.ok(r);
      assert.deepEqual(r.envKeys, Object.keys(childEnv()).sort());
      if (level.permissionFlag) assert.deepEqual({ ...r.denied, network: undefined }, { fsRead: true, fsWrite: true, childProcess: true, workerThreads: true, network: undefined });
      assert.equal(r.denied!.network, false, 'without the namespace, loopback is reachable (the probe can tell)');
      const netns = level.layers.some((l) => /network namespace/.test(l));
      if (existsSync('/usr/bin/unshare') && netns) {
        const inNs = await probeRuntime(process.execPath, workerBundle(), level.permissionFlag, '/usr/bin/unshare');
        assert.equal(inNs!.denied!.network, true);
      }
      assert.equal(r.codegenFromStringsDisabled, true);
    } finally { delete process.env.CODEC_EVOLVE_FAKE_API_KEY; }
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
    console.log(`      STEP_SCALE 1.0: ${results[0].bytes} B ${results[0].psnr.toFixed(2)} dB; 2.5: ${results[1].bytes} B ${results[1].psnr.toFixed(2)} dB`);
    assert.notEqual(results[0].bytes, results[1].bytes);
    assert.notEqual(results[0].psnr, results[1].psnr);
    assert.ok(results[1].bytes < results[0].bytes && results[1].psnr < results[0].psnr, 'a coarser quantiser spends fewer bytes and loses quality');
  });
});
