// The EngineSnapshot the views render, built from the engine child's answers or — in Restricted Mode —
// read from .codec-evolution/ on the extension host's thread: JSON and code files only, nothing runs and
// no process starts. Also a candidate's diff sides read the same way.
import { join } from 'node:path';
import type { Workspace } from '../core/store/workspace';
import type { WorkspaceConfig } from '../core/store/config';
import type { CandidateRecord } from '../core/store/records';
import { readJsonIfExists } from '../core/store/atomic';
import { listDirectives } from '../core/store/directives';
import type { ResultOf } from '../engine-host/protocol';
import type { EngineSnapshot } from './view-model';

export interface CandidateDetail {
  record: CandidateRecord;
  code: string;
  baseCode: string;
  baseVersion: number;
}

/** What the host adds to every snapshot: the run's budgets (settings) and the reference curves (kept by the host). */
type HostParts = Pick<EngineSnapshot, 'budgets' | 'referenceCurves'>;

/** The config's part of a snapshot; an unreadable config leaves it empty (the view shows what it can). */
function configParts(ws: Workspace): Pick<EngineSnapshot, 'primaryReference' | 'references' | 'objective' | 'guards'> {
  let cfg: WorkspaceConfig | undefined;
  try {
    cfg = ws.readConfig();
  } catch {
    cfg = undefined;
  }
  return {
    primaryReference: cfg?.primaryReference,
    references: cfg?.references,
    objective: cfg?.evolution?.objective,
    guards: cfg?.evolution?.guards,
  };
}

function statusPart(
  s: { generation?: number; spentUsd?: number; stagnation?: string; stopReason?: string; strategy?: string },
  running: boolean,
) {
  return {
    running,
    generation: s.generation ?? 0,
    spentUsd: s.spentUsd ?? 0,
    stagnation: s.stagnation,
    stopReason: s.stopReason,
    strategy: s.strategy,
  };
}

/** From the engine's `status`, `history` and `directives` answers. */
export function engineSnapshot(
  ws: Workspace,
  status: ResultOf<'status'>,
  history: ResultOf<'history'>,
  directives: ResultOf<'directives'>,
  host: HostParts,
): EngineSnapshot {
  return {
    initialized: true,
    ...configParts(ws),
    budgets: host.budgets,
    status: statusPart(status, status.loopRunning),
    candidates: history.candidates,
    versions: history.versions,
    referenceCurves: host.referenceCurves,
    directives,
  };
}

/** The results stored in .codec-evolution/ (records, versions, the last status): what Restricted Mode shows. */
export function storedSnapshot(ws: Workspace, host: HostParts): EngineSnapshot {
  const status = readJsonIfExists<Parameters<typeof statusPart>[0]>(join(ws.dir, 'status.json')); // the engine's STATUS_FILE
  return {
    initialized: true,
    ...configParts(ws),
    budgets: host.budgets,
    status: status ? statusPart(status, false) : undefined,
    candidates: ws.listCandidates(),
    versions: ws.listVersions(),
    referenceCurves: host.referenceCurves,
    directives: listDirectives(ws),
  };
}

/** A candidate and the adopted version's code (the two sides of its diff), read from the files. */
export function storedCandidate(ws: Workspace, id: string): CandidateDetail {
  const v = ws.latestVersion();
  return {
    record: ws.readCandidate(id),
    code: ws.readCandidateFile(id, 'code.js') ?? '',
    baseCode: v ? ws.versionCode(v.version) : '',
    baseVersion: v?.version ?? 0,
  };
}
