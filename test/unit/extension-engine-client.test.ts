// The extension's engine client against the real engine child (dist/engine-host.js) in plain node:
// the same process, protocol and workspace files the VS Code host uses.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, abortSignalOf, type Logger } from '../../src/extension/engine-client';
import { SECRET_ENV } from '../../src/extension/settings';
import { Workspace } from '../../src/core/store/workspace';

const script = join(__dirname, '..', '..', 'dist', 'engine-host.js');

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('extension engine client (real engine child)', function () {
  this.timeout(60000);
  let dir: string;
  const lines: string[] = [];
  const log: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };

  before(function () {
    if (!existsSync(script)) {
      console.log(`    skipped: ${script} is not built — run npm run build`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'ce-client-'));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('initializes a workspace, reads status and history, validates through evaluate, and stops the child on dispose', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1', ANTHROPIC_API_KEY: 'sk-must-not-leak' };
    for (const k of SECRET_ENV) delete env[k];
    const events: string[] = [];
    const client = new EngineClient({ script, root: dir, env, log, onEvent: (t) => events.push(t) });
    const init = await client.call('init', {});
    assert.ok(init.created.length > 0, 'init reports what it created');
    assert.ok(existsSync(join(dir, '.codec-evolution', 'config.json')));
    const pid = client.pid!;
    assert.ok(pid > 0 && alive(pid));
    const [status, history] = await Promise.all([client.call('status', {}), client.call('history', {})]);
    assert.equal(status.loopRunning, false);
    assert.deepEqual(history.versions.map((v) => v.version), [1], 'the seed is version 1');
    // A candidate the validator refuses comes back as a result with its class and position, not an exception.
    const bad = await client.call('evaluate', { source: 'export function encode(v) { return eval("1"); }\nexport function decode(b) { return b; }\n' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.failure.class, 'forbidden');
    // Errors cross the channel with their kind and remedy.
    await assert.rejects(client.call('reviewShow', { id: 'g9999-0' }), (e: Error & { kind?: string }) => e.kind === 'input' && /g9999-0/.test(e.message));
    await client.dispose();
    assert.equal(client.alive, false);
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(pid), false, 'the engine child is gone after dispose');
    assert.ok(!lines.join('\n').includes('sk-must-not-leak'));
    assert.ok(readdirSync(join(dir, '.codec-evolution')).includes('versions'));
  });

  it('after the child dies the next call starts a new one', async () => {
    const client = new EngineClient({ script, root: dir, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, log });
    await client.call('status', {});
    const first = client.pid!;
    process.kill(first, 'SIGKILL');
    const t0 = Date.now();
    while (client.alive && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(client.alive, false);
    const s = await client.call('status', {});
    assert.equal(s.loopRunning, false);
    assert.notEqual(client.pid, first, 'a fresh child answered');
    await client.dispose();
  });

  /** A workspace on the 80x44 clip, 3 frames, so a generation takes seconds. */
  function smallWorkspace(): string {
    const root = mkdtempSync(join(tmpdir(), 'ce-client-lm-'));
    return root;
  }
  async function shrink(root: string): Promise<void> {
    const ws = new Workspace(root);
    const cfg = ws.readConfig();
    const clip = join(__dirname, '..', '..', '..', 'shared', 'media', 'tree_building_80x44_15f.y4m');
    cfg.clips = { smoke: { path: clip, frames: 2 }, training: [{ path: clip, frames: 3 }], heldOut: [] };
    cfg.qualities = [20, 40, 60, 80];
    cfg.references = ['x264'];
    ws.writeConfig(cfg);
  }

  it('vscode.lm provider: the engine asks the host for completions over IPC and records what it got', async () => {
    const root = smallWorkspace();
    try {
      const asked: Array<{ system: string; messages: unknown[] }> = [];
      const client = new EngineClient({ script, root, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, log,
        onLmRequest: async (req) => { asked.push(req); return { text: 'No code this time.', model: 'copilot/test', inputTokens: 11, outputTokens: 4 }; } });
      await client.call('init', {});
      await shrink(root);
      const status = await client.call('runOneGeneration', { provider: { kind: 'host' } });
      assert.ok(asked.length >= 1, 'the engine asked the host');
      assert.match(asked[0].system + JSON.stringify(asked[0].messages), /encode/, 'the prompt carries the codec contract');
      const { candidates } = await client.call('history', {});
      const proposed = candidates.filter((c) => c.generation === 1);
      assert.ok(proposed.length >= 1);
      assert.equal(proposed[0].failure?.class, 'no-code', 'an answer without code is classified, not fatal');
      assert.equal(proposed[0].hypothesis, 'No code this time.');
      assert.ok(status.tokens.input >= 11 && status.tokens.output >= 4, `tokens recorded: ${JSON.stringify(status.tokens)}`);
      await client.dispose();
    } finally { rmSync(root, { recursive: true, force: true }); }
  });

  it('Stop while the engine waits on the model cancels the model request and ends the loop', async () => {
    const root = smallWorkspace();
    try {
      let cancelled = false;
      let asked!: () => void;
      const askedP = new Promise<void>((r) => { asked = r; });
      let stoppedWith!: (reason: string) => void;
      const stopped = new Promise<string>((r) => { stoppedWith = r; });
      const client = new EngineClient({ script, root, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, log,
        onEvent: (t, d) => { if (t === 'run-stopped') stoppedWith(String(d.reason)); },
        onLmRequest: (_req, signal) => new Promise((_res, rej) => { asked(); signal.addEventListener('abort', () => { cancelled = true; rej(new Error('cancelled')); }); }) });
      await client.call('init', {});
      await shrink(root);
      await client.call('start', { provider: { kind: 'host' } });
      await askedP;
      const t0 = Date.now();
      const r = await client.call('stop', {});
      assert.equal(r.stopped, true);
      assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms`);
      assert.equal(cancelled, true, 'the host saw llm-cancel');
      assert.match(await stopped, /cancel/);
      assert.equal((await client.call('status', {})).loopRunning, false);
      await client.dispose();
    } finally { rmSync(root, { recursive: true, force: true }); }
  });

  it('bridges a cancellation token to an AbortSignal', () => {
    let fire: () => void = () => undefined;
    const token = { isCancellationRequested: false, onCancellationRequested: (cb: () => void) => { fire = cb; return { dispose() {} }; } };
    const signal = abortSignalOf(token)!;
    assert.equal(signal.aborted, false);
    fire();
    assert.equal(signal.aborted, true);
    assert.equal(abortSignalOf({ isCancellationRequested: true, onCancellationRequested: () => ({ dispose() {} }) })!.aborted, true);
  });
});
