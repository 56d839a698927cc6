import { strict as assert } from 'node:assert';
import { ProgramDatabase, type Program } from '../../src/core/evolution/database';
import { paretoFront } from '../../src/core/evolution/pareto';
import { rng } from '../../src/core/rng';
import { budgetExceeded } from '../../src/core/evolution/budget';
import { judge, stateAfterEvaluation, canReview } from '../../src/core/evolution/adoption';
import { detectStagnation, nextStrategy } from '../../src/core/evolution/stagnation';
import { analyzeFailures } from '../../src/core/evolution/failure-analysis';
import type { CandidateFailure, CandidateRecord } from '../../src/core/store/records';

const prog = (id: string, island: number, score: number, enc = 10, dec = 10): Program => ({
  id,
  island,
  generation: 1,
  score,
  encodeMs: enc,
  decodeMs: dec,
  codeHash: id,
});

describe('engine: program database and selection', () => {
  it('the root lives on every island; islands keep their own members', () => {
    const db = new ProgramDatabase({ islands: 3, archiveSize: 4, migrationInterval: 2 });
    db.addRoot(prog('root', 0, 10));
    db.add(prog('a', 1, 5));
    assert.deepEqual(
      db.island(0).map((p) => p.id),
      ['root'],
    );
    assert.deepEqual(
      db
        .island(1)
        .map((p) => p.id)
        .sort(),
      ['a', 'root'],
    );
    assert.deepEqual(
      db.island(2).map((p) => p.id),
      ['root'],
    );
  });

  it('migration copies each island best to the next island (ring)', () => {
    const db = new ProgramDatabase({ islands: 3, archiveSize: 4, migrationInterval: 2 });
    db.addRoot(prog('root', 0, 10));
    db.add(prog('a', 1, 5));
    db.add(prog('b', 2, 3));
    const moves = db.migrate();
    assert.deepEqual(moves.map((m) => `${m.id}:${m.from}->${m.to}`).sort(), ['a:1->2', 'b:2->0']);
    assert.ok(db.island(0).some((p) => p.id === 'b'));
  });

  it('tournament selection favours better programs, with a known frequency', () => {
    const db = new ProgramDatabase({ islands: 1, archiveSize: 2, migrationInterval: 5 });
    db.addRoot(prog('root', 0, 10));
    for (let i = 0; i < 9; i++) db.add(prog(`p${i}`, 0, i));
    const r = rng(42);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const p = db.selectParent(0, r, 0);
      counts.set(p.id, (counts.get(p.id) ?? 0) + 1);
    }
    // Best (p0, score 0) is picked far more often than the worst (root, score 10).
    assert.ok((counts.get('p0') ?? 0) > 4 * (counts.get('root') ?? 0), JSON.stringify([...counts]));
    // The same seed gives the same sequence (resume replays selection).
    const a = rng(7),
      b = rng(7);
    for (let i = 0; i < 20; i++) assert.equal(db.selectParent(0, a).id, db.selectParent(0, b).id);
  });

  it('archive keeps the best distinct programs; inspirations exclude the parent', () => {
    const db = new ProgramDatabase({ islands: 2, archiveSize: 2, migrationInterval: 5 });
    db.addRoot(prog('root', 0, 10));
    db.add(prog('a', 0, 1));
    db.add({ ...prog('a2', 1, 1), codeHash: 'a' });
    db.add(prog('b', 1, 2));
    assert.deepEqual(
      db.archive().map((p) => p.id),
      ['a', 'b'],
    );
    const ins = db.inspirations(db.get('a')!, rng(1), 3);
    assert.ok(!ins.some((p) => p.id === 'a' || p.codeHash === 'a'));
  });

  it('Pareto front over BD-rate, encode and decode time', () => {
    const f = paretoFront([
      { id: 'fast', bdRate: 5, encodeMs: 1, decodeMs: 1 },
      { id: 'good', bdRate: 1, encodeMs: 9, decodeMs: 9 },
      { id: 'dominated', bdRate: 6, encodeMs: 2, decodeMs: 2 },
      { id: 'mid', bdRate: 3, encodeMs: 5, decodeMs: 5 },
    ])
      .map((x) => x.id)
      .sort();
    assert.deepEqual(f, ['fast', 'good', 'mid']);
  });
});

describe('engine: budgets, adoption, stagnation, failure analysis', () => {
  it('budgets stop on generations, wall time and dollars', () => {
    assert.equal(budgetExceeded({}, { generations: 100, elapsedMs: 1e9, usd: 1e3 }), undefined);
    assert.match(budgetExceeded({ generations: 3 }, { generations: 3, elapsedMs: 0, usd: 0 })!, /generation budget/);
    assert.equal(budgetExceeded({ generations: 3 }, { generations: 2, elapsedMs: 0, usd: 0 }), undefined);
    assert.match(budgetExceeded({ wallMinutes: 1 }, { generations: 0, elapsedMs: 60_000, usd: 0 })!, /wall-time/);
    assert.match(budgetExceeded({ usd: 0.5 }, { generations: 0, elapsedMs: 0, usd: 0.5 })!, /spend budget/);
    assert.equal(budgetExceeded({ usd: 0.5 }, { generations: 0, elapsedMs: 0, usd: 0.49 }), undefined);
  });

  it('adoption: a gain must exceed the noise margin and held-out must not regress', () => {
    assert.equal(judge({ training: -10.3 }, { training: -10 }, 0.2).improved, true);
    assert.equal(judge({ training: -10.1 }, { training: -10 }, 0.2).improved, false);
    assert.equal(judge({ training: -12, heldOut: 5 }, { training: -10, heldOut: 4 }, 0.2).improved, false);
    assert.equal(judge({ training: -12, heldOut: 4.1 }, { training: -10, heldOut: 4 }, 0.2).improved, true);
    const better = judge({ training: -12 }, { training: -10 }, 0.2);
    assert.equal(stateAfterEvaluation(better, 'review'), 'pending-review');
    assert.equal(stateAfterEvaluation(better, 'auto'), 'adopted');
    assert.equal(stateAfterEvaluation(better, 'off'), 'evaluated');
    assert.equal(stateAfterEvaluation(judge({ training: -9 }, { training: -10 }, 0.2), 'auto'), 'evaluated');
    assert.equal(canReview('pending-review', 'adopted'), true);
    assert.equal(canReview('failed', 'adopted'), false);
    assert.equal(canReview('adopted', 'rejected'), false);
  });

  it('adoption verdicts say worse, within noise or better, by how many BD-rate points', () => {
    const o = { margin: 0.2, objective: 'psnrYuv' as const };
    const worse = judge({ training: 1.234 }, { training: -2.165 }, o);
    assert.equal(worse.reason, 'PSNR-YUV BD-rate +1.234 % vs -2.165 %: worse by 3.399 points');
    const slightlyWorse = judge({ training: -2.1 }, { training: -2.165 }, o);
    assert.equal(slightlyWorse.reason, 'PSNR-YUV BD-rate -2.100 % vs -2.165 %: worse by 0.065 points, within the 0.2-point noise margin');
    const noise = judge({ training: -2.265 }, { training: -2.165 }, o);
    assert.equal(noise.reason, 'PSNR-YUV BD-rate -2.265 % vs -2.165 %: better by 0.100 points, within the 0.2-point noise margin');
    assert.equal(
      judge({ training: -2.165 }, { training: -2.165 }, o).reason,
      'PSNR-YUV BD-rate -2.165 % vs -2.165 %: no change, within the 0.2-point noise margin',
    );
    const better = judge({ training: -3.5 }, { training: -2.165 }, o);
    assert.equal(better.improved, true);
    assert.equal(better.reason, 'PSNR-YUV BD-rate -3.500 % vs -2.165 %: better by 1.335 points');
    const heldOut = judge({ training: -3.5, heldOut: 2 }, { training: -2.165, heldOut: 1 }, o);
    assert.equal(
      heldOut.reason,
      'PSNR-YUV BD-rate -3.500 % vs -2.165 %: better by 1.335 points, but the held-out clips are worse (+2.000 % vs +1.000 %)',
    );
    for (const v of [worse, slightlyWorse, noise, better, heldOut]) assert.doesNotMatch(v.reason, /gain -/);
  });

  it('stagnation: flat best for N generations, or identical scores; strategy escalates', () => {
    assert.equal(detectStagnation({ bestByGeneration: [5, 4, 3, 2], recentScores: [1, 2, 3], generations: 3 }).stagnant, false);
    const s = detectStagnation({ bestByGeneration: [5, 4, 4, 4, 4], recentScores: [1, 2, 3], generations: 3 });
    assert.equal(s.stagnant, true);
    assert.equal(s.sinceGenerations, 3);
    assert.equal(detectStagnation({ bestByGeneration: [5, 4], recentScores: [2, 2, 2, 2], generations: 3 }).stagnant, true);
    assert.equal(nextStrategy('refine', true), 'explore-island');
    assert.equal(nextStrategy('explore-island', true), 'large-mutation');
    assert.equal(nextStrategy('large-mutation', true), 'full-rewrite');
    assert.equal(nextStrategy('full-rewrite', false), 'refine');
  });

  it('failure analysis counts classes, keeps the commonest messages, writes guidance', () => {
    const mk = (id: string, cls?: CandidateFailure['class'], message = 'boom'): CandidateRecord => ({
      id,
      generation: 1,
      slot: 0,
      island: 0,
      parentId: 'root',
      inspirationIds: [],
      state: cls ? 'failed' : 'evaluated',
      createdAt: id,
      updatedAt: id,
      provider: 'x',
      strategy: 'refine',
      hypothesis: '',
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      repairRounds: 0,
      ...(cls ? { failure: { class: cls, message } } : {}),
    });
    const s = analyzeFailures(
      [mk('1', 'runtime', 'a'), mk('2', 'runtime', 'a'), mk('3', 'runtime', 'b'), mk('4', 'edit-failed'), mk('5')],
      10,
    );
    assert.equal(s.failures, 4);
    assert.equal(s.byClass[0].class, 'runtime');
    assert.equal(s.byClass[0].count, 3);
    assert.deepEqual(s.byClass[0].messages[0], { message: 'a', count: 2 });
    assert.match(s.guidance, /4 of the last 5 attempts failed \(80 %\)/);
    assert.equal(analyzeFailures([mk('1')]).guidance, '');
  });
});
