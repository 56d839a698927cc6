// A host that starts one sandbox child running an endless-loop candidate and waits: the test kills
// this process (kill -9 of its process group) and checks that the child does not outlive it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareCandidate } from '../../src/core/sandbox/validator';
import { runEncode } from '../../src/core/sandbox/runner';
import { readY4M } from '../../src/core/video/y4m';
import { TREE_CLIP } from './media';

void (async () => {
  const src = readFileSync(join(__dirname, '..', 'fixtures', 'candidates', 'attacks', 'loop-encode.js'), 'utf8');
  const candidate = prepareCandidate(src, 'loop-encode.js').candidate!;
  const video = await readY4M(TREE_CLIP, 2);
  // A wall clock far beyond the test: only the host's death may end this child.
  await runEncode(candidate, video, 50, { limits: { timeoutMs: 3_600_000 }, onSpawn: (pid) => process.stdout.write(`child ${pid}\n`) });
})();
