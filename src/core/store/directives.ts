// A person's directives ("try B-frames next"): kept in .codec-evolution/directives.json, quoted in
// every prompt while active, and cleared by the person. Each change is also logged as an event, so the
// log alone tells when the search was steered and how. The engine re-reads the file for every
// proposal, so a directive given while the loop runs reaches the next prompt.
import { join } from 'node:path';
import { InputError } from '../errors';
import { readJsonIfExists, writeJsonAtomic } from './atomic';
import type { Workspace } from './workspace';

export interface Directive {
  /** `d1`, `d2`, … in the order given; never reused. */
  id: string;
  text: string;
  /** The EVOLVE-BLOCK the person wants the next edits to focus on, by name. */
  block?: string;
  createdAt: string;
  /** Who gave it: the CLI, the VS Code view, the @codec chat participant, or an agent's tool call. */
  by: 'cli' | 'view' | 'chat' | 'tool';
  clearedAt?: string;
}

interface DirectivesFile {
  schemaVersion?: number;
  nextId: number;
  directives: Directive[];
}

const DIRECTIVES_FILE = 'directives.json';
/** A directive is a sentence or two for a prompt, not a document. */
const MAX_DIRECTIVE_CHARS = 2000;

function path(ws: Workspace): string {
  return join(ws.dir, DIRECTIVES_FILE);
}

function readFile(ws: Workspace): DirectivesFile {
  return readJsonIfExists<DirectivesFile>(path(ws)) ?? { nextId: 1, directives: [] };
}

function writeFile(ws: Workspace, f: DirectivesFile): void {
  const { schemaVersion: _drop, ...rest } = f;
  writeJsonAtomic(path(ws), rest);
}

/** Every directive ever given, active and cleared, oldest first. */
export function listDirectives(ws: Workspace): Directive[] {
  return readFile(ws).directives;
}

export function activeDirectives(all: Directive[]): Directive[] {
  return all.filter((d) => !d.clearedAt);
}

export function addDirective(ws: Workspace, input: { text: string; block?: string; by: Directive['by'] }): Directive {
  const text = input.text.trim().replace(/\s+/g, ' ');
  if (!text) throw new InputError('a directive needs text', 'say what the next candidates should try, e.g. "try B-frames next"');
  if (text.length > MAX_DIRECTIVE_CHARS)
    throw new InputError(
      `a directive is limited to ${MAX_DIRECTIVE_CHARS} characters (this one has ${text.length})`,
      'shorten it to what the next candidates should try',
    );
  const block = input.block?.trim() || undefined;
  if (block && !/^[\w.-]+$/.test(block))
    throw new InputError(`'${block}' is not a block name`, 'use the name after EVOLVE-BLOCK-START in the codec (letters, digits, - _ .)');
  const f = readFile(ws);
  const d: Directive = { id: `d${f.nextId}`, text, ...(block ? { block } : {}), createdAt: new Date().toISOString(), by: input.by };
  writeFile(ws, { nextId: f.nextId + 1, directives: [...f.directives, d] });
  ws.events.append('directive-added', { id: d.id, text: d.text, block: d.block, by: d.by });
  return d;
}

/** Clears one directive by id, or every active one without an id; returns what was cleared. */
export function clearDirectives(ws: Workspace, id?: string): Directive[] {
  const f = readFile(ws);
  if (id !== undefined) {
    const d = f.directives.find((x) => x.id === id);
    if (!d) throw new InputError(`no directive '${id}'`, "see 'codec-evolve steer --list' for ids");
    if (d.clearedAt) return [];
  }
  const now = new Date().toISOString();
  const cleared: Directive[] = [];
  const directives = f.directives.map((d) => {
    if (d.clearedAt || (id !== undefined && d.id !== id)) return d;
    const c = { ...d, clearedAt: now };
    cleared.push(c);
    return c;
  });
  if (!cleared.length) return [];
  writeFile(ws, { nextId: f.nextId, directives });
  ws.events.append('directive-cleared', { ids: cleared.map((d) => d.id) });
  return cleared;
}
