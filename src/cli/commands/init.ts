import type { Command } from '../command';
import { parse } from '../args';
import { initWorkspace } from '../../core/store/init';
import { SEED_NAMES, type SeedName } from '../../core/store/seed-files';
import { UsageError } from '../../core/errors';
import { resolve } from 'node:path';
import { readVideo } from '../../core/video/read';
import { cliInvocation } from '../invocation';

export const init: Command = {
  name: 'init',
  summary: 'create .codec-evolution/ and a seed codec in a folder',
  usage: `codec-evolve init [DIR] [--seed minimal|hybrid|template] [--clip FILE]... [--held-out FILE]... [--policy review|auto|off] [--force]
  Writes DIR/.codec-evolution/ (config, version 1 = the seed, event log), DIR/codec.js and DIR/codec.d.ts.
  Default: the hybrid seed and the bundled clip media/clips/talking_heads_160x96_9f.y4m; the offline provider.
  Each clip is checked with the same reader as 'metrics' first (exit 4 for a bad one). For an existing
  workspace use 'codec-evolve clips add [--held-out] FILE'.`,
  async run(argv, io) {
    const { values, positionals } = parse(
      argv,
      {
        seed: { type: 'string' },
        clip: { type: 'string', multiple: true },
        'held-out': { type: 'string', multiple: true },
        policy: { type: 'string' },
        force: { type: 'boolean' },
      },
      'init',
    );
    const seed = (values.seed ?? 'hybrid') as SeedName;
    if (!SEED_NAMES.includes(seed)) throw new UsageError(`--seed ${seed} is not one of ${SEED_NAMES.join(', ')}`);
    const policy = values.policy;
    if (policy && !['review', 'auto', 'off'].includes(policy)) throw new UsageError(`--policy ${policy} is not review, auto or off`);
    const dir = resolve(io.cwd, positionals[0] ?? '.');
    const clipPaths = values.clip?.map((c) => resolve(io.cwd, c));
    const heldOut = values['held-out']?.map((c) => resolve(io.cwd, c));
    // Read with the same reader as 'metrics' before anything is written: a truncated, 10-bit, 4:4:4,
    // empty or non-video clip is refused (exit 4) and leaves no half-made workspace behind.
    for (const p of [...(clipPaths ?? []), ...(heldOut ?? [])]) await readVideo(p, { signal: io.signal });
    const { created } = initWorkspace(dir, {
      seed,
      force: values.force,
      clips: clipPaths,
      heldOut,
      configure: (c) => {
        if (policy) c.evolution.adoptionPolicy = policy as 'review';
      },
    });
    io.out(`initialised ${dir} with the ${seed} seed: ${created.join(', ')}`);
    const cd = dir === io.cwd ? '' : `cd ${dir} && `;
    io.out(`next: ${cd}${cliInvocation()} evolve --generations 30   (offline; no key needed)`);
    return 0;
  },
};
