// One loop per workspace. The lock file names its owner (pid, host, time) so a lock left by a process
// that died (kill -9, power loss) is recognised as stale and taken over instead of blocking forever.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, fsyncSync, mkdirSync, linkSync, statSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
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
  /** Which acquisition wrote it: release() removes only its own lock. */
  nonce?: string;
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

/** A takeover marker older than this was left by a racer that died mid-takeover (three syscalls). */
const ABANDONED_MARKER_MS = 10_000;

/**
 * Creation and takeover are atomic. The lock file appears complete or not at all: the owner is
 * written to a private temp file and link(2)ed to the lock path, which fails if it exists. A stale
 * lock is replaced only by the one racer that creates the takeover marker named after that lock's
 * exact content; the winner unlinks the lock only if it still holds that content. Nobody else can
 * remove a given lock file (its owner is dead, and a fresh lock is only created where none exists),
 * so no racer can unlink another's fresh lock — the read → unlink → create race of a plain check.
 */
export class WorkspaceLock {
  private held = false;
  private nonce = '';
  constructor(readonly path: string) {}

  readOwner(): LockOwner | undefined {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as LockOwner;
    } catch {
      return undefined;
    }
  }

  private readRaw(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Creates the lock file with this content if there is none; false if one exists. */
  private create(content: string): boolean {
    const tmp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, this.path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
    }
  }

  /** Removes the lock file if it still holds exactly `stale`; true when this racer did. */
  private takeOver(stale: string): boolean {
    const marker = `${this.path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
    let fd: number;
    try {
      fd = openSync(marker, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(marker).mtimeMs > ABANDONED_MARKER_MS) unlinkSync(marker);
      } catch {
        /* its winner finished meanwhile */
      }
      return false;
    }
    closeSync(fd);
    try {
      if (this.readRaw() !== stale) return false;
      unlinkSync(this.path);
      return true;
    } finally {
      try {
        unlinkSync(marker);
      } catch {
        /* already gone */
      }
    }
  }

  /** Takes the lock; returns a note when a stale lock was replaced. Throws when a live loop holds it. */
  acquire(purpose: string): string | undefined {
    mkdirSync(dirname(this.path), { recursive: true });
    this.nonce = randomBytes(8).toString('hex');
    const owner: LockOwner = {
      schemaVersion: SCHEMA_VERSION,
      pid: process.pid,
      host: hostname(),
      time: new Date().toISOString(),
      purpose,
      nonce: this.nonce,
    };
    const content = JSON.stringify(owner) + '\n';
    let note: string | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      if (this.create(content)) {
        this.held = true;
        return note;
      }
      const raw = this.readRaw();
      if (raw === undefined) continue; // released or taken over between our two calls: try again
      let existing: LockOwner | undefined;
      try {
        existing = JSON.parse(raw) as LockOwner;
      } catch {
        existing = undefined;
      }
      const why = staleReason(existing);
      if (!why) {
        throw new EnvironmentError(
          `the workspace is locked by ${existing!.purpose} (pid ${existing!.pid} on ${existing!.host} since ${existing!.time})`,
          'stop that loop first (codec-evolve evolve is running elsewhere), or delete .codec-evolution/lock if you are sure it is dead',
        );
      }
      if (this.takeOver(raw)) note = `removed a stale lock (${why})`;
      // Whether this racer or another removed it, the next create decides who holds the lock.
    }
    throw new EnvironmentError('could not take the workspace lock', 'retry; if it persists delete .codec-evolution/lock');
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    const owner = this.readOwner();
    if (owner && owner.pid === process.pid && owner.host === hostname() && (owner.nonce === undefined || owner.nonce === this.nonce)) {
      try {
        unlinkSync(this.path);
      } catch {
        /* already gone */
      }
    }
  }
}
