// The workspace's sandbox memory limit (config.json limits.memoryMb, codecEvolution.sandbox.memoryMb)
// reaches the sandbox children of a local evaluation: real children, a real clip, candidates that
// really hold 300 MB. The queue path (the job carries the limit to `codec-evolve worker`) is in queue.test.ts.
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createEvaluator } from '../../src/core/evolution/cascade';
import type { StageResult } from '../../src/core/evolution/evaluator';
import { packageRoot } from '../../src/core/paths';
import { makeEngineWorkspace, TREE_CLIP } from '../helpers/engine-workspace';
import { workerBundle } from '../helpers/sandbox-helpers';

const candidate = (name: string) => readFileSync(join(packageRoot(), 'test/fixtures/candidates/memory', name), 'utf8');

async function smoke(file: string, memoryMb: number): Promise<StageResult> {
  const { ws, config } = makeEngineWorkspace('ce-memlimit-', (c) => {
    c.limits = { timeoutMs: 120_000, memoryMb };
  });
  try {
    return await createEvaluator(ws, config)(candidate(file), { stage: 'smoke', clips: [{ path: TREE_CLIP, frames: 2 }], references: [] });
  } finally {
    rmSync(ws.root, { recursive: true, force: true });
  }
}

const failure = (r: StageResult) => (r.ok ? 'ok' : `${r.failure.class}: ${r.failure.message}`);

describe('sandbox: the configured memory limit reaches a local evaluation', function () {
  this.timeout(300_000);
  before(() => workerBundle());

  it('300 MB of JavaScript heap: memory at memoryMb 200 (the heap cap), passes at 1024', async () => {
    const low = await smoke('heap-300mb.js', 200);
    assert.equal(low.ok, false, 'passed at a 200 MB limit');
    assert.equal(!low.ok && low.failure.class, 'memory', failure(low));
    assert.match(failure(low), /200 MB JavaScript heap cap/);
    const high = await smoke('heap-300mb.js', 1024);
    assert.equal(high.ok, true, failure(high));
  });

  it('a touched 300 MB typed array (outside the heap): memory at memoryMb 100 (resident cap 2 × 100), passes at 1024', async () => {
    const low = await smoke('typed-300mb.js', 100);
    assert.equal(low.ok, false, 'passed at a 100 MB limit');
    assert.equal(!low.ok && low.failure.class, 'memory', failure(low));
    assert.match(failure(low), /resident memory, over the 20\d MB cap/);
    const high = await smoke('typed-300mb.js', 1024);
    assert.equal(high.ok, true, failure(high));
  });
});
