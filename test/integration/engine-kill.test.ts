// kill -9 of the loop process at random points, repeated: the workspace stays consistent and a final
// run completes with nothing lost (every generation has its candidates) and nothing evaluated twice.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distFile } from '../../src/core/paths';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import { Workspace } from '../../src/core/store/workspace';
import { TERMINAL_STATES } from '../../src/core/store/records';

const TRIALS = 10;
// Enough generations that the work outlasts the killed runs on a quiet machine too (each one makes some
// progress before its kill; with too little work the later runs find it done and exit on their own).
const UNTIL = 10;

/** Runs evolve; when `killAfterEvents` is given, kill -9s it once the event log has grown by that many
 * lines (plus a random delay), so kills land at random points of the loop rather than during start-up. */
function runCli(ws: Workspace, killAfterEvents?: number): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const lines = () => (existsSync(ws.events.path) ? readFileSync(ws.events.path, 'utf8').split('\n').length : 0);
    const start = lines();
    // Its own process group, so kill -9 takes the sandbox children with it, as a crash of the machine would.
    const child = spawn(process.execPath, [distFile('cli.js'), 'evolve', '--until-generation', String(UNTIL)], {
      cwd: ws.root,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c) => {
      stderr += c;
    });
    let poll: NodeJS.Timeout | undefined;
    if (killAfterEvents !== undefined) {
      poll = setInterval(() => {
        if (lines() - start < killAfterEvents) return;
        clearInterval(poll);
        setTimeout(
          () => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* already gone */
            }
          },
          Math.floor(Math.random() * 200),
        );
      }, 20);
    }
    child.on('close', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code, signal, stderr });
    });
  });
}

function checkConsistent(ws: Workspace): void {
  // Every record parses and has a known state; every state but 'proposed' is final for the engine.
  const recs = ws.listCandidates();
  for (const r of recs) {
    assert.ok(r.state === 'proposed' || TERMINAL_STATES.includes(r.state), `${r.id}: ${r.state}`);
    if (r.state !== 'proposed' && r.state !== 'invalid')
      assert.ok(existsSync(join(ws.candidateDir(r.id), 'code.js')), `${r.id} lost its code`);
  }
  for (const d of readdirSync(ws.candidatesDir)) assert.ok(!d.endsWith('.tmp'), `temp file left: ${d}`);
}

describe('engine: kill -9 at random points, then resume', function () {
  this.timeout(600_000);
  it(`loses nothing and evaluates nothing twice over ${TRIALS} kills`, async () => {
    const { ws } = makeEngineWorkspace('ce-kill-', (c) => {
      c.evolution.candidatesPerGeneration = 2;
      c.evolution.concurrency = 2;
    });
    try {
      let killed = 0;
      for (let t = 0; t < TRIALS; t++) {
        const r = await runCli(ws, 2 + Math.floor(Math.random() * 10));
        if (r.signal === 'SIGKILL') killed++;
        else assert.equal(r.code, 0, r.stderr);
        checkConsistent(ws);
        const { warnings } = ws.events.read();
        assert.ok(
          warnings.every((w) => /truncated or corrupt line skipped/.test(w)),
          warnings.join('\n'),
        );
      }
      assert.ok(killed >= TRIALS / 2, `only ${killed} of ${TRIALS} runs were killed mid-way`);
      // The killed runs made progress that the final run kept (resume, not restart).
      const before = ws
        .listCandidates()
        .filter((r) => r.state !== 'proposed')
        .map((r) => [r.id, r.updatedAt]);
      assert.ok(before.length >= 3, `only ${before.length} candidates finished across the killed runs`);
      const final = await runCli(ws);
      assert.equal(final.code, 0, final.stderr);
      checkConsistent(ws);
      const recs = ws.listCandidates();
      // Nothing lost: every generation 1..UNTIL has both slots, all finished.
      for (let g = 1; g <= UNTIL; g++)
        for (const s of [0, 1]) {
          const r = recs.find((x) => x.id === `g${String(g).padStart(4, '0')}-${s}`);
          assert.ok(r, `g${g}-${s} missing`);
          assert.notEqual(r!.state, 'proposed');
        }
      assert.equal(recs.filter((r) => r.parentId === null).length, 1, 'one root');
      for (const [id, updatedAt] of before)
        assert.equal(recs.find((r) => r.id === id)!.updatedAt, updatedAt, `${id} was redone after the kills`);
      // Nothing repeated: exactly one finished event per candidate, and no duplicate evaluations.
      const { events } = ws.events.read();
      const finished = events.filter((e) => e.type === 'candidate-finished').map((e) => e.id as string);
      assert.equal(new Set(finished).size, finished.length, 'a candidate finished twice');
      assert.deepEqual([...finished].sort(), recs.map((r) => r.id).sort());
      // The lock of each killed run was recognised as stale and taken over.
      assert.ok(!existsSync(join(ws.dir, 'lock')));
    } finally {
      rmSync(ws.root, { recursive: true, force: true });
    }
  });
});
