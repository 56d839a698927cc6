// Where the package's own files are, whether we run bundled (dist/*.js) or from source (tests).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cachedRoot: string | undefined;

/** The folder holding this package's package.json. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    if (
      (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) ||
      (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'dist')))
    ) {
      cachedRoot = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package root above ${__dirname}`);
    dir = up;
  }
}

/** A bundled file in dist/ (built by `npm run build`). */
export function distFile(name: string): string {
  const beside = join(__dirname, name);
  if (existsSync(beside)) return beside;
  return join(packageRoot(), 'dist', name);
}
