// One loop per workspace. The lock file names its owner (pid, host, time) so a lock left by a process
// that died (kill -9, power loss) is recognised as stale and taken over instead of blocking forever.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, existsSync, fsyncSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { EnvironmentError } from '../errors';
import { SCHEMA_VERSION } from './atomic';

export interface LockOwner {
  schemaVersion: number;
  pid: number;
  host: string;
  time: string;
  purpose: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why an existing lock does not hold any more, or undefined when its owner still runs. */
export function staleReason(owner: LockOwner | undefined, now = Date.now(), maxAgeMs = 7 * 24 * 3600e3): string | undefined {
  if (!owner || typeof owner.pid !== 'number') return 'the lock file is unreadable';
  if (owner.host === hostname()) {
    if (owner.pid === process.pid) return undefined;
    return alive(owner.pid) ? undefined : `process ${owner.pid} is gone`;
  }
  // Another machine (shared folder): we cannot probe its pid, so only age frees it.
  const t = Date.parse(owner.time);
  return Number.isFinite(t) && now - t > maxAgeMs ? `lock from ${owner.host} is older than ${maxAgeMs / 3600e3} h` : undefined;
}

export class WorkspaceLock {
  private held = false;
  constructor(readonly path: string) {}

  readOwner(): LockOwner | undefined {
    try { return JSON.parse(readFileSync(this.path, 'utf8')) as LockOwner; } catch { return undefined; }
  }

  /** Takes the lock; returns a note when a stale lock was replaced. Throws when a live loop holds it. */
  acquire(purpose: string): string | undefined {
    mkdirSync(dirname(this.path), { recursive: true });
    const owner: LockOwner = { schemaVersion: SCHEMA_VERSION, pid: process.pid, host: hostname(), time: new Date().toISOString(), purpose };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(this.path, 'wx');
        try { writeSync(fd, JSON.stringify(owner) + '\n'); fsyncSync(fd); } finally { closeSync(fd); }
        this.held = true;
        return attempt > 0 ? this.note : undefined;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const existing = this.readOwner();
        // A lock being written right now reads as empty; give its writer a moment.
        if (!existing && attempt === 0 && existsSync(this.path)) {
          const until = Date.now() + 200; while (Date.now() < until) { /* brief wait */ }
          if (this.readOwner()) continue;
        }
        const why = staleReason(existing);
        if (!why) {
          throw new EnvironmentError(
            `the workspace is locked by ${existing!.purpose} (pid ${existing!.pid} on ${existing!.host} since ${existing!.time})`,
            'stop that loop first (codec-evolve evolve is running elsewhere), or delete .codec-evolution/lock if you are sure it is dead');
        }
        this.note = `removed a stale lock (${why})`;
        try { unlinkSync(this.path); } catch { /* someone else removed it */ }
      }
    }
    throw new EnvironmentError('could not take the workspace lock', 'retry; if it persists delete .codec-evolution/lock');
  }
  private note?: string;

  release(): void {
    if (!this.held) return;
    this.held = false;
    const owner = this.readOwner();
    if (owner && owner.pid === process.pid && owner.host === hostname()) {
      try { unlinkSync(this.path); } catch { /* already gone */ }
    }
  }
}
