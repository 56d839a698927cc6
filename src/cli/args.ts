// Thin wrapper over node:util parseArgs that turns its errors into UsageError. The parser's own
// messages ("Unknown option '--x'. To specify a positional argument starting with a '-', place it at
// the end of the command after '--'...") are rewritten into one short sentence with the command's options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

function optionList(options: OptionSpec): string {
  return (
    Object.entries(options)
      .map(([k, o]) => `--${k}${o.type === 'string' ? ' VALUE' : ''}`)
      .join(', ') || 'none'
  );
}

/** The parser's error as a person reads it (the command name is added by main, not here). */
function describeParseError(e: Error & { code?: string }, options: OptionSpec): string {
  const name = /'(-{1,2}[^']*)'/.exec(e.message)?.[1];
  const key = name?.replace(/^-+/, '').replace(/\s.*$/, '');
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${name ?? e.message}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return key && options[key]?.type === 'boolean' ? `option '--${key}' takes no value` : `option '--${key ?? '?'}' needs a value`;
    default:
      return e.message.split('. ')[0];
  }
}

export function parse<O extends OptionSpec>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(
      describeParseError(e as Error, options),
      `options of ${command}: ${optionList(options)} (run 'codec-evolve help ${command}')`,
    );
  }
}
