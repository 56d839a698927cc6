// codec-evolve: the headless host of the engine.
import { commands } from './commands/index';
import type { CliIO } from './command';
import { CodecEvolutionError, EXIT_CODES, errorMessage } from '../core/errors';

function help(io: CliIO, name?: string): number {
  if (name) {
    const c = commands.find((x) => x.name === name);
    if (!c) {
      io.err(`unknown command '${name}'`);
      return EXIT_CODES.usage;
    }
    io.out(c.usage);
    return 0;
  }
  io.out('codec-evolve <command> [options]\n\nCommands:');
  for (const c of commands) io.out(`  ${c.name.padEnd(10)} ${c.summary}`);
  io.out("\nRun 'codec-evolve help <command>' for a command's options.");
  return 0;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') return help(io, rest[0]);
  if (name === '--version') {
    io.out(require('../../package.json').version);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`codec-evolve: unknown command '${name}' — run 'codec-evolve help' for the list`);
    return EXIT_CODES.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) return help(io, name);
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof CodecEvolutionError) {
      io.err(`codec-evolve ${name}: ${e.describe()}`);
      return EXIT_CODES[e.kind];
    }
    io.err(`codec-evolve ${name}: internal error: ${errorMessage(e)}`);
    if (e instanceof Error && e.stack && process.env.CODEC_EVOLVE_DEBUG) io.err(e.stack);
    return EXIT_CODES.internal;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(EXIT_CODES.cancelled);
    process.stderr.write('\ncodec-evolve: stopping (Ctrl+C again to force)\n');
    controller.abort();
  });
  process.on('SIGTERM', () => controller.abort());
  // `codec-evolve doctor | head`: the reader went away. Nothing more can be said to it, so stop the
  // work and exit quietly instead of an unhandled EPIPE stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      controller.abort();
      process.exit(process.exitCode ?? 0);
    });
  }
  main(process.argv.slice(2), {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    signal: controller.signal,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
