// The cascade's last stage: held-out clips run only for candidates that beat their parent, and their
// numbers never reach a prompt.
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { runSession } from '../../src/core/evolution/session';
import { makeEngineWorkspace, TREE_CLIP } from '../helpers/engine-workspace';

describe('engine: held-out clips', function () {
  this.timeout(300_000);
  it('run only for candidates that beat their parent and stay out of prompts', async () => {
    const { ws } = makeEngineWorkspace('ce-heldout-', (c) => {
      c.clips.heldOut = [{ path: TREE_CLIP, frames: 4 }];
    });
    try {
      const warnings: string[] = [];
      await runSession(ws, {
        generations: 5,
        onEvent: (t, d) => {
          if (t === 'warning') warnings.push(String(d.message));
        },
      });
      assert.ok(!warnings.some((w) => w.startsWith('no held-out')), warnings.join('\n'));
      const recs = ws.listCandidates();
      const root = recs.find((r) => r.parentId === null)!;
      assert.ok(root.metrics?.heldOutBdRate !== undefined, 'the root is measured on held-out clips as the reference');
      const byId = new Map(recs.map((r) => [r.id, r]));
      for (const r of recs.filter((x) => x.parentId !== null && x.metrics?.trainingBdRate !== undefined)) {
        const parent = byId.get(r.parentId!)!;
        const beat = r.metrics!.trainingBdRate! < parent.metrics!.trainingBdRate! - ws.readConfig().evolution.noiseMarginPercent;
        assert.equal(
          r.metrics!.heldOutBdRate !== undefined,
          beat,
          `${r.id}: held-out run ${r.metrics!.heldOutBdRate !== undefined}, beat parent ${beat}`,
        );
      }
      const heldValues = recs.map((r) => r.metrics?.heldOutBdRate).filter((x): x is number => x !== undefined);
      for (const r of recs) {
        const prompt = ws.readCandidateFile(r.id, 'prompt.md') ?? '';
        for (const v of heldValues)
          assert.ok(!prompt.includes(v.toFixed(3)) && !prompt.includes(v.toFixed(2) + ' %'), `${r.id}'s prompt holds a held-out number`);
      }
      assert.equal(recs.length, 6);
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });

  it('a run without held-out clips says once that gains are judged on training clips only', async () => {
    const { ws } = makeEngineWorkspace('ce-noheld-', (c) => {
      c.clips.heldOut = [];
    });
    const controller = new AbortController();
    const warnings: string[] = [];
    try {
      // The warning comes at run start; stop there instead of paying for an evaluation.
      await runSession(ws, {
        generations: 1,
        signal: controller.signal,
        onEvent: (t, d) => {
          if (t === 'warning') {
            warnings.push(String(d.message));
            controller.abort();
          }
        },
      }).catch(() => undefined);
      assert.equal(warnings.filter((w) => w.startsWith('no held-out clips')).length, 1, warnings.join('\n'));
      assert.match(warnings[0], /--held-out FILE/);
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});
