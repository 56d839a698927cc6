import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { readJsonIfExists } from '../../core/store/atomic';
import { staleReason } from '../../core/store/lock';
import { checkWorkspace } from '../../core/store/integrity';
import { STATUS_FILE, rescored, workspaceScoring, type EngineStatus } from '../../core/evolution/engine';
import { describeStatus } from './evolve';
import { join } from 'node:path';

export const status: Command = {
  name: 'status',
  summary: 'where the evolution stands: generation, best BD-rate, review queue, spend, stagnation',
  usage: 'codec-evolve status [--json]',
  async run(argv, io) {
    const { values } = parse(argv, { json: { type: 'boolean' } }, 'status');
    const ws = Workspace.find(io.cwd);
    const saved = readJsonIfExists<EngineStatus & { pid?: number }>(join(ws.dir, STATUS_FILE));
    const owner = ws.lock.readOwner();
    const running = !!owner && !staleReason(owner);
    const scoring = workspaceScoring(ws);
    // Scored on the objective configured now (records measured under another one are re-read).
    const cands = ws.listCandidates().map((r) => (scoring ? rescored(r, scoring.objective, scoring.reference) : r));
    const version = ws.latestVersion();
    // A candidate a person rejected (or that failed on held-out clips) is never "the best".
    const best = cands
      .filter((c) => c.metrics?.trainingBdRate !== undefined && c.state !== 'rejected' && c.state !== 'failed')
      .sort((a, b) => a.metrics!.trainingBdRate! - b.metrics!.trainingBdRate!)[0];
    const s: EngineStatus = {
      ...(saved ?? ({ generation: 0, strategy: 'refine', spentUsd: 0, tokens: { input: 0, output: 0 } } as unknown as EngineStatus)),
      running,
      candidates: cands.length,
      evaluated: cands.filter((c) => c.metrics?.trainingBdRate !== undefined).length,
      pendingReview: cands.filter((c) => c.state === 'pending-review').length,
      best: best ? { id: best.id, trainingBdRate: best.metrics!.trainingBdRate! } : undefined,
      adoptedVersion: version?.version,
      adoptedBdRate: version?.trainingBdRate,
      ...(version ? { adoptedObjective: version.objective ?? 'psnrY' } : {}),
      ...(scoring ? { scoring } : {}),
      spentUsd: cands.reduce((a, c) => a + c.costUsd, 0),
      tokens: cands.reduce((t, c) => ({ input: t.input + c.tokens.input, output: t.output + c.tokens.output }), { input: 0, output: 0 }),
    };
    // What the files lost against the event log (a deleted version, a broken config) is said first.
    const problems = checkWorkspace(ws);
    for (const p of problems) io.err(`warning: ${p.message} — ${p.remedy}`);
    if (values.json) {
      io.out(JSON.stringify({ schemaVersion: 1, ...s, workspace: ws.root, problems }));
      return 0;
    }
    io.out(`${ws.root}: ${running ? `running (pid ${owner!.pid})` : 'not running'}`);
    for (const l of describeStatus(s)) io.out(l);
    return 0;
  },
};
