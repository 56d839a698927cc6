import type { Command } from '../command';
import { parse } from '../args';
import { initWorkspace } from '../../core/store/init';
import { SEED_NAMES, type SeedName } from '../../core/store/seed-files';
import { UsageError } from '../../core/errors';
import { resolve } from 'node:path';

export const init: Command = {
  name: 'init',
  summary: 'create .codec-evolution/ and a seed codec in a folder',
  usage: `codec-evolve init [DIR] [--seed minimal|hybrid|template] [--clip FILE]... [--held-out FILE]... [--policy review|auto|off] [--force]
  Writes DIR/.codec-evolution/ (config, version 1 = the seed, event log), DIR/codec.js and DIR/codec.d.ts.
  Default: the hybrid seed and the bundled clip media/clips/talking_heads_160x96_9f.y4m; the offline provider.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      seed: { type: 'string' }, clip: { type: 'string', multiple: true }, 'held-out': { type: 'string', multiple: true },
      policy: { type: 'string' }, force: { type: 'boolean' },
    }, 'init');
    const seed = (values.seed ?? 'hybrid') as SeedName;
    if (!SEED_NAMES.includes(seed)) throw new UsageError(`--seed ${seed} is not one of ${SEED_NAMES.join(', ')}`);
    const policy = values.policy;
    if (policy && !['review', 'auto', 'off'].includes(policy)) throw new UsageError(`--policy ${policy} is not review, auto or off`);
    const dir = resolve(io.cwd, positionals[0] ?? '.');
    const { created } = initWorkspace(dir, {
      seed, force: values.force, clips: values.clip?.map((c) => resolve(io.cwd, c)), heldOut: values['held-out']?.map((c) => resolve(io.cwd, c)),
      configure: (c) => { if (policy) c.evolution.adoptionPolicy = policy as 'review'; },
    });
    io.out(`initialised ${dir} with the ${seed} seed: ${created.join(', ')}`);
    io.out(`next: codec-evolve evolve --generations 30   (offline; no key needed)`);
    return 0;
  },
};
