// What every CLI command module exports. Commands print results to `out` and diagnostics to `err`,
// return an exit code, and throw CodecEvolutionError for failures (main maps kinds to exit codes).

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
  signal: AbortSignal;
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `codec-evolve help`. */
  summary: string;
  /** Usage text for `codec-evolve help NAME`. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}
