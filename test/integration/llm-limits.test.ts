// What a model server cannot do to the loop: send an answer of any size, or keep a call open forever
// by trickling keep-alives. Each provider against a real loopback server.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnthropicProvider } from '../../src/core/llm/anthropic';
import { OpenAiCompatibleProvider } from '../../src/core/llm/openai-compatible';
import { ProviderError } from '../../src/core/errors';
import { startMockAnthropic, type MockAnthropic } from '../helpers/anthropic-server';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import { packageRoot } from '../../src/core/paths';

const CLI = join(packageRoot(), 'dist', 'cli.js');

/** `codec-evolve ARGS` in a child process (the loopback server lives in this one), to its exit. */
function cli(args: string[], cwd: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, ANTHROPIC_API_KEY: 'test' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    c.stderr!.on('data', (d) => {
      err += d;
    });
    c.on('close', (code) => resolve({ code, err }));
  });
}

const REQ = { system: 'you write codecs', messages: [{ role: 'user' as const, content: 'improve it' }] };

describe('llm: response size cap and call deadline', function () {
  this.timeout(120_000);
  let mock: MockAnthropic | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server!.close(r));
      server = undefined;
    }
  });

  it('anthropic: an answer over the 1 MB default cap is a provider failure that says so', async () => {
    mock = await startMockAnthropic(() => ({ kind: 'text', text: 'x'.repeat(1_200_000) }));
    const p = new AnthropicProvider({ apiKey: 'test', baseUrl: mock.baseURL, maxRetries: 0 });
    await assert.rejects(
      p.complete(REQ),
      (e: unknown) => e instanceof ProviderError && /over the 1048576-byte cap/.test(e.message) && !!e.remedy,
    );
    // Under the cap the answer comes through whole.
    const q = new AnthropicProvider({ apiKey: 'test', baseUrl: mock.baseURL, maxRetries: 0, maxResponseBytes: 2_000_000 });
    assert.equal((await q.complete(REQ)).text.length, 1_200_000);
  });

  it("anthropic: a stream trickling keep-alives ends at the call's deadline, however often it pings", async () => {
    mock = await startMockAnthropic(() => ({ kind: 'trickle', everyMs: 50 }));
    const p = new AnthropicProvider({ apiKey: 'test', baseUrl: mock.baseURL, maxRetries: 0, idleTimeoutMs: 60_000 });
    await assert.rejects(
      p.complete({ ...REQ, deadline: Date.now() + 1500 }),
      (e: unknown) => e instanceof ProviderError && /deadline/.test(e.message),
    );
  });

  it('evolve exits 6 with the cause after three consecutive provider failures (a server answering HTTP 500)', async function () {
    if (!existsSync(CLI)) this.skip();
    mock = await startMockAnthropic(() => ({
      kind: 'status',
      status: 500,
      errorType: 'api_error',
      message: 'internal failure of the test server',
    }));
    const { ws } = makeEngineWorkspace('ce-provider-500-');
    try {
      const r = await cli(['evolve', '--provider', 'anthropic', '--base-url', mock.baseURL, '--generations', '6'], ws.root);
      assert.equal(r.code, 6, r.err);
      assert.match(r.err, /500/);
      const failed = ws.listCandidates().filter((c) => c.failure?.class === 'provider');
      assert.equal(failed.length, 3, 'stopped at the third consecutive failure');
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });

  it('evolve stops at --wall-minutes even while a model call trickles keep-alives', async function () {
    if (!existsSync(CLI)) this.skip();
    mock = await startMockAnthropic(() => ({ kind: 'trickle', everyMs: 200 }));
    const { ws } = makeEngineWorkspace('ce-provider-trickle-');
    try {
      // The root's evaluation comes first; the model calls that follow must end with the budget.
      const r = await cli(
        ['evolve', '--provider', 'anthropic', '--base-url', mock.baseURL, '--generations', '6', '--wall-minutes', '0.5'],
        ws.root,
      );
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /deadline/);
      assert.ok(mock.requests.length >= 1, 'a model call was made');
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });

  it('openai-compatible: the same cap and deadline', async () => {
    let trickle = false;
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (trickle) {
          const t = setInterval(() => res.write(' '), 50);
          res.on('close', () => clearInterval(t));
          return;
        }
        res.end(
          JSON.stringify({
            model: 'm',
            choices: [{ message: { content: 'y'.repeat(1_200_000) }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1 },
          }),
        );
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const p = new OpenAiCompatibleProvider({ baseUrl: base, maxRetries: 0 });
    await assert.rejects(p.complete(REQ), (e: unknown) => e instanceof ProviderError && /over the 1048576-byte cap/.test(e.message));
    trickle = true;
    await assert.rejects(
      p.complete({ ...REQ, deadline: Date.now() + 1500 }),
      (e: unknown) => e instanceof ProviderError && /deadline/.test(e.message),
    );
  });
});
