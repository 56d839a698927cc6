// Supervision acts: adopt (write version N, the codec file, and a git commit when allowed) and reject
// (with a reason that later prompts quote). Used by the engine's auto policy, the CLI and VS Code.
import { InputError } from '../errors';
import { commitPaths } from '../store/git';
import type { CandidateRecord, VersionRecord } from '../store/records';
import type { Workspace } from '../store/workspace';
import { canReview } from './adoption';
import { writeFileAtomic } from '../store/atomic';
import { relative } from 'node:path';

export interface ReviewActor {
  by: 'person' | 'auto';
  reason?: string;
}

function fmt(x: number | undefined): string {
  return x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(3)} %`;
}

export async function adoptCandidate(
  ws: Workspace,
  id: string,
  actor: ReviewActor,
): Promise<{ version: VersionRecord; record: CandidateRecord; gitNote?: string }> {
  const rec = ws.readCandidate(id);
  if (!canReview(rec.state, 'adopted')) {
    throw new InputError(
      `candidate ${id} is ${rec.state}; only pending-review or evaluated candidates can be adopted`,
      "see 'codec-evolve review list'",
    );
  }
  const cfg = ws.readConfig();
  const code = ws.candidateCode(id);
  const prev = ws.latestVersion();
  const n = (prev?.version ?? 0) + 1;
  const message =
    `codec v${n} from ${id}: training BD-rate vs ${cfg.primaryReference} ${fmt(rec.metrics?.trainingBdRate)}` +
    ` (was ${fmt(prev?.trainingBdRate)})` +
    (rec.metrics?.heldOutBdRate !== undefined ? `, held-out ${fmt(rec.metrics.heldOutBdRate)}` : '') +
    (rec.hypothesis ? `\n\n${rec.hypothesis}` : '') +
    (actor.reason ? `\n\nAdopted by ${actor.by}: ${actor.reason}` : `\n\nAdopted by ${actor.by}.`);
  const version: VersionRecord = {
    version: n,
    candidateId: id,
    time: new Date().toISOString(),
    objective: rec.metrics?.objective,
    trainingBdRate: rec.metrics?.trainingBdRate,
    heldOutBdRate: rec.metrics?.heldOutBdRate,
    parentVersion: prev?.version ?? null,
    message,
  };
  ws.writeVersion(version, code);
  const codecPath = ws.resolvePath(cfg.codecFile);
  writeFileAtomic(codecPath, code);
  rec.state = 'adopted';
  rec.version = n;
  rec.review = { decision: 'adopted', reason: actor.reason, by: actor.by, time: version.time };
  ws.writeCandidate(rec);
  let gitNote: string | undefined;
  if (cfg.evolution.gitCommit) {
    const r = await commitPaths(ws.root, [relative(ws.root, codecPath)], message);
    if (r.commit) {
      version.gitCommit = r.commit;
      ws.writeVersion(version, code);
    } else gitNote = r.skipped;
  } else gitNote = 'git commits are off in the configuration';
  ws.events.append('candidate-adopted', {
    id,
    version: n,
    by: actor.by,
    reason: actor.reason,
    gitCommit: version.gitCommit,
    trainingBdRate: rec.metrics?.trainingBdRate,
  });
  return { version, record: rec, gitNote };
}

export function rejectCandidate(ws: Workspace, id: string, actor: ReviewActor): CandidateRecord {
  const rec = ws.readCandidate(id);
  if (!canReview(rec.state, 'rejected')) {
    throw new InputError(
      `candidate ${id} is ${rec.state}; only pending-review or evaluated candidates can be rejected`,
      "see 'codec-evolve review list'",
    );
  }
  if (!actor.reason?.trim())
    throw new InputError('a rejection needs a reason', 'pass --reason "why" (the model reads it in later prompts)');
  rec.state = 'rejected';
  rec.review = { decision: 'rejected', reason: actor.reason.trim(), by: actor.by, time: new Date().toISOString() };
  ws.writeCandidate(rec);
  ws.events.append('candidate-rejected', { id, by: actor.by, reason: actor.reason.trim() });
  return rec;
}
