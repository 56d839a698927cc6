// The small set of error classes every part of the engine throws. Each carries a remedy: a sentence
// that says what to do. Hosts map `kind` to an exit code (CLI) or a notification (VS Code).

export type ErrorKind = 'usage' | 'input' | 'environment' | 'candidate' | 'provider' | 'cancelled' | 'internal';

export class CodecEvolutionError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly remedy?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
  /** One line for a person: the message, then what to do. */
  describe(): string {
    return this.remedy ? `${this.message} — ${this.remedy}` : this.message;
  }
}

/** Bad command-line words or options. */
export class UsageError extends CodecEvolutionError {
  constructor(message: string, remedy?: string) {
    super('usage', message, remedy);
  }
}
/** A file or value the user gave us is wrong (missing, truncated, unsupported format). */
export class InputError extends CodecEvolutionError {
  constructor(message: string, remedy?: string, options?: { cause?: unknown }) {
    super('input', message, remedy, options);
  }
}
/** The machine lacks something (ffmpeg, an encoder, a browser). */
export class EnvironmentError extends CodecEvolutionError {
  constructor(message: string, remedy?: string, options?: { cause?: unknown }) {
    super('environment', message, remedy, options);
  }
}
/** A model provider failed (network, auth, garbage answer). */
export class ProviderError extends CodecEvolutionError {
  constructor(message: string, remedy?: string, options?: { cause?: unknown }) {
    super('provider', message, remedy, options);
  }
}
/** The work was cancelled through an AbortSignal. */
export class CancelledError extends CodecEvolutionError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
  }
}

/** Exit codes of the CLI, one per kind (documented in the README). */
export const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 2,
  candidate: 3,
  input: 4,
  environment: 5,
  provider: 6,
  internal: 1,
  cancelled: 130,
};

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

export function errorMessage(e: unknown): string {
  if (e instanceof CodecEvolutionError) return e.describe();
  if (e instanceof Error) return e.message;
  return String(e);
}
