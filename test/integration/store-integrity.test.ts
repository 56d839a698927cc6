// The workspace against its event log (the source of truth): deleted folders and a broken config are
// found and named, versions are rebuilt, and a candidate is never finished twice.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEngineWorkspace } from '../helpers/engine-workspace';
import { adoptCandidate } from '../../src/core/evolution/review';
import { runSession } from '../../src/core/evolution/session';
import { checkWorkspace } from '../../src/core/store/integrity';
import { packageRoot } from '../../src/core/paths';
import type { CandidateRecord } from '../../src/core/store/records';

const CLI = join(packageRoot(), 'dist', 'cli.js');
const cli = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('store: workspace integrity against the event log', function () {
  this.timeout(300_000);
  const roots: string[] = [];
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it('a deleted versions/vNNNN is reported by status and history and rebuilt by doctor --workspace --repair', async () => {
    const { ws } = makeEngineWorkspace('ce-integrity-v-');
    roots.push(ws.root);
    const now = new Date().toISOString();
    const code = ws.versionCode(1) + '\n// adopted change\n';
    const rec: CandidateRecord = {
      id: 'g0001-0',
      generation: 1,
      slot: 0,
      island: 0,
      parentId: null,
      inspirationIds: [],
      state: 'pending-review',
      createdAt: now,
      updatedAt: now,
      provider: 'offline',
      strategy: 'refine',
      hypothesis: 'a change',
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      repairRounds: 0,
      metrics: { smokeOk: true, training: [], trainingBdRate: -3.5, encodeMs: 1, decodeMs: 1, evaluationMs: 1 },
    };
    ws.writeCandidateFile(rec.id, 'code.js', code);
    ws.writeCandidate(rec);
    await adoptCandidate(ws, rec.id, { by: 'person', reason: 'better' });
    assert.equal(ws.latestVersion()!.version, 2);
    rmSync(ws.versionDir(2), { recursive: true });

    const st = cli(['status'], ws.root);
    assert.equal(st.code, 0, st.err);
    assert.match(st.err, /versions\/v0002 is missing: version 2, adopted from candidate g0001-0/);
    assert.match(st.err, /doctor --workspace --repair/);
    assert.match(cli(['history'], ws.root).err, /versions\/v0002 is missing/);
    const check = cli(['doctor', '--workspace'], ws.root);
    assert.equal(check.code, 4, check.out + check.err);
    assert.match(check.out, /version-missing: .*v0002/);

    const fix = cli(['doctor', '--workspace', '--repair'], ws.root);
    assert.equal(fix.code, 0, fix.out + fix.err);
    assert.match(fix.out, /repaired: .*v0002 rebuilt \(candidate g0001-0\)/);
    assert.equal(readFileSync(join(ws.versionDir(2), 'codec.js'), 'utf8'), code);
    assert.equal(ws.latestVersion()!.version, 2);
    assert.equal(ws.latestVersion()!.trainingBdRate, -3.5);
    assert.deepEqual(checkWorkspace(ws), []);
    assert.match(cli(['status'], ws.root).out, /adopted: v2, BD-rate PSNR-Y vs x264 -3\.500 %/);
  });

  it('a deleted candidate folder is reported, and the candidate is never proposed or finished a second time', async () => {
    const { ws } = makeEngineWorkspace('ce-integrity-c-');
    roots.push(ws.root);
    await runSession(ws, { generations: 1 });
    const finished = (id: string) => ws.events.read().events.filter((e) => e.type === 'candidate-finished' && e.id === id).length;
    assert.equal(finished('g0001-0'), 1);
    rmSync(ws.candidateDir('g0001-0'), { recursive: true });
    assert.deepEqual(
      checkWorkspace(ws).map((p) => p.kind),
      ['candidate-missing'],
    );
    const warnings: string[] = [];
    const status = await runSession(ws, {
      untilGeneration: 1,
      onEvent: (t, d) => {
        if (t === 'warning') warnings.push(String((d as { message: string }).message));
      },
    });
    assert.equal(finished('g0001-0'), 1, 'finished twice in the log');
    assert.equal(existsSync(ws.candidateDir('g0001-0')), false, 'the candidate was proposed again');
    assert.ok(
      warnings.some((w) => /candidates\/g0001-0 is missing/.test(w)),
      warnings.join('\n'),
    );
    assert.equal(status.stopReason, 'reached generation 1');
  });

  it('a broken config.json is named with its path and a remedy by status, history and doctor --workspace', () => {
    const { ws } = makeEngineWorkspace('ce-integrity-cfg-');
    roots.push(ws.root);
    writeFileSync(ws.configPath, '{ "codecFile": "codec.js", ');
    for (const cmd of [['status'], ['history']]) {
      const r = cli(cmd, ws.root);
      assert.match(r.err, /\.codec-evolution\/config\.json cannot be read: .*not readable JSON/, `${cmd[0]}: ${r.err}`);
      assert.match(r.err, /restore it from git/);
    }
    const d = cli(['doctor', '--workspace'], ws.root);
    assert.equal(d.code, 4);
    assert.match(d.out, /^config: /m);
  });
});
