// The append-only event log (events.jsonl): one JSON object per line, each line fsynced so a crash
// loses at most the line being written — and a half-written last line is skipped, not fatal.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync, mkdirSync, statSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA_VERSION } from './atomic';
import type { EngineEvents, EngineEventType } from '../events';

export interface EngineEvent {
  schemaVersion: number;
  /** ISO time. */
  time: string;
  type: string;
  [key: string]: unknown;
}

export interface LogReadResult {
  events: EngineEvent[];
  warnings: string[];
}

export class EventLog {
  constructor(readonly path: string) {}

  append<K extends EngineEventType>(type: K, data: EngineEvents[K]): EngineEvent {
    const event: EngineEvent = { schemaVersion: SCHEMA_VERSION, time: new Date().toISOString(), type, ...data };
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, 'a');
    try {
      // A previous crash may have left a partial line without its newline; start on a fresh line so
      // this event is not glued to the garbage.
      const size = statSync(this.path).size;
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        const rfd = openSync(this.path, 'r');
        try {
          readSync(rfd, last, 0, 1, size - 1);
        } finally {
          closeSync(rfd);
        }
        if (last[0] !== 0x0a) prefix = '\n';
      }
      writeSync(fd, prefix + JSON.stringify(event) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return event;
  }

  read(): LogReadResult {
    return parseEventLog(existsSync(this.path) ? readFileSync(this.path, 'utf8') : '', this.path);
  }
}

/** Parses events.jsonl text. Lines that are not JSON (a crash mid-write) are skipped with a warning. */
function parseEventLog(text: string, where = 'events.jsonl'): LogReadResult {
  const events: EngineEvent[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const e = JSON.parse(line) as EngineEvent;
      if (e.schemaVersion !== SCHEMA_VERSION) {
        warnings.push(`${where}:${i + 1}: schemaVersion ${String(e.schemaVersion)} not understood; line skipped`);
        return;
      }
      events.push(e);
    } catch {
      warnings.push(`${where}:${i + 1}: truncated or corrupt line skipped (a crash during a write leaves one)`);
    }
  });
  return { events, warnings };
}
