// The engine as a child process: the host protocol end to end over real IPC with dist/engine-host.js.
import { strict as assert } from 'node:assert';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { distFile } from '../../src/core/paths';
import type { EngineToHost, HostMethod, HostMethods, ReadyMessage, EngineEventMessage } from '../../src/engine-host/protocol';
import { Workspace } from '../../src/core/store/workspace';
import { TREE_CLIP } from '../helpers/engine-workspace';

class Client {
  private next = 1;
  private readonly waiting = new Map<number, (m: EngineToHost) => void>();
  readonly events: EngineEventMessage['event'][] = [];
  ready: Promise<ReadyMessage>;
  constructor(readonly child: ChildProcess) {
    let onReady!: (m: ReadyMessage) => void;
    this.ready = new Promise((r) => {
      onReady = r;
    });
    child.on('message', (raw) => {
      const m = raw as EngineToHost;
      if (m.kind === 'ready') onReady(m);
      else if (m.kind === 'event') this.events.push(m.event);
      else if (m.kind === 'response') {
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      }
    });
  }
  call<M extends HostMethod>(method: M, params: HostMethods[M][0]): Promise<HostMethods[M][1]> {
    const id = this.next++;
    return new Promise((res, rej) => {
      this.waiting.set(id, (m) => {
        if (m.kind !== 'response') return;
        if (m.ok) res(m.result as HostMethods[M][1]);
        else rej(Object.assign(new Error(m.error.message), m.error));
      });
      this.child.send({ kind: 'request', id, method, params });
    });
  }
}

describe('engine: host protocol over IPC (dist/engine-host.js)', function () {
  this.timeout(300_000);
  let dir: string;
  let client: Client;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ce-host-'));
    client = new Client(fork(distFile('engine-host.js'), [dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
    const ready = await client.ready;
    assert.equal(ready.protocol, 1);
    assert.equal(ready.workspace, dir);
  });
  after(() => {
    client.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('init, run one generation with events, review list/show, reject, errors as values', async () => {
    await assert.rejects(client.call('reviewShow', { id: 'g0001-0' }), /no candidate 'g0001-0'/);
    const init = await client.call('init', { seed: 'minimal' });
    assert.ok(init.created.includes('.codec-evolution/config.json'));
    // Small and fast: the 80x44 clip, 2 + 3 frames.
    const ws = new Workspace(dir);
    const cfg = ws.readConfig();
    cfg.clips = { smoke: { path: TREE_CLIP, frames: 2 }, training: [{ path: TREE_CLIP, frames: 3 }], heldOut: [] };
    cfg.evolution.candidatesPerGeneration = 1;
    ws.writeConfig(cfg);
    const status = await client.call('runOneGeneration', {});
    assert.equal(status.running, false);
    assert.equal(status.candidates, 2);
    assert.ok(client.events.some((e) => e.type === 'candidate-finished' && e.data.id === 'g0001-0'));
    assert.ok(client.events.some((e) => e.type === 'status'));
    const s = await client.call('status', {});
    assert.equal(s.loopRunning, false);
    const all = await client.call('reviewList', { includeEvaluated: true });
    const h = await client.call('history', {});
    assert.equal(h.candidates.length, 2);
    const target = h.candidates.find((c) => c.id === 'g0001-0')!;
    if (target.state === 'pending-review' || target.state === 'evaluated') {
      assert.ok(all.some((c) => c.id === 'g0001-0'));
      const shown = await client.call('reviewShow', { id: 'g0001-0' });
      assert.match(shown.diff, /^--- v1/m);
      assert.equal(shown.baseVersion, 1);
      const rejected = await client.call('reject', { id: 'g0001-0', reason: 'not convinced' });
      assert.equal(rejected.state, 'rejected');
    }
    await assert.rejects(
      client.call('accept', { id: 'nope' }),
      (e: Error & { kind?: string }) => e.kind === 'input' && /no candidate 'nope'/.test(e.message),
    );
  });

  it('stop cancels a running loop and the lock is released', async () => {
    await client.call('start', { generations: 50 });
    await new Promise((r) => setTimeout(r, 300));
    const r = await client.call('stop', {});
    assert.equal(r.stopped, true, JSON.stringify(client.events.filter((e) => e.type === 'loop-error')));
    assert.equal(r.status?.stopReason, 'cancelled');
    assert.ok(!existsSync(join(dir, '.codec-evolution', 'lock')));
  });

  it('applyConfig and addClip write config.json in the child, only while no loop runs and nobody holds the lock', async () => {
    const ws = new Workspace(dir);
    const before = ws.readConfig();
    const overrides = { references: ['x265' as const], objective: 'ssimY' as const, limits: { memoryMb: 300 } };
    const r = await client.call('applyConfig', { overrides });
    assert.equal(r.changed, true);
    const cfg = ws.readConfig();
    assert.deepEqual(cfg.references, ['x265']);
    assert.equal(cfg.primaryReference, 'x265', 'the primary reference follows the list');
    assert.equal(cfg.evolution.objective, 'ssimY');
    assert.equal(cfg.limits?.memoryMb, 300);
    assert.equal(cfg.limits?.timeoutMs, before.limits?.timeoutMs, 'limits merge, they do not replace');
    assert.deepEqual(r.config, cfg);
    assert.equal((await client.call('applyConfig', { overrides })).changed, false);

    const added = await client.call('addClip', { path: TREE_CLIP, role: 'held-out' });
    assert.deepEqual(added, { path: `.codec-evolution/clips/${basename(TREE_CLIP)}`, added: true });
    assert.ok(existsSync(join(dir, added.path)));
    assert.deepEqual(ws.readConfig().clips.heldOut, [{ path: added.path }]);
    assert.equal((await client.call('addClip', { path: TREE_CLIP, role: 'held-out' })).added, false);
    await assert.rejects(client.call('addClip', { path: TREE_CLIP, role: 'training' }), /already a held-out clip/);

    // A loop of this child: both refused by name, the config untouched.
    const written = readFileSync(ws.configPath, 'utf8');
    await client.call('start', { generations: 50 });
    const refused = (e: Error & { kind?: string }) => e.kind === 'usage' && /stop the loop before/.test(e.message);
    await assert.rejects(client.call('applyConfig', { overrides: { objective: 'psnrY' } }), refused);
    await assert.rejects(client.call('addClip', { path: TREE_CLIP, role: 'training' }), refused);
    assert.equal((await client.call('stop', {})).stopped, true);
    assert.equal(readFileSync(ws.configPath, 'utf8'), written);

    // A loop of another process (its lock, owned by this live test process): refused too, and the lock stays.
    const lock = join(dir, '.codec-evolution', 'lock');
    const owner = { schemaVersion: 1, pid: process.pid, host: hostname(), time: new Date().toISOString(), purpose: 'codec-evolve evolve' };
    writeFileSync(lock, JSON.stringify(owner) + '\n');
    await assert.rejects(
      client.call('applyConfig', { overrides: { objective: 'psnrY' } }),
      (e: Error & { kind?: string }) => e.kind === 'environment' && /locked by codec-evolve evolve/.test(e.message),
    );
    assert.ok(existsSync(lock));
    rmSync(lock);
    assert.equal((await client.call('applyConfig', { overrides: { objective: 'psnrY' } })).changed, true);
    assert.ok(!existsSync(lock), 'the write released its lock');
  });
});
