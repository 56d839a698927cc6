// Adding a clip to an existing workspace: copied into .codec-evolution/clips (the workspace stands
// alone) and listed in the config as training or held-out. Used by `codec-evolve clips add` and the
// extension's Add Clip; `init --clip/--held-out` is for a new workspace only.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../errors';
import type { Workspace } from './workspace';

export type ClipRole = 'training' | 'held-out';

export function addClip(ws: Workspace, path: string, role: ClipRole): { path: string; added: boolean } {
  const dir = join(ws.dir, 'clips');
  const rel = `.codec-evolution/clips/${basename(path)}`;
  const cfg = ws.readConfig();
  const other = role === 'training' ? cfg.clips.heldOut : cfg.clips.training;
  if (other.some((c) => c.path === rel)) {
    throw new InputError(
      `${basename(path)} is already a ${role === 'training' ? 'held-out' : 'training'} clip`,
      'a clip is either training or held-out: a held-out clip the model has seen guards nothing',
    );
  }
  mkdirSync(dir, { recursive: true });
  const dest = join(dir, basename(path));
  if (!existsSync(dest)) copyFileSync(path, dest);
  const list = role === 'training' ? cfg.clips.training : cfg.clips.heldOut;
  if (list.some((c) => c.path === rel)) return { path: rel, added: false };
  list.push({ path: rel });
  ws.writeConfig(cfg);
  ws.events.append('clip-added', { path: rel, role });
  return { path: rel, added: true };
}
