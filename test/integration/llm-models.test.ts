// Select Model's list comes from the provider: Anthropic's Models API through the SDK (the loopback
// server speaks it), GET /v1/models of an OpenAI-compatible server; the built-in list (current models,
// the default first) only when the provider cannot be asked, saying why. A refused connection names
// its real cause, not "reported by the API".
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicModels, openAiCompatibleModels, ANTHROPIC_FALLBACK_MODELS } from '../../src/core/llm/models';
import { AnthropicProvider, DEFAULT_ANTHROPIC_MODEL } from '../../src/core/llm/anthropic';
import { OpenAiCompatibleProvider } from '../../src/core/llm/openai-compatible';
import { ProviderError } from '../../src/core/errors';
import { startMockAnthropic, MOCK_MODELS, type MockAnthropic } from '../helpers/anthropic-server';

/** A port nothing listens on: bound, noted, closed. */
async function refusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('llm: model lists and connection errors', function () {
  this.timeout(60_000);
  let server: MockAnthropic | undefined;
  let oai: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await new Promise<void>((r) => (oai ? oai.close(() => r()) : r()));
    oai = undefined;
  });

  it('lists Anthropic models from the Models API with the key', async () => {
    server = await startMockAnthropic(() => ({ kind: 'text', text: '' }));
    const r = await anthropicModels({ apiKey: 'sk-test', baseUrl: server.baseURL });
    assert.equal(r.source, 'provider');
    assert.deepEqual(
      r.models.map((m) => m.id),
      MOCK_MODELS.map((m) => m.id),
    );
    assert.equal(r.models[0].label, 'Claude Sonnet 4.6');
    assert.deepEqual(server.modelListKeys, ['sk-test']);
  });

  it('falls back to the current built-in list, saying why, without a key or a reachable API', async () => {
    const noKey = await anthropicModels({});
    assert.equal(noKey.source, 'fallback');
    assert.match(noKey.note ?? '', /no API key/);
    const port = await refusedPort();
    const down = await anthropicModels({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}` });
    assert.equal(down.source, 'fallback');
    assert.match(down.note ?? '', /ECONNREFUSED/);
    assert.deepEqual(down.models, ANTHROPIC_FALLBACK_MODELS);
    // The default is the first entry and none is a model retired by 2026-11-30.
    assert.equal(ANTHROPIC_FALLBACK_MODELS[0].id, DEFAULT_ANTHROPIC_MODEL);
    for (const m of ANTHROPIC_FALLBACK_MODELS)
      assert.doesNotMatch(m.id, /claude-(3|sonnet-4-5|opus-4-1|opus-4-0|sonnet-4-0|opus-4$|sonnet-4$)/);
  });

  it("lists an OpenAI-compatible server's models from GET /v1/models", async () => {
    const seen: string[] = [];
    oai = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(req.url === '/v1/models' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: [
            { id: 'qwen2.5-coder:7b', object: 'model', created: 1730000000 },
            { id: 'llama3.1:8b', object: 'model' },
          ],
        }),
      );
    });
    await new Promise<void>((r) => oai!.listen(0, '127.0.0.1', r));
    const { port } = oai.address() as AddressInfo;
    const r = await openAiCompatibleModels({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k2' });
    assert.equal(r.source, 'provider');
    assert.deepEqual(
      r.models.map((m) => m.id),
      ['qwen2.5-coder:7b', 'llama3.1:8b'],
    );
    assert.deepEqual(seen, ['GET /v1/models Bearer k2']);
    const bare = await openAiCompatibleModels({ baseUrl: `http://127.0.0.1:${port}` });
    assert.equal(bare.source, 'provider', 'a base URL without /v1 works too');
  });

  it('a refused connection is reported with its real cause, not as something the API said', async () => {
    const port = await refusedPort();
    const p = new AnthropicProvider({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    await assert.rejects(p.complete({ system: '', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.match(e.message, new RegExp(`could not reach the Anthropic API at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
      assert.doesNotMatch(e.describe(), /reported by the API/);
      return true;
    });
    const o = new OpenAiCompatibleProvider({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    await assert.rejects(
      o.complete({ system: '', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof ProviderError && /ECONNREFUSED/.test(e.message),
    );
  });
});
