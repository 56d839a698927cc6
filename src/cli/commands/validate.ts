// codec-evolve validate <codec>: the sandbox's static checks on a codec file, as file:line:col
// diagnostics. Nothing is run. Exit 0 when clean, 3 when the candidate would be refused.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../command';
import { parse } from '../args';
import { EXIT_CODES, InputError, UsageError } from '../../core/errors';
import { prepareCandidate } from '../../core/sandbox/validator';

export function readCodec(cwd: string, file: string): string {
  try {
    return readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as Error).message}`, 'give the path of a codec .js or .ts file');
  }
}

export const validate: Command = {
  name: 'validate',
  summary: 'check a codec file statically (syntax, forbidden globals/imports, exports); nothing runs',
  usage: `codec-evolve validate <codec.js|codec.ts> [--json]

  Parses the codec (TypeScript through esbuild) and refuses imports, require, dynamic import, references
  to the global eval/Function/globalThis/process/require/module/WebAssembly/Atomics/SharedArrayBuffer/
  timers/fetch (local bindings of those names are fine), missing or wrong exports, and sources over the
  size cap. Prints one 'file:line:col: class: message' line per problem.
  --json   one JSON document {schemaVersion, file, ok, diagnostics}
  Exit: 0 clean, 3 refused, 2 usage, 4 unreadable file.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, 'validate');
    if (positionals.length !== 1) throw new UsageError('validate needs exactly one codec file', "run 'codec-evolve help validate'");
    const file = positionals[0];
    const r = prepareCandidate(readCodec(io.cwd, file), file);
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            schemaVersion: 1,
            file,
            ok: r.diagnostics.length === 0,
            diagnostics: r.diagnostics,
            ...(r.candidate ? { exports: r.candidate.exports, language: r.candidate.language } : {}),
          },
          null,
          2,
        ),
      );
    } else if (r.candidate) {
      io.out(
        `${file}: ok (${r.candidate.language === 'ts' ? 'TypeScript' : 'JavaScript'}; exports ${Object.keys(r.candidate.exports).join(', ')})`,
      );
    } else {
      for (const d of r.diagnostics) io.out(`${file}:${d.line}:${d.column}: ${d.class}: ${d.message}`);
      io.err(`${file}: ${r.diagnostics.length} problem(s) — fix them and run validate again`);
    }
    return r.diagnostics.length ? EXIT_CODES.candidate : 0;
  },
};
