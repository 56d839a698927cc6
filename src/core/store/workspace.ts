// The workspace is the database: .codec-evolution/ holds the config, every candidate, the adopted
// versions, the baseline cache and the event log. Everything here is file I/O; the logic is elsewhere.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve, isAbsolute } from 'node:path';
import { InputError } from '../errors';
import { readJson, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from './atomic';
import { EventLog } from './event-log';
import { WorkspaceLock } from './lock';
import { CONFIG_SHAPE, withDefaults, type WorkspaceConfig } from './config';
import { checkShape } from './schema';
import {
  CANDIDATE_SHAPE,
  CORRUPT_RECORD_REMEDY,
  VERSION_SHAPE,
  readCandidateRecord,
  type CandidateRecord,
  type VersionRecord,
} from './records';

const STATE_DIR = '.codec-evolution';

export class Workspace {
  readonly dir: string;
  readonly events: EventLog;
  readonly lock: WorkspaceLock;

  constructor(readonly root: string) {
    this.dir = join(root, STATE_DIR);
    this.events = new EventLog(join(this.dir, 'events.jsonl'));
    this.lock = new WorkspaceLock(join(this.dir, 'lock'));
  }

  static find(cwd: string): Workspace {
    let dir = resolve(cwd);
    for (;;) {
      if (existsSync(join(dir, STATE_DIR, 'config.json'))) return new Workspace(dir);
      const up = resolve(dir, '..');
      if (up === dir) throw new InputError(`no ${STATE_DIR}/ here or above ${cwd}`, "run 'codec-evolve init' first");
      dir = up;
    }
  }

  exists(): boolean {
    return existsSync(join(this.dir, 'config.json'));
  }

  get configPath(): string {
    return join(this.dir, 'config.json');
  }
  get candidatesDir(): string {
    return join(this.dir, 'candidates');
  }
  get versionsDir(): string {
    return join(this.dir, 'versions');
  }
  get baselineCacheDir(): string {
    return join(this.dir, 'baseline-cache');
  }

  readConfig(): WorkspaceConfig {
    const raw = checkShape<Partial<WorkspaceConfig>>(
      readJson(this.configPath),
      CONFIG_SHAPE,
      this.configPath,
      'correct that field, or delete it to use the default (the settings reference in the README lists each)',
    );
    return withDefaults(raw, raw.clips?.smoke?.path ?? '');
  }
  writeConfig(config: WorkspaceConfig): void {
    const { schemaVersion: _drop, ...rest } = config;
    writeJsonAtomic(this.configPath, rest);
  }

  /** A path from the config, relative to the workspace root. */
  resolvePath(p: string): string {
    return isAbsolute(p) ? p : join(this.root, p);
  }

  candidateDir(id: string): string {
    return join(this.candidatesDir, id);
  }

  writeCandidate(rec: CandidateRecord): void {
    const { schemaVersion: _drop, ...rest } = rec;
    writeJsonAtomic(join(this.candidateDir(rec.id), 'candidate.json'), { ...rest, updatedAt: new Date().toISOString() });
  }
  readCandidate(id: string): CandidateRecord {
    const p = join(this.candidateDir(id), 'candidate.json');
    if (!existsSync(p)) throw new InputError(`no candidate '${id}'`, "run 'codec-evolve review list' or 'codec-evolve history' for ids");
    return readCandidateRecord(checkShape(readJson(p), CANDIDATE_SHAPE, p, CORRUPT_RECORD_REMEDY));
  }
  /** Every candidate with a complete record, in id order (a directory without candidate.json is a
   * proposal still being written, or one a crash interrupted). */
  listCandidates(): CandidateRecord[] {
    if (!existsSync(this.candidatesDir)) return [];
    const out: CandidateRecord[] = [];
    for (const id of readdirSync(this.candidatesDir).sort()) {
      if (id.startsWith('.')) continue;
      const p = join(this.candidateDir(id), 'candidate.json');
      if (existsSync(p)) out.push(readCandidateRecord(checkShape(readJson(p), CANDIDATE_SHAPE, p, CORRUPT_RECORD_REMEDY)));
    }
    return out;
  }
  /** Removes proposals a crash interrupted before their record was written, so their ids are
   * proposed again. Only the lock holder may call this (others would race a proposal in progress). */
  pruneIncomplete(): string[] {
    if (!existsSync(this.candidatesDir)) return [];
    const removed: string[] = [];
    for (const id of readdirSync(this.candidatesDir)) {
      if (id.startsWith('.') || existsSync(join(this.candidateDir(id), 'candidate.json'))) continue;
      rmSync(this.candidateDir(id), { recursive: true, force: true });
      removed.push(id);
    }
    return removed;
  }
  writeCandidateFile(id: string, name: string, data: string): void {
    writeFileAtomic(join(this.candidateDir(id), name), data);
  }
  readCandidateFile(id: string, name: string): string | undefined {
    const p = join(this.candidateDir(id), name);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }
  candidateCode(id: string): string {
    const code = this.readCandidateFile(id, 'code.js');
    if (code === undefined) throw new InputError(`candidate ${id} has no code.js`, 'it failed before producing code; pick another');
    return code;
  }

  versionDir(n: number): string {
    return join(this.versionsDir, `v${String(n).padStart(4, '0')}`);
  }
  listVersions(): VersionRecord[] {
    if (!existsSync(this.versionsDir)) return [];
    return readdirSync(this.versionsDir)
      .filter((d) => /^v\d+$/.test(d))
      .sort()
      .map((d) => {
        const p = join(this.versionsDir, d, 'version.json');
        const v = readJsonIfExists<VersionRecord>(p);
        return v && checkShape<VersionRecord>(v, VERSION_SHAPE, p, CORRUPT_RECORD_REMEDY);
      })
      .filter((v): v is VersionRecord => !!v);
  }
  latestVersion(): VersionRecord | undefined {
    const all = this.listVersions();
    return all[all.length - 1];
  }
  versionCode(n: number): string {
    return readFileSync(join(this.versionDir(n), 'codec.js'), 'utf8');
  }
  /** Code first, record last: a version exists only once version.json is there. */
  writeVersion(rec: VersionRecord, code: string): void {
    writeFileAtomic(join(this.versionDir(rec.version), 'codec.js'), code);
    const { schemaVersion: _drop, ...rest } = rec;
    writeJsonAtomic(join(this.versionDir(rec.version), 'version.json'), rest);
  }

  ensureDirs(): void {
    for (const d of [this.dir, this.candidatesDir, this.versionsDir, this.baselineCacheDir]) mkdirSync(d, { recursive: true });
  }
}
