// The classes a candidate can fail with. A failure is a result (fed back to the person and the
// model), not an exception: it carries the class, a message that says what to change, and the
// candidate's line:column when one applies.

export type FailureClass =
  'syntax' | 'forbidden' | 'contract' | 'runtime' | 'timeout' | 'memory' | 'output-limit' | 'crash' | 'bad-output' | 'nondeterministic';

/** Classes the static validator can produce (nothing has run yet). */
export type StaticFailureClass = 'syntax' | 'forbidden' | 'contract';

/** Classes the engine adds around the sandbox: the model's answer did not apply, held no code, was cut
 * off at the output-token limit (truncated), repeated an earlier program, or the provider failed. */
type EngineFailureClass = 'edit-failed' | 'no-code' | 'truncated' | 'duplicate' | 'provider';

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

/** "codec.js:12:5: forbidden: ..." — the one-line form shown to people and fed to the model. */
export function formatFailure(f: CandidateFailure, file = 'candidate'): string {
  const where = f.line !== undefined ? `${file}:${f.line}:${f.column ?? 1}: ` : `${file}: `;
  const stage = f.stage && f.stage !== 'validate' ? ` (in ${f.stage})` : '';
  return `${where}${f.class}${stage}: ${f.message}`;
}
