// Atomic writes: a temp file beside the target, renamed over it. Two writes of one file in one process
// (two reference runs caching the same encode at once) must each have their own temp file, or the second
// rename finds nothing (ENOENT) — seen when a generation and Run Baselines cached the same x264 encode.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tempPathFor } from '../../src/core/store/atomic';

describe('store: atomic writes', () => {
  it('concurrent writes of one file each use their own temp file and all succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ce-atomic-'));
    try {
      const file = join(dir, 'x264-cache.json');
      const names = new Set<string>();
      await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const tmp = tempPathFor(file);
          names.add(tmp);
          assert.equal(dirname(tmp), dir, 'beside the target, so the rename stays on one file system');
          await writeFile(tmp, JSON.stringify({ i }));
          await rename(tmp, file);
        }),
      );
      assert.equal(names.size, 8);
      assert.deepEqual(readdirSync(dir), ['x264-cache.json'], 'no temp file left behind');
      assert.equal(typeof JSON.parse(readFileSync(file, 'utf8')).i, 'number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
