// Durable JSON files: a crash leaves either the old file or the new one, never half of one.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { InputError } from '../errors';

export const SCHEMA_VERSION = 1;

let counter = 0;

/** A temp file's name beside `path`, unique per write: two writes of one file in one process (say two
 * concurrent reference runs caching the same encode) must not share a temp file, or the second rename fails. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
}

/** Writes data to a temp file beside `path`, fsyncs it, then renames it over `path`. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Writes a JSON record; adds schemaVersion so readers can refuse what they do not know. */
export function writeJsonAtomic(path: string, value: object): void {
  const record = { schemaVersion: SCHEMA_VERSION, ...value };
  writeFileAtomic(path, JSON.stringify(record, null, 2) + '\n');
}

/** Reads a JSON record written by writeJsonAtomic; refuses unknown schema versions. */
export function readJson<T>(path: string): T {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(
      `${path} is not readable JSON: ${(e as Error).message}`,
      'restore it from git or delete it (the engine rebuilds what it can from the event log)',
    );
  }
  checkSchema(value, path);
  return value as T;
}

export function readJsonIfExists<T>(path: string): T | undefined {
  return existsSync(path) ? readJson<T>(path) : undefined;
}

function checkSchema(value: unknown, where: string): void {
  const v = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (v !== SCHEMA_VERSION) {
    throw new InputError(
      `${where} has schemaVersion ${String(v)}, this version of codec-evolve reads ${SCHEMA_VERSION}`,
      'upgrade codec-evolve, or start a new workspace with `codec-evolve init`',
    );
  }
}
