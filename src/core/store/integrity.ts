// Workspace integrity: the event log is the source of truth, and the files must agree with it. A
// version the log says was adopted but whose folder is gone, a candidate the log says finished but
// whose folder is gone, a config.json that no longer parses — each is found here, named with its
// path, and what can be rebuilt (versions: from the adopted candidate's code, or the seed) is.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { errorMessage } from '../errors';
import { SEED_NAMES, seedSource, type SeedName } from './seed-files';
import type { EngineEvent } from './event-log';
import type { CandidateRecord, CandidateState, VersionRecord } from './records';
import type { Workspace } from './workspace';

type IntegrityKind = 'config' | 'version-missing' | 'candidate-missing';

export interface IntegrityProblem {
  kind: IntegrityKind;
  /** The missing or broken path, relative to the workspace root. */
  path: string;
  message: string;
  remedy: string;
  /** `codec-evolve doctor --workspace --repair` can rebuild it. */
  repairable: boolean;
}

interface ExpectedVersion {
  version: number;
  candidateId: string | null;
  seed?: string;
  event: EngineEvent;
}

function expectedVersions(events: EngineEvent[]): ExpectedVersion[] {
  const out: ExpectedVersion[] = [];
  const init = events.find((e) => e.type === 'workspace-initialized');
  if (init) out.push({ version: 1, candidateId: null, seed: String(init.seed), event: init });
  for (const e of events)
    if (e.type === 'candidate-adopted' && typeof e.version === 'number')
      out.push({ version: e.version, candidateId: String(e.id), event: e });
  return out;
}

/** Candidates the log says finished (the last event for each). Roots are re-evaluated by design. */
export function finishedInLog(events: EngineEvent[]): Map<string, EngineEvent> {
  const m = new Map<string, EngineEvent>();
  for (const e of events) if (e.type === 'candidate-finished' && typeof e.id === 'string') m.set(e.id, e);
  return m;
}

export function checkWorkspace(ws: Workspace): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  const rel = (p: string) => relative(ws.root, p) || '.';
  try {
    ws.readConfig();
  } catch (e) {
    problems.push({
      kind: 'config',
      path: rel(ws.configPath),
      message: `${rel(ws.configPath)} cannot be read: ${errorMessage(e)}`,
      remedy: `restore it from git or a backup, or fix the JSON by hand (codec-evolve init --force writes a fresh one)`,
      repairable: false,
    });
  }
  const { events } = ws.events.read();
  for (const v of expectedVersions(events)) {
    const dir = ws.versionDir(v.version);
    if (existsSync(join(dir, 'version.json')) && existsSync(join(dir, 'codec.js'))) continue;
    const source = v.candidateId ? `adopted from candidate ${v.candidateId} at ${v.event.time}` : `the seed '${v.seed}' written by init`;
    const canRebuild = v.candidateId
      ? existsSync(join(ws.candidateDir(v.candidateId), 'code.js'))
      : (SEED_NAMES as readonly string[]).includes(v.seed ?? '');
    problems.push({
      kind: 'version-missing',
      path: rel(dir),
      message: `${rel(dir)} is missing: version ${v.version}, ${source} per events.jsonl`,
      remedy: canRebuild
        ? 'codec-evolve doctor --workspace --repair rebuilds it'
        : `its code is gone too (${v.candidateId ? `candidates/${v.candidateId}/code.js` : 'unknown seed'}); restore the folder from a backup`,
      repairable: canRebuild,
    });
  }
  for (const [id, e] of finishedInLog(events)) {
    if (existsSync(join(ws.candidateDir(id), 'candidate.json'))) continue;
    problems.push({
      kind: 'candidate-missing',
      path: rel(ws.candidateDir(id)),
      message: `${rel(ws.candidateDir(id))} is missing: candidate ${id} finished as ${String(e.state)} at ${e.time} per events.jsonl`,
      remedy:
        'its files cannot be rebuilt; the log keeps its result and it is never run again — restore the folder from a backup to see its code',
      repairable: false,
    });
  }
  return problems;
}

/** Rebuilds what the log and the remaining files allow; returns what was rebuilt. */
export function repairWorkspace(ws: Workspace): string[] {
  const repaired: string[] = [];
  const { events } = ws.events.read();
  const byVersion = new Map(expectedVersions(events).map((v) => [v.version, v]));
  for (const p of checkWorkspace(ws)) {
    if (p.kind !== 'version-missing' || !p.repairable) continue;
    const n = Number(/v(\d+)$/.exec(p.path)![1]);
    const v = byVersion.get(n)!;
    let code: string;
    let rec: VersionRecord;
    if (v.candidateId) {
      code = ws.candidateCode(v.candidateId);
      const c = existsSync(join(ws.candidateDir(v.candidateId), 'candidate.json')) ? ws.readCandidate(v.candidateId) : undefined;
      rec = {
        version: n,
        candidateId: v.candidateId,
        time: v.event.time,
        objective: c?.metrics?.objective,
        trainingBdRate: c?.metrics?.trainingBdRate ?? (typeof v.event.trainingBdRate === 'number' ? v.event.trainingBdRate : undefined),
        heldOutBdRate: c?.metrics?.heldOutBdRate,
        parentVersion: n > 1 ? n - 1 : null,
        ...(typeof v.event.gitCommit === 'string' ? { gitCommit: v.event.gitCommit } : {}),
        message: `codec v${n} from ${v.candidateId} (rebuilt by codec-evolve doctor --workspace --repair from the event log and the candidate's code)`,
      };
    } else {
      code = seedSource(v.seed as SeedName);
      rec = {
        version: 1,
        candidateId: null,
        time: v.event.time,
        parentVersion: null,
        message: `seed codec '${v.seed}' (rebuilt by codec-evolve doctor --workspace --repair)`,
      };
    }
    ws.writeVersion(rec, code);
    repaired.push(`${p.path} rebuilt (${v.candidateId ? `candidate ${v.candidateId}` : `seed '${v.seed}'`})`);
  }
  return repaired;
}

/**
 * A placeholder for a candidate the log says finished but whose folder is gone: it fills its slot
 * so the engine never proposes, evaluates or finishes that id a second time. It has no code and no
 * metrics, so it is never a parent.
 */
export function lostCandidate(id: string, e: EngineEvent): CandidateRecord {
  const slot = Number(/-(\d+)$/.exec(id)?.[1] ?? 0);
  const f = e.failure as { class?: string; message?: string } | undefined;
  return {
    id,
    generation: typeof e.generation === 'number' ? e.generation : 0,
    slot,
    island: 0,
    parentId: null,
    inspirationIds: [],
    state: (typeof e.state === 'string' ? e.state : 'failed') as CandidateState,
    createdAt: e.time,
    updatedAt: e.time,
    provider: 'lost',
    strategy: 'lost',
    hypothesis: '',
    tokens: { input: 0, output: 0 },
    costUsd: typeof e.costUsd === 'number' ? e.costUsd : 0,
    repairRounds: 0,
    ...(f?.class ? { failure: { class: f.class as NonNullable<CandidateRecord['failure']>['class'], message: f.message ?? '' } } : {}),
  };
}
