// The classes a candidate can fail with. A failure is a result (fed back to the person and the
// model), not an exception: it carries the class, a message that says what to change, and the
// candidate's line:column when one applies.

export const FAILURE_CLASSES = [
  'syntax',
  'forbidden',
  'contract',
  'runtime',
  'timeout',
  'memory',
  'output-limit',
  'crash',
  'bad-output',
  'nondeterministic',
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Classes the static validator can produce (nothing has run yet). */
export type StaticFailureClass = 'syntax' | 'forbidden' | 'contract';

/** Classes the engine adds around the sandbox: the model's answer did not apply, held no code, was cut
 * off at the output-token limit (truncated), repeated an earlier program, or the provider failed. */
export const ENGINE_FAILURE_CLASSES = ['edit-failed', 'no-code', 'truncated', 'duplicate', 'provider'] as const;

export type EngineFailureClass = (typeof ENGINE_FAILURE_CLASSES)[number];

/** One failure type for the sandbox's results and the engine's records (stored in candidate.json). */
export interface CandidateFailure {
  class: FailureClass | EngineFailureClass;
  message: string;
  /** 1-based, in the candidate's own source (TypeScript positions are mapped back). */
  line?: number;
  /** 1-based. */
  column?: number;
  /** Which step failed: a sandbox step, or where in the engine's cascade. */
  stage?: 'validate' | 'encode' | 'decode' | 'edit' | 'novelty' | 'smoke' | 'training' | 'held-out' | 'provider';
  /** Captured stderr of the child, truncated: helps a person see a crash's cause. */
  detail?: string;
  /** The SEARCH text that matched nothing, for edit-failed. */
  unmatched?: string;
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
