import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { runSession } from '../../src/core/evolution/session';
import { allText, lastUserText, startMockAnthropic, type MockAnthropic } from '../helpers/anthropic-server';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import type { Workspace } from '../../src/core/store/workspace';

describe('engine: a reply cut off at max_tokens', function () {
  this.timeout(300_000);
  let server: MockAnthropic;
  let ws: Workspace;
  after(async () => {
    await server?.close();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  it('is the failure class truncated, and its repair prompt asks for smaller edits', async () => {
    server = await startMockAnthropic((req, n) => {
      const line = /^const ROUNDING = [^\n]*$/m.exec(allText(req))![0];
      const edit = `HYPOTHESIS: a wider dead zone\n\n<<<<<<< SEARCH\n${line}\n=======\n${line.replace(/= [0-9.]+;/, '= 0.3;')}\n>>>>>>> REPLACE`;
      if (n === 1 || n === 3) return { kind: 'text', text: edit.slice(0, 60), outputTokens: 8192, stopReason: 'max_tokens' };
      if (n === 2) {
        assert.match(lastUserText(req), /cut off at the output limit after 8192 tokens/);
        assert.match(lastUserText(req), /REPLACE BLOCK/);
        return { kind: 'text', text: edit };
      }
      return { kind: 'text', text: edit.slice(0, 60), outputTokens: 8192, stopReason: 'max_tokens' };
    });
    ({ ws } = makeEngineWorkspace('ce-truncated-', (c) => {
      c.provider = { kind: 'anthropic', baseUrl: server.baseURL, model: 'claude-sonnet-4-6' };
    }));
    await runSession(ws, { generations: 2, providerRuntime: { apiKey: 'test', maxRetries: 0, timeoutMs: 10_000 } });
    const [first, second] = ws.listCandidates().filter((r) => r.generation > 0);
    assert.equal(first.repairRounds, 1);
    assert.ok(['evaluated', 'pending-review'].includes(first.state), JSON.stringify(first.failure));
    assert.equal(second.state, 'invalid');
    assert.equal(second.failure!.class, 'truncated');
    assert.match(second.failure!.message, /cut off at the output limit \(8192 output tokens, stop reason max_tokens\)/);
  });
});
