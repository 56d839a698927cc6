// Cancel kills every child process of the loop (bounded by the test's timeout, never by a clock: under
// load a second means nothing).
import { strict as assert } from 'node:assert';
import { readdirSync, rmSync } from 'node:fs';
import { runSession } from '../../src/core/evolution/session';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import { childPids } from '../helpers/processes';

const children = (): number[] => childPids();

describe('engine: cancellation', function () {
  this.timeout(300_000);
  before(function () {
    try {
      readdirSync('/proc/self');
    } catch {
      this.skip();
    }
  });

  it('aborting the signal stops the loop and leaves no child process', async () => {
    const { ws } = makeEngineWorkspace('ce-cancel-', (c) => {
      c.evolution.concurrency = 2;
      c.evolution.candidatesPerGeneration = 2;
    });
    try {
      const ac = new AbortController();
      const run = runSession(ws, { generations: 20, signal: ac.signal });
      let settled: string | undefined;
      run.then(
        (s) => {
          settled = `ended early: ${s.stopReason}`;
        },
        (e) => {
          settled = `failed: ${(e as Error).message}`;
        },
      );
      // Wait until the loop is inside candidate evaluations of generation 1 with children running.
      // Waits on the workspace's events, bounded by the test's own timeout, not by a clock.
      for (;;) {
        assert.equal(settled, undefined, 'the loop ended before any candidate ran');
        const started = ws.events.read().events.some((e) => e.type === 'evaluation-started' && String(e.id).startsWith('g'));
        if (started && children().length) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(children().length > 0, 'children were running');
      ac.abort();
      const status = await run;
      // SIGKILLed children vanish once reaped; wait for that rather than a deadline (a child that
      // survives fails the test by its timeout).
      while (children().length) await new Promise((r) => setTimeout(r, 20));
      assert.equal(status.stopReason, 'cancelled');
      // The interrupted candidates stay 'proposed' and are evaluated on resume.
      assert.ok(ws.listCandidates().some((r) => r.state === 'proposed'));
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});
