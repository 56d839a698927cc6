// Cancel kills every child process of the loop within a second.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { runSession } from '../../src/core/evolution/session';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import { childPids } from '../helpers/processes';

const children = (): number[] => childPids();

describe('engine: cancellation', function () {
  this.timeout(300_000);
  before(function () { try { readdirSync('/proc/self'); } catch { this.skip(); } });

  it('aborting the signal stops the loop and leaves no child process after 1 s', async () => {
    const { ws } = makeEngineWorkspace('ce-cancel-', (c) => { c.evolution.concurrency = 2; c.evolution.candidatesPerGeneration = 2; });
    try {
      const ac = new AbortController();
      const run = runSession(ws, { generations: 20, signal: ac.signal });
      // Wait until the loop is inside candidate evaluations of generation 1 with children running.
      const t0 = Date.now();
      while (Date.now() - t0 < 120_000) {
        const started = ws.events.read().events.some((e) => e.type === 'evaluation-started' && String(e.id).startsWith('g'));
        if (started && children().length) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(children().length > 0, 'children were running');
      const abortAt = Date.now();
      ac.abort();
      let goneAt: number | undefined;
      while (Date.now() - abortAt < 5000) {
        if (!children().length) { goneAt = Date.now(); break; }
        await new Promise((r) => setTimeout(r, 10));
      }
      const alive = children().map((p) => { try { return `${p}: ${readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").slice(0, 160)}`; } catch { return String(p); } });
      assert.ok(goneAt !== undefined && goneAt - abortAt <= 1000, `children still alive ${Date.now() - abortAt} ms after cancel: ${alive.join("; ")}`);
      const status = await run;
      assert.equal(status.stopReason, 'cancelled');
      // The interrupted candidates stay 'proposed' and are evaluated on resume.
      assert.ok(ws.listCandidates().some((r) => r.state === 'proposed'));
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});
