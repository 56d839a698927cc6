import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync, appendFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EventLog } from '../../src/core/store/event-log';
import { WorkspaceLock, staleReason } from '../../src/core/store/lock';
import { readJson, writeJsonAtomic } from '../../src/core/store/atomic';
import { initWorkspace } from '../../src/core/store/init';
import { Workspace } from '../../src/core/store/workspace';

describe('store: workspace persistence', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ce-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('atomic JSON carries schemaVersion, leaves no temp files, refuses unknown versions', () => {
    const p = join(dir, 'a', 'x.json');
    writeJsonAtomic(p, { hello: 1 });
    writeJsonAtomic(p, { hello: 2 });
    assert.deepEqual(readJson(p), { schemaVersion: 1, hello: 2 });
    assert.deepEqual(readdirSync(join(dir, 'a')), ['x.json']);
    writeFileSync(p, JSON.stringify({ schemaVersion: 99 }));
    assert.throws(() => readJson(p), /schemaVersion 99/);
  });

  it('a truncated last line of the event log is skipped with a warning; appends continue on a fresh line', () => {
    const log = new EventLog(join(dir, 'events.jsonl'));
    log.append('warning', { message: 'a' });
    log.append('warning', { message: 'b' });
    appendFileSync(log.path, '{"schemaVersion":1,"type":"c","n"');
    let r = log.read();
    assert.deepEqual(
      r.events.map((e) => e.message),
      ['a', 'b'],
    );
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /events\.jsonl:3: truncated/);
    log.append('warning', { message: 'd' });
    r = log.read();
    assert.deepEqual(
      r.events.map((e) => e.message),
      ['a', 'b', 'd'],
    );
    assert.ok(readFileSync(log.path, 'utf8').endsWith('\n'));
  });

  it('the lock stops a second holder and is taken over when its owner is dead', () => {
    const path = join(dir, 'lock');
    const a = new WorkspaceLock(path);
    assert.equal(a.acquire('test'), undefined);
    // Our own pid counts as alive for another WorkspaceLock object only through the file: a live pid
    // (the parent of this process) must block.
    writeFileSync(
      path,
      JSON.stringify({ schemaVersion: 1, pid: process.ppid, host: hostname(), time: new Date().toISOString(), purpose: 'other loop' }),
    );
    assert.throws(() => new WorkspaceLock(path).acquire('test'), /locked by other loop/);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(
      path,
      JSON.stringify({ schemaVersion: 1, pid: Number(dead), host: hostname(), time: new Date().toISOString(), purpose: 'crashed loop' }),
    );
    const b = new WorkspaceLock(path);
    assert.match(b.acquire('test')!, /stale lock \(process \d+ is gone\)/);
    b.release();
    assert.throws(() => readFileSync(path));
    assert.equal(staleReason({ schemaVersion: 1, pid: 1, host: 'elsewhere', time: new Date().toISOString(), purpose: '' }), undefined);
    assert.match(staleReason({ schemaVersion: 1, pid: 1, host: 'elsewhere', time: '2000-01-01T00:00:00Z', purpose: '' })!, /older than/);
  });

  it('a stale lock is taken over by exactly one of many racing processes (atomic takeover)', async function () {
    this.timeout(300_000);
    const path = join(dir, 'lock');
    const racer = join(__dirname, '..', 'helpers', 'lock-racer.ts');
    const register = join(__dirname, '..', 'register.cjs');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    const stale = JSON.stringify({
      schemaVersion: 1,
      pid: dead,
      host: hostname(),
      time: new Date().toISOString(),
      purpose: 'crashed loop',
    });
    const lines = (c: ChildProcess) => {
      const rl = createInterface({ input: c.stdout! });
      const q: string[] = [];
      const waiters: Array<(l: string) => void> = [];
      rl.on('line', (l) => {
        const w = waiters.shift();
        if (w) w(l);
        else q.push(l);
      });
      return () =>
        new Promise<string>((r) => {
          const l = q.shift();
          if (l !== undefined) r(l);
          else waiters.push(r);
        });
    };
    // Each round: a stale lock, six racers released at once. Two holders at once is the bug.
    for (let round = 0; round < 4; round++) {
      writeFileSync(path, stale);
      const racers = Array.from({ length: 6 }, () =>
        spawn(process.execPath, ['-r', register, racer, path], { stdio: ['pipe', 'pipe', 'inherit'] }),
      );
      const next = racers.map(lines);
      // Refused racers exit at once: listen for 'close' before anything can happen.
      const closed = racers.map((r) => new Promise((res) => r.once('close', res)));
      await Promise.all(next.map(async (n) => assert.equal(await n(), 'ready')));
      for (const r of racers) r.stdin!.write('go\n');
      const results = await Promise.all(next.map((n) => n()));
      for (const r of racers) r.stdin!.end();
      await Promise.all(closed);
      const holders = results.filter((l) => l === 'acquired').length;
      assert.equal(holders, 1, `round ${round}: ${holders} racers hold the lock at once: ${results.join(' | ')}`);
      for (const l of results) if (l !== 'acquired') assert.match(l, /locked by racer/);
      assert.deepEqual(
        readdirSync(dir).filter((f) => f !== 'lock'),
        [],
        'no temp or takeover files left behind',
      );
    }
  });

  it('init writes config, the seed as version 1, the codec file and the clip', () => {
    const { ws } = initWorkspace(dir, { seed: 'minimal' });
    const cfg = ws.readConfig();
    assert.equal(cfg.provider.kind, 'offline');
    assert.equal(cfg.evolution.adoptionPolicy, 'review');
    assert.equal(ws.latestVersion()!.version, 1);
    assert.equal(ws.versionCode(1), readFileSync(join(dir, 'codec.js'), 'utf8'));
    assert.match(ws.versionCode(1), /export function encode/);
    assert.ok(readFileSync(ws.resolvePath(cfg.clips.training[0].path)).subarray(0, 9).toString() === 'YUV4MPEG2');
    assert.throws(() => initWorkspace(dir), /already exists/);
    assert.equal(Workspace.find(join(dir)).root, dir);
  });
});
