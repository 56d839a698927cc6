// A small, fast evolution workspace for engine tests: the minimal seed on the 80x44 clip, few frames.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWorkspace } from '../../src/core/store/init';
import type { WorkspaceConfig } from '../../src/core/store/config';
import { TREE_CLIP } from './media';

export { TREE_CLIP };

export function makeEngineWorkspace(prefix: string, tweak?: (c: WorkspaceConfig) => void) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return initWorkspace(dir, {
    seed: 'minimal',
    clips: [TREE_CLIP],
    configure: (c) => {
      c.clips.smoke.frames = 2;
      c.clips.training[0].frames = 3;
      c.evolution.concurrency = 1;
      c.evolution.candidatesPerGeneration = 1;
      c.evolution.gitCommit = false;
      tweak?.(c);
    },
  });
}
