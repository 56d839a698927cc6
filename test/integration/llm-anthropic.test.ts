import { strict as assert } from 'node:assert';
import { AnthropicProvider } from '../../src/core/llm/anthropic';
import { OpenAiCompatibleProvider } from '../../src/core/llm/openai-compatible';
import { startMockAnthropic, type MockAnthropic, type Reply } from '../helpers/anthropic-server';
import { ProviderError, CancelledError, EnvironmentError } from '../../src/core/errors';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

describe('llm: anthropic provider against a local Messages API server', () => {
  let server: MockAnthropic | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const provider = (baseURL: string, extra = {}) =>
    new AnthropicProvider({
      apiKey: 'test-key',
      baseUrl: baseURL,
      model: 'claude-sonnet-4-6',
      maxRetries: 2,
      timeoutMs: 5000,
      idleTimeoutMs: 500,
      ...extra,
    });

  it('streams text, reports tokens and prices them', async () => {
    server = await startMockAnthropic(() => ({
      kind: 'text',
      text: 'HYPOTHESIS: hello there, this is a longer streamed answer',
      inputTokens: 2000,
      outputTokens: 300,
    }));
    const deltas: string[] = [];
    const res = await provider(server.baseURL).complete({
      system: 'sys',
      messages: [{ role: 'user', content: 'hi' }],
      onText: (d) => deltas.push(d),
    });
    assert.equal(res.text, 'HYPOTHESIS: hello there, this is a longer streamed answer');
    assert.ok(deltas.length >= 2, 'text arrives in several deltas');
    assert.deepEqual(res.usage, { inputTokens: 2000, outputTokens: 300, cacheWriteTokens: 0, cacheReadTokens: 0 });
    assert.equal(res.costUsd, (2000 * 3 + 300 * 15) / 1e6);
    assert.equal(server.requests[0].stream, true);
    assert.equal(server.requests[0].system, 'sys');
  });

  it('sends cache breakpoints on the parts a prompt marks, and prices cache writes and reads at their own rates', async () => {
    server = await startMockAnthropic(() => ({
      kind: 'text',
      text: 'ok',
      inputTokens: 500,
      outputTokens: 100,
      cacheCreationInputTokens: 3000,
      cacheReadInputTokens: 6000,
    }));
    const res = await provider(server.baseURL).complete({
      system: 'rules\n\ncontract',
      systemParts: [{ text: 'rules' }, { text: 'contract', cache: true }],
      messages: [{ role: 'user', content: 'parent\n\ntask', parts: [{ text: 'parent', cache: true }, { text: 'task' }] }],
    });
    const req = server.requests[0];
    assert.deepEqual(req.system, [
      { type: 'text', text: 'rules' },
      { type: 'text', text: 'contract', cache_control: { type: 'ephemeral' } },
    ]);
    assert.deepEqual(req.messages[0].content, [
      { type: 'text', text: 'parent', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'task' },
    ]);
    // input_tokens (500) excludes the cached parts; the record counts all 9500 and says which were cached.
    assert.deepEqual(res.usage, { inputTokens: 9500, outputTokens: 100, cacheWriteTokens: 3000, cacheReadTokens: 6000 });
    assert.ok(Math.abs(res.costUsd - (500 * 3 + 3000 * 3 * 1.25 + 6000 * 3 * 0.1 + 100 * 15) / 1e6) < 1e-12, String(res.costUsd));
  });

  it('retries 429 and 529 through the SDK, then succeeds', async () => {
    const script: Reply[] = [
      { kind: 'status', status: 429, errorType: 'rate_limit_error' },
      { kind: 'status', status: 529, errorType: 'overloaded_error' },
      { kind: 'text', text: 'ok' },
    ];
    server = await startMockAnthropic((_, n) => script[n - 1]);
    const res = await provider(server.baseURL).complete({ system: '', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(res.text, 'ok');
    assert.equal(server.requests.length, 3);
  });

  it('529 that persists becomes a ProviderError with a remedy', async () => {
    server = await startMockAnthropic(() => ({ kind: 'status', status: 529, errorType: 'overloaded_error' }));
    await assert.rejects(
      provider(server.baseURL, { maxRetries: 1 }).complete({ system: '', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof ProviderError && /529/.test(e.message) && /overloaded/.test(e.describe()),
    );
    assert.equal(server.requests.length, 2);
  });

  it('a stalled stream is abandoned after the idle timeout', async () => {
    server = await startMockAnthropic(() => ({ kind: 'stall' }));
    await assert.rejects(
      provider(server.baseURL, { idleTimeoutMs: 300 }).complete({ system: '', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof ProviderError && /stalled/.test(e.message),
    );
  });

  it('an AbortSignal cancels a request in flight', async () => {
    server = await startMockAnthropic(() => ({ kind: 'stall' }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(
      provider(server.baseURL, { idleTimeoutMs: 10_000 }).complete({
        system: '',
        messages: [{ role: 'user', content: 'x' }],
        signal: ac.signal,
      }),
      (e: unknown) => e instanceof CancelledError,
    );
  });

  it('a missing key is an environment error that says what to do', () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      assert.throws(
        () => new AnthropicProvider({}),
        (e: unknown) => e instanceof EnvironmentError && /ANTHROPIC_API_KEY/.test(e.describe()),
      );
    } finally {
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
  });
});

describe('llm: openai-compatible provider', () => {
  it('posts to /v1/chat/completions, retries a 503, reads usage', async () => {
    let n = 0;
    const bodies: Array<{ model: string; messages: Array<{ role: string }> }> = [];
    const srv = createServer((req, res) => {
      let b = '';
      req.on('data', (c) => {
        b += c;
      });
      req.on('end', () => {
        n++;
        assert.equal(req.url, '/v1/chat/completions');
        bodies.push(JSON.parse(b));
        if (n === 1) {
          res.writeHead(503).end('busy');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            model: 'llama',
            choices: [{ message: { content: 'answer' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 11, completion_tokens: 7 },
          }),
        );
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const p = new OpenAiCompatibleProvider({
        baseUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        model: 'llama',
        maxRetries: 2,
      });
      const res = await p.complete({ system: 'S', messages: [{ role: 'user', content: 'U' }] });
      assert.equal(res.text, 'answer');
      assert.deepEqual(res.usage, { inputTokens: 11, outputTokens: 7 });
      assert.equal(res.costUsd, 0);
      assert.equal(n, 2);
      assert.deepEqual(
        bodies[1].messages.map((m) => m.role),
        ['system', 'user'],
      );
    } finally {
      srv.close();
    }
  });
});
