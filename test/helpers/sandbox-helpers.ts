// Shared by the sandbox tests: a fresh worker bundle, a small real clip, a bounded-concurrency map.
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { readY4M } from '../../src/core/video/y4m';
import type { Video } from '../../src/core/codec/contract';
import { TEST_MEDIA } from './media';

let built = false;
/** Bundles src/core/sandbox/worker.ts so a single test file never runs a stale dist/ worker. */
export function workerBundle(): string {
  const out = join(packageRoot(), 'dist', 'sandbox-worker.js');
  if (!built) {
    buildSync({
      entryPoints: [join(packageRoot(), 'src/core/sandbox/worker.ts')],
      outfile: out,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      bundle: true,
      sourcemap: true,
      logLevel: 'warning',
    });
    built = true;
  }
  return out;
}

export const MEDIA = TEST_MEDIA;
export const SMALL_CLIP = join(MEDIA, 'tree_building_80x44_15f.y4m');

export async function smallVideo(frames = 3): Promise<Video> {
  return readY4M(SMALL_CLIP, frames);
}

export async function mapLimit<T, R>(items: T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]);
      }
    }),
  );
  return out;
}
