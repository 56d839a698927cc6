// The seed codecs, the template and codec.d.ts that `init` copies into a workspace. Bundles carry
// them inside (the build defines __CODEC_SEEDS__ from src/core/codec), because a packaged extension
// ships only dist/ and media/; from source they are read from the tree.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths';
import { EnvironmentError } from '../errors';

declare const __CODEC_SEEDS__: Record<string, string> | undefined;

const EMBEDDED: Record<string, string> = typeof __CODEC_SEEDS__ !== 'undefined' ? __CODEC_SEEDS__ : {};

export const SEED_NAMES = ['minimal', 'hybrid', 'template'] as const;
export type SeedName = (typeof SEED_NAMES)[number];

/** A file of src/core/codec by its path relative to that folder, e.g. 'seeds/hybrid.js', 'codec.d.ts'. */
export function codecFile(rel: string): string | undefined {
  if (EMBEDDED[rel] !== undefined) return EMBEDDED[rel];
  const p = join(packageRoot(), 'src', 'core', 'codec', rel);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

export function seedSource(name: SeedName): string {
  const rel = name === 'template' ? 'template.js' : `seeds/${name}.js`;
  const text = codecFile(rel);
  if (text === undefined)
    throw new EnvironmentError(
      `the ${name} seed codec (${rel}) is not in this build`,
      'choose another --seed (minimal is always there) or rebuild with npm run build',
    );
  return text;
}
