// How to run this CLI again from a shell, for the "next:" hints: `codec-evolve` only when that name on
// PATH is this very program (npm link, a global install); otherwise `node /abs/dist/cli.js`, which runs
// from any folder (a bare `codec-evolve` was exit 127 after `npm ci`, and `npx codec-evolve` outside the
// clone would look the name up in the registry).
import { realpathSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

export function cliInvocation(env: NodeJS.ProcessEnv = process.env, script: string = process.argv[1] ?? ''): string {
  const self = real(resolve(script));
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && self && real(join(dir, 'codec-evolve')) === self) return 'codec-evolve';
  }
  const shown = resolve(script);
  return `node ${/\s/.test(shown) ? `'${shown}'` : shown}`;
}
