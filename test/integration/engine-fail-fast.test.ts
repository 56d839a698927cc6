// Fail fast: an endless loop costs max(5 s, 8 × the parent's time on the same clip and stage), not the
// full sandbox limit. The class and the limit used are asserted, not the test's own wall clock.
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { runSession } from '../../src/core/evolution/session';
import { failFastLimitMs, FAIL_FAST_FLOOR_MS } from '../../src/core/evolution/time-limit';
import type { CandidateRecord } from '../../src/core/store/records';
import type { Workspace } from '../../src/core/store/workspace';
import { lastUserText, startMockAnthropic, type MockAnthropic } from '../helpers/anthropic-server';
import { makeEngineWorkspace } from '../helpers/engine-workspace';

const SR = (search: string, replace: string) => `<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE`;
const CLIP = 'tree_building_80x44_15f';

function parentWith(stage: 'smoke' | 'training', times: Array<[number, number]>): CandidateRecord {
  const clips = [
    { clip: CLIP, bdRate: {}, points: times.map(([encodeMs, decodeMs]) => ({ bytes: 1, kbps: 1, psnrY: 30, encodeMs, decodeMs })) },
  ];
  return {
    metrics: {
      smokeOk: true,
      encodeMs: 0,
      decodeMs: 0,
      evaluationMs: 0,
      training: stage === 'training' ? clips : [],
      ...(stage === 'smoke' ? { smoke: clips } : {}),
    },
  } as unknown as CandidateRecord;
}

describe('fail fast: per-process time limits from the parent', function () {
  this.timeout(300_000);

  it("is max(5 s, 8 × the parent's slowest encode or decode on that clip and stage), capped by the sandbox limit", () => {
    assert.equal(failFastLimitMs(parentWith('smoke', [[40, 12]]), 'smoke', CLIP, 60_000), FAIL_FAST_FLOOR_MS);
    assert.equal(
      failFastLimitMs(
        parentWith('training', [
          [900, 300],
          [1500, 400],
        ]),
        'training',
        CLIP,
        60_000,
      ),
      12_000,
    );
    assert.equal(failFastLimitMs(parentWith('training', [[20_000, 300]]), 'training', CLIP, 60_000), 60_000);
    // No measurement on that clip or stage (the root, an older record): the configured limit.
    assert.equal(failFastLimitMs(parentWith('training', [[900, 300]]), 'smoke', CLIP, 60_000), 60_000);
    assert.equal(failFastLimitMs(parentWith('training', [[900, 300]]), 'training', 'another_clip', 60_000), 60_000);
    assert.equal(failFastLimitMs(undefined, 'training', CLIP, 45_000), 45_000);
  });

  let server: MockAnthropic | undefined;
  let ws: Workspace | undefined;
  after(async () => {
    await server?.close();
    if (ws) rmSync(ws.root, { recursive: true, force: true });
  });

  it('classes an endless-loop candidate on a 4-frame clip as timeout under the computed limit (local pool)', async () => {
    // The parent's ROUNDING constant becomes an object whose conversion never returns: the module loads,
    // and encode spins when it first multiplies by it.
    server = await startMockAnthropic((req) => {
      const line = /^const ROUNDING = [^\n]*$/m.exec(lastUserText(req))![0];
      return {
        kind: 'text',
        text: `HYPOTHESIS: spin\n\n${SR(line, "const ROUNDING = { valueOf() { for (;;) { /* a model's endless loop */ } } };")}`,
      };
    });
    ({ ws } = makeEngineWorkspace('ce-failfast-', (c) => {
      c.provider = { kind: 'anthropic', baseUrl: server!.baseURL, model: 'claude-sonnet-4-6' };
      c.clips.smoke.frames = 4;
      c.clips.training[0].frames = 4;
      c.limits = { timeoutMs: 120_000 };
    }));
    await runSession(ws, { generations: 1, providerRuntime: { apiKey: 'test', maxRetries: 0, timeoutMs: 10_000 } });
    const root = ws.readCandidate('v0001-root');
    const rec = ws.readCandidate('g0001-0');
    assert.equal(rec.failure?.class, 'timeout', JSON.stringify(rec.failure));
    assert.equal(rec.failure?.stage, 'smoke');
    // The limit the engine computed from the root's own smoke run on this clip…
    const times = root.metrics!.smoke!.find((c) => c.clip === CLIP)!.points.flatMap((p) => [p.encodeMs, p.decodeMs]);
    const expected = Math.min(120_000, Math.max(5000, Math.ceil(8 * Math.max(...times))));
    assert.equal(rec.timeLimitsMs?.smoke?.[CLIP], expected);
    assert.ok(expected < 10_000, `the computed limit ${expected} ms is not under 10 s`);
    // …is the one the sandbox enforced (its message names it), not the configured 120 s.
    assert.match(rec.failure!.message, new RegExp(`within ${expected} ms`));
    assert.equal(root.timeLimitsMs?.smoke?.[CLIP], 120_000, 'the root has no parent: the configured limit');
  });
});
