// Shapes of what the workspace stores, checked when read: a hand-edited config.json or a damaged record
// fails with the file, the field and what was expected, instead of an undefined deep inside the engine.
// Only the fields a reader relies on are described; fields a newer version added pass through (records
// stay readable across versions with the same schemaVersion).
import { InputError } from '../errors';

export type Shape =
  | { kind: 'string'; oneOf?: readonly string[]; optional?: boolean; nullable?: boolean }
  | { kind: 'number'; int?: boolean; min?: number; max?: number; optional?: boolean; nullable?: boolean }
  | { kind: 'boolean'; optional?: boolean }
  | { kind: 'array'; of: Shape; optional?: boolean }
  | { kind: 'object'; fields: Record<string, Shape>; optional?: boolean }
  /** Keys are free (e.g. per reference codec); every value has one shape. */
  | { kind: 'map'; of: Shape; optional?: boolean };

type Opt = { optional?: boolean; nullable?: boolean };
export const str = (o: Opt & { oneOf?: readonly string[] } = {}): Shape => ({ kind: 'string', ...o });
export const num = (o: Opt & { int?: boolean; min?: number; max?: number } = {}): Shape => ({ kind: 'number', ...o });
export const bool = (o: Opt = {}): Shape => ({ kind: 'boolean', ...o });
export const arr = (of: Shape, o: Opt = {}): Shape => ({ kind: 'array', of, ...o });
export const obj = (fields: Record<string, Shape>, o: Opt = {}): Shape => ({ kind: 'object', fields, ...o });
export const map = (of: Shape, o: Opt = {}): Shape => ({ kind: 'map', of, ...o });

function describe(s: Shape): string {
  switch (s.kind) {
    case 'string':
      return s.oneOf ? `one of ${s.oneOf.map((x) => JSON.stringify(x)).join(', ')}` : 'a string';
    case 'number':
      return `${s.int ? 'an integer' : 'a number'}${s.min !== undefined ? ` ≥ ${s.min}` : ''}${s.max !== undefined ? ` ≤ ${s.max}` : ''}`;
    case 'boolean':
      return 'true or false';
    case 'array':
      return `a list of ${describe(s.of)}`;
    case 'object':
    case 'map':
      return 'an object';
  }
}

/** The first mismatch as "field.path: expected …, found …", or undefined when the value fits. */
export function mismatch(value: unknown, s: Shape, path = ''): string | undefined {
  const at = path || '(the whole record)';
  if (value === undefined) return s.optional ? undefined : `${at}: missing (expected ${describe(s)})`;
  if (value === null && 'nullable' in s && s.nullable) return undefined;
  const found = () =>
    value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : JSON.stringify(value);
  const bad = () => `${at}: expected ${describe(s)}, found ${found()}`;
  switch (s.kind) {
    case 'string':
      if (typeof value !== 'string' || (s.oneOf && !s.oneOf.includes(value))) return bad();
      return undefined;
    case 'number':
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (s.int && !Number.isInteger(value)) ||
        (s.min !== undefined && value < s.min) ||
        (s.max !== undefined && value > s.max)
      )
        return bad();
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : bad();
    case 'array':
      if (!Array.isArray(value)) return bad();
      for (let i = 0; i < value.length; i++) {
        const m = mismatch(value[i], s.of, `${path}[${i}]`);
        if (m) return m;
      }
      return undefined;
    case 'object':
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad();
      const o = value as Record<string, unknown>;
      const entries: Array<[string, Shape]> = s.kind === 'object' ? Object.entries(s.fields) : Object.keys(o).map((k) => [k, s.of]);
      for (const [k, sub] of entries) {
        const m = mismatch(o[k], sub, path ? `${path}.${k}` : k);
        if (m) return m;
      }
      return undefined;
    }
  }
}

/** Throws an InputError naming the file and the field when `value` does not fit `shape`. */
export function checkShape<T>(value: unknown, shape: Shape, file: string, remedy: string): T {
  const m = mismatch(value, shape);
  if (m) throw new InputError(`${file}: ${m}`, remedy);
  return value as T;
}
