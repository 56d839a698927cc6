import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { blockGains, chooseFocus } from '../../src/core/evolution/focus';
import { runSession } from '../../src/core/evolution/session';
import { blockNames } from '../../src/core/codec/blocks';
import { makeEngineWorkspace } from '../helpers/engine-workspace';

const blocks = ['quantiser', 'transform', 'entropy-coding', 'block-coding', 'frame-coding'];
const scored = (generation: number, changedBlocks: string[], parentBdRate: number, bd: number) => ({
  generation,
  slot: 0,
  changedBlocks,
  parentBdRate,
  metrics: { trainingBdRate: bd, training: [], smokeOk: true, encodeMs: 0, decodeMs: 0, evaluationMs: 0 },
});

describe('engine: focus block', () => {
  it('rotates over the blocks while nothing has paid off', () => {
    const picks = [0, 1, 2, 3, 4, 5].map((turn) => chooseFocus({ blocks, records: [], generation: 3, turn, seed: 9, margin: 0.2 })!.block);
    assert.deepEqual(picks, [...blocks, blocks[0]]);
    assert.equal(chooseFocus({ blocks: [], records: [], generation: 1, turn: 0, seed: 1, margin: 0.2 }), undefined);
  });

  it('prefers blocks whose recent edits gained, from completed generations only, and is a function of the seed', () => {
    const records = [
      scored(1, ['entropy-coding'], 40, 37), // gained 3 points
      scored(1, ['transform', 'quantiser'], 40, 39), // 1 point shared by two blocks
      scored(2, ['frame-coding'], 40, 40.1), // lost: no credit
      scored(5, ['block-coding'], 40, 20), // a later generation: not known when generation 3 was planned
    ];
    const gains = blockGains({ blocks, records, generation: 3, margin: 0.2 });
    assert.deepEqual([...gains.entries()].sort(), [
      ['entropy-coding', 3],
      ['quantiser', 0.5],
      ['transform', 0.5],
    ]);
    const picks = Array.from({ length: 400 }, (_, i) =>
      chooseFocus({ blocks, records, generation: 3, turn: i, seed: 1000 + i, margin: 0.2 })!,
    );
    const count = (b: string) => picks.filter((p) => p.block === b).length;
    // Half the proposals follow the gains (3 : 0.5 : 0.5), the rest rotate evenly over five blocks.
    assert.ok(count('entropy-coding') > 170 && count('entropy-coding') < 250, String(count('entropy-coding')));
    assert.ok(count('block-coding') > 20 && count('block-coding') < 70, String(count('block-coding')));
    assert.match(picks.find((p) => p.block === 'entropy-coding' && /gained/.test(p.reason))!.reason, /gained 3\.00 BD-rate points/);
    const again = Array.from({ length: 400 }, (_, i) =>
      chooseFocus({ blocks, records, generation: 3, turn: i, seed: 1000 + i, margin: 0.2 })!,
    );
    assert.deepEqual(again, picks);
  });

  it('the engine records a focus per proposal, and a resumed generation focuses as the interrupted one did', async function () {
    this.timeout(300_000);
    const { ws } = makeEngineWorkspace('ce-focus-', (c) => {
      c.evolution.candidatesPerGeneration = 2;
      c.evolution.concurrency = 1;
    });
    try {
      await runSession(ws, { generations: 2 });
      const first = ws
        .listCandidates()
        .filter((r) => r.generation > 0)
        .map((r) => [r.id, r.focusBlock]);
      const names = blockNames(ws.candidateCode(ws.listCandidates()[0].id));
      assert.equal(first.length, 4);
      for (const [, f] of first) assert.ok(names.includes(f!), String(f));
      assert.ok(new Set(first.map(([, f]) => f)).size >= 2, 'the focus moves');
      // Forget generation 2 as a crash before its records were written would: it is proposed again.
      for (const id of ['g0002-0', 'g0002-1']) rmSync(ws.candidateDir(id), { recursive: true, force: true });
      // Such a crash leaves no log lines for them either (the log is the source of truth: a candidate it
      // says finished is never proposed again, even when its folder is gone).
      const lost = new Set(['g0002-0', 'g0002-1']);
      writeFileSync(
        ws.events.path,
        readFileSync(ws.events.path, 'utf8')
          .split('\n')
          .filter((l) => !l.trim() || !lost.has(JSON.parse(l).id))
          .join('\n'),
      );
      await runSession(ws, { untilGeneration: 2 });
      assert.deepEqual(
        ws
          .listCandidates()
          .filter((r) => r.generation > 0)
          .map((r) => [r.id, r.focusBlock]),
        first,
      );
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});
