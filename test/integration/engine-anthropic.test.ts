import { strict as assert } from 'node:assert';
import { rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSession } from '../../src/core/evolution/session';
import { rejectCandidate } from '../../src/core/evolution/review';
import { allText, startMockAnthropic, lastUserText, type MockAnthropic, type Reply } from '../helpers/anthropic-server';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import type { Workspace } from '../../src/core/store/workspace';

const SR = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;

/** An edit of the parent's ROUNDING line (the parent's code comes first in the prompt). */
function good(req: Parameters<Parameters<typeof startMockAnthropic>[0]>[0], value: string): Reply {
  const line = /^const ROUNDING = [^\n]*$/m.exec(allText(req))![0];
  return {
    kind: 'text',
    text: `HYPOTHESIS: rounding ${value} moves small coefficients to zero\n\n${SR(line, line.replace(/= [0-9.]+;/, `= ${value};`))}`,
    inputTokens: 1000,
    outputTokens: 200,
  };
}

describe('engine: the loop against a scripted Anthropic server', function () {
  this.timeout(300_000);
  let server: MockAnthropic;
  let ws: Workspace;
  after(async () => {
    await server?.close();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  it('classifies good edits, unapplicable edits, prose, invalid code, 429, 529 and a stalled stream, and keeps going', async () => {
    const script: Array<(r: Parameters<Parameters<typeof startMockAnthropic>[0]>[0]) => Reply> = [
      (r) => good(r, '0.3'),
      () => ({ kind: 'text', text: SR('const NOT_IN_THE_FILE = 1;', 'const NOT_IN_THE_FILE = 2;') }),
      (r) => {
        assert.match(lastUserText(r), /Your edit could not be applied/);
        assert.match(lastUserText(r), /NOT_IN_THE_FILE/);
        return good(r, '0.35');
      },
      () => ({ kind: 'text', text: 'You could try a better transform. I am not sure which.' }),
      () => ({ kind: 'text', text: 'Still no code, sorry.' }),
      (r) => {
        const g = good(r, '0.2') as { text: string };
        return { kind: 'text', text: g.text.replace(/= 0\.2;/, "= eval('0.2');") };
      },
      () => ({ kind: 'status', status: 429, errorType: 'rate_limit_error' }),
      (r) => good(r, '0.25'),
      () => ({ kind: 'status', status: 529, errorType: 'overloaded_error' }),
      () => ({ kind: 'status', status: 529, errorType: 'overloaded_error' }),
      () => ({ kind: 'stall' }),
      (r) => good(r, '0.15'),
      (r) => good(r, '0.45'),
    ];
    server = await startMockAnthropic((req, n) => script[n - 1](req));
    ({ ws } = makeEngineWorkspace('ce-anthropic-', (c) => {
      c.provider = { kind: 'anthropic', baseUrl: server.baseURL, model: 'claude-sonnet-4-6' };
    }));
    const events: string[] = [];
    const status = await runSession(ws, {
      generations: 8,
      providerRuntime: { apiKey: 'test', maxRetries: 1, timeoutMs: 10_000, idleTimeoutMs: 5000 },
      onEvent: (t, _data) => events.push(t),
    });
    assert.equal(status.stopReason, 'generation budget reached (8/8)');
    const recs = new Map(ws.listCandidates().map((r) => [r.id, r]));
    const g = (i: number) => recs.get(`g000${i}-0`)!;
    assert.ok(['evaluated', 'pending-review'].includes(g(1).state), JSON.stringify(g(1).failure));
    assert.deepEqual(g(1).tokens, { input: 1000, output: 200, cacheWrite: 0, cacheRead: 0 });
    assert.equal(g(1).costUsd, (1000 * 3 + 200 * 15) / 1e6);
    assert.match(g(1).hypothesis, /rounding 0.3/);
    assert.equal(g(2).repairRounds, 1);
    assert.ok(['evaluated', 'pending-review'].includes(g(2).state), JSON.stringify(g(2).failure));
    assert.equal(g(3).state, 'invalid');
    assert.equal(g(3).failure!.class, 'no-code');
    assert.equal(g(4).state, 'invalid');
    assert.equal(g(4).failure!.class, 'forbidden');
    assert.match(g(4).failure!.message, /eval/);
    assert.ok(['evaluated', 'pending-review'].includes(g(5).state), JSON.stringify(g(5).failure));
    assert.equal(g(6).failure!.class, 'provider');
    assert.match(g(6).failure!.message, /529/);
    assert.equal(g(7).failure!.class, 'provider');
    assert.match(g(7).failure!.message, /stalled/);
    assert.ok(['evaluated', 'pending-review'].includes(g(8).state), JSON.stringify(g(8).failure));
    // Every attempt is on disk: prompt, response, tokens; the spend adds up.
    assert.match(readFileSync(join(ws.candidateDir('g0003-0'), 'response.md'), 'utf8'), /Still no code/);
    const spent = [...recs.values()].reduce((a, r) => a + r.costUsd, 0);
    assert.ok(Math.abs(status.spentUsd - spent) < 1e-12 && spent > 0);
    // Failure analysis reached a later prompt.
    assert.ok(server.requests.slice(6).some((r) => /Recent failures in this lineage/.test(lastUserText(r))));
    assert.equal(events.filter((e) => e === 'candidate-finished').length, 9);

    // A rejection's reason reaches the next prompt.
    const rejectable = [...recs.values()].find((r) => r.state === 'pending-review' || r.state === 'evaluated')!;
    rejectCandidate(ws, rejectable.id, { by: 'person', reason: 'rounding tweaks blur the texture of the tree' });
    const before = server.requests.length;
    await runSession(ws, { generations: 1, providerRuntime: { apiKey: 'test', maxRetries: 1, timeoutMs: 10_000, idleTimeoutMs: 5000 } });
    assert.match(lastUserText(server.requests[before]), /rounding tweaks blur the texture of the tree/);
  });
});
