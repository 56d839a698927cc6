// A candidate interrupted by Stop (state 'proposed', code written, not evaluated): the next run with the
// same provider resumes it and says so, without counting that generation against the budget (it asked
// the model nothing); with another provider it is proposed afresh, and the run says that. The status's
// "best" is never a candidate a person rejected.
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { runSession } from '../../src/core/evolution/session';
import { rejectCandidate } from '../../src/core/evolution/review';
import type { CandidateRecord } from '../../src/core/store/records';
import type { Workspace } from '../../src/core/store/workspace';
import { makeEngineWorkspace } from '../helpers/engine-workspace';

/** What Stop leaves behind: generation 2's candidate proposed (by `provider`) but never evaluated. */
function interrupted(ws: Workspace, provider: string): CandidateRecord {
  const first = ws.readCandidate('g0001-0');
  const rec: CandidateRecord = {
    ...first,
    id: 'g0002-0',
    generation: 2,
    state: 'proposed',
    provider,
    model: provider === 'anthropic' ? 'claude-sonnet-4-6' : undefined,
    hypothesis: 'interrupted by Stop',
    tokens: { input: 1200, output: 300 },
    costUsd: 0.0081,
    metrics: undefined,
    verdict: undefined,
    failure: undefined,
    review: undefined,
    parentBdRate: undefined,
  };
  const code = ws.readCandidateFile('g0001-0', 'code.js')!.replace(/\n$/, '\n// interrupted proposal\n');
  ws.writeCandidateFile(rec.id, 'code.js', code);
  ws.writeCandidate(rec);
  return rec;
}

describe('engine: resuming after Stop', function () {
  this.timeout(600_000);
  const roots: string[] = [];
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('the same provider resumes the interrupted candidate, says so, and still runs a generation of new proposals', async () => {
    const { ws } = makeEngineWorkspace('ce-resume-same-');
    roots.push(ws.root);
    await runSession(ws, { generations: 1 });
    interrupted(ws, 'offline');
    const events: Array<{ type: string; d: Record<string, unknown> }> = [];
    const status = await runSession(ws, {
      generations: 1,
      onEvent: (type, d) => events.push({ type, d: d as unknown as Record<string, unknown> }),
    });
    const resumed = events.find((e) => e.type === 'candidate-resumed');
    assert.ok(resumed, events.map((e) => e.type).join(' '));
    assert.equal(resumed.d.id, 'g0002-0');
    assert.match(
      String(resumed.d.message),
      /resuming g0002-0, proposed by offline before the run stopped: evaluating it without asking the model again/,
    );
    assert.notEqual(ws.readCandidate('g0002-0').state, 'proposed');
    assert.equal(ws.readCandidate('g0002-0').hypothesis, 'interrupted by Stop', 'the interrupted proposal itself was evaluated');
    // The resumed generation asked the model nothing: the budget's one generation is a new one.
    assert.equal(ws.listCandidates().filter((c) => c.generation === 3).length, 1, 'generation 3 was proposed');
    assert.equal(status.stopReason, 'generation budget reached (1/1)');
    assert.ok(
      ws.events.read().events.some((e) => e.type === 'candidate-resumed' && e.id === 'g0002-0'),
      'the event log says which',
    );
  });

  it('another provider proposes the interrupted candidate afresh, says so, and keeps what the interrupted call cost', async () => {
    const { ws } = makeEngineWorkspace('ce-resume-other-');
    roots.push(ws.root);
    await runSession(ws, { generations: 1 });
    interrupted(ws, 'anthropic');
    const events: Array<{ type: string; d: Record<string, unknown> }> = [];
    const status = await runSession(ws, {
      generations: 1,
      onEvent: (type, d) => events.push({ type, d: d as unknown as Record<string, unknown> }),
    });
    const again = events.find((e) => e.type === 'candidate-reproposed');
    assert.ok(again, events.map((e) => e.type).join(' '));
    assert.match(String(again.d.message), /g0002-0 was proposed by anthropic before the run stopped; offline proposes it afresh/);
    assert.ok(!events.some((e) => e.type === 'candidate-resumed'));
    const rec = ws.readCandidate('g0002-0');
    assert.equal(rec.provider, 'offline');
    assert.notEqual(rec.hypothesis, 'interrupted by Stop');
    assert.notEqual(rec.state, 'proposed');
    assert.ok(Math.abs(rec.costUsd - 0.0081) < 1e-12, `the interrupted call's cost stays counted: ${rec.costUsd}`);
    assert.equal(status.stopReason, 'generation budget reached (1/1)');
    assert.equal(ws.listCandidates().filter((c) => c.generation === 3).length, 0, 'the re-proposed generation was the one generation');
  });

  it('a rejected candidate is never the reported best', async () => {
    const { ws } = makeEngineWorkspace('ce-best-rejected-', (c) => {
      c.evolution.adoptionPolicy = 'off';
    });
    roots.push(ws.root);
    await runSession(ws, { generations: 1 });
    // Make g0001-0 the best by far, then have a person reject it.
    const rec = ws.readCandidate('g0001-0');
    assert.ok(rec.metrics?.trainingBdRate !== undefined, JSON.stringify(rec.failure));
    ws.writeCandidate({ ...rec, state: 'pending-review', metrics: { ...rec.metrics!, trainingBdRate: -99 } });
    rejectCandidate(ws, 'g0001-0', { by: 'person', reason: 'the gain is a measurement artefact' });
    const status = await runSession(ws, { generations: 1 });
    assert.ok(status.best, 'there is a best');
    assert.notEqual(status.best.id, 'g0001-0');
    assert.ok(status.best.trainingBdRate > -99);
  });
});
