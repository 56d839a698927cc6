// Creating a workspace: .codec-evolution/ with its config, the seed codec as version 1, the codec
// file beside it, codec.d.ts for editors, and the bundled clip copied in so the workspace stands alone.
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors';
import { packageRoot } from '../paths';
import { defaultConfig, type WorkspaceConfig } from './config';
import { codecFile, seedSource, type SeedName } from './seed-files';
import { Workspace } from './workspace';

const BUNDLED_CLIP = 'talking_heads_160x96_9f.y4m';

function bundledClipPath(): string {
  return join(packageRoot(), 'media', 'clips', BUNDLED_CLIP);
}

export interface InitOptions {
  seed?: SeedName;
  /** Training clips; the first is also the smoke clip. Default: the bundled clip. */
  clips?: string[];
  heldOut?: string[];
  force?: boolean;
  configure?: (c: WorkspaceConfig) => void;
}

export function initWorkspace(root: string, opts: InitOptions = {}): { ws: Workspace; config: WorkspaceConfig; created: string[] } {
  const ws = new Workspace(root);
  if (ws.exists() && !opts.force) {
    throw new InputError(`${ws.dir} already exists`, 'use it as it is (codec-evolve status), or pass --force to start over');
  }
  // Checked before any folder is made: a bad --clip must not leave an empty .codec-evolution/ behind.
  for (const src of [...(opts.clips ?? []), ...(opts.heldOut ?? [])]) {
    if (!existsSync(src)) throw new InputError(`clip ${src} not found`, 'give an existing .y4m (or any video ffmpeg reads)');
    if (!statSync(src).isFile()) throw new InputError(`clip ${src} is not a file`, 'give the path of a video file');
  }
  mkdirSync(root, { recursive: true });
  ws.ensureDirs();
  const created: string[] = [];
  const clipsDir = join(ws.dir, 'clips');
  mkdirSync(clipsDir, { recursive: true });
  const copyClip = (src: string): string => {
    if (!existsSync(src)) throw new InputError(`clip ${src} not found`, 'give an existing .y4m (or any video ffmpeg reads)');
    const dest = join(clipsDir, basename(src));
    if (!existsSync(dest)) copyFileSync(src, dest);
    return `.codec-evolution/clips/${basename(src)}`;
  };
  const training = (opts.clips?.length ? opts.clips : [bundledClipPath()]).map(copyClip);
  const heldOut = (opts.heldOut ?? []).map(copyClip);
  const config = defaultConfig(training[0]);
  config.clips.training = training.map((path) => ({ path }));
  config.clips.heldOut = heldOut.map((path) => ({ path }));
  opts.configure?.(config);
  ws.writeConfig(config);
  created.push('.codec-evolution/config.json');

  const seed = opts.seed ?? 'hybrid';
  const code = seedSource(seed);
  writeFileSync(ws.resolvePath(config.codecFile), code);
  created.push(config.codecFile);
  const dts = codecFile('codec.d.ts');
  if (dts !== undefined) {
    writeFileSync(join(root, 'codec.d.ts'), dts);
    created.push('codec.d.ts');
  }
  if (!ws.latestVersion() || opts.force) {
    ws.writeVersion(
      { version: 1, candidateId: null, time: new Date().toISOString(), parentVersion: null, message: `seed codec '${seed}'` },
      code,
    );
  }
  ws.events.append('workspace-initialized', { seed, clips: training, heldOut });
  return { ws, config, created };
}
