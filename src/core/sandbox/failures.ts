// The classes a candidate can fail with. A failure is a result (fed back to the person and the
// model), not an exception: it carries the class, a message that says what to change, and the
// candidate's line:column when one applies.

export const FAILURE_CLASSES = [
  'syntax', 'forbidden', 'contract', 'runtime', 'timeout', 'memory',
  'output-limit', 'crash', 'bad-output', 'nondeterministic',
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Classes the static validator can produce (nothing has run yet). */
export type StaticFailureClass = 'syntax' | 'forbidden' | 'contract';

export interface CandidateFailure {
  class: FailureClass;
  message: string;
  /** 1-based, in the candidate's own source (TypeScript positions are mapped back). */
  line?: number;
  /** 1-based. */
  column?: number;
  /** Which step failed. */
  stage?: 'validate' | 'encode' | 'decode';
  /** Captured stderr of the child, truncated: helps a person see a crash's cause. */
  detail?: string;
}

export function isFailureClass(x: unknown): x is FailureClass {
  return typeof x === 'string' && (FAILURE_CLASSES as readonly string[]).includes(x);
}

/** "codec.js:12:5: forbidden: ..." — the one-line form shown to people and fed to the model. */
export function formatFailure(f: CandidateFailure, file = 'candidate'): string {
  const where = f.line !== undefined ? `${file}:${f.line}:${f.column ?? 1}: ` : `${file}: `;
  const stage = f.stage && f.stage !== 'validate' ? ` (in ${f.stage})` : '';
  return `${where}${f.class}${stage}: ${f.message}`;
}
