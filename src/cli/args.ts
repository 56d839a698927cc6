// Thin wrapper over node:util parseArgs that turns its errors into UsageError.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends OptionSpec>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`, `run 'codec-evolve help ${command}' for its options`);
  }
}
