import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { addClip } from '../../core/store/clips';
import { UsageError } from '../../core/errors';
import { readVideo, describeVideo } from '../../core/video/read';
import { resolve } from 'node:path';

export const clips: Command = {
  name: 'clips',
  summary: "list the workspace's clips, or add one as training or held-out",
  usage: `codec-evolve clips [list] [--json]
codec-evolve clips add [--held-out] FILE...
  add copies each FILE into .codec-evolution/clips/ and lists it as a training clip (or, with --held-out,
  a held-out clip: only checked for regressions, its numbers never reach the model). Each clip is read
  first with the same reader as 'metrics' (8-bit 4:2:0, complete frames); a bad clip exits 4.
  A loop running on the workspace holds its lock: clips add then changes nothing and exits 5.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { 'held-out': { type: 'boolean' }, json: { type: 'boolean' } }, 'clips');
    const [action = 'list', ...files] = positionals;
    const ws = Workspace.find(io.cwd);
    if (action === 'list') {
      const c = ws.readConfig().clips;
      if (values.json) {
        io.out(JSON.stringify({ schemaVersion: 1, training: c.training, heldOut: c.heldOut }));
        return 0;
      }
      for (const x of c.training) io.out(`training  ${x.path}`);
      for (const x of c.heldOut) io.out(`held-out  ${x.path}`);
      if (!c.heldOut.length) io.out('(no held-out clip: add one with clips add --held-out FILE)');
      return 0;
    }
    if (action !== 'add') throw new UsageError(`unknown clips action '${action}'`, 'use clips list or clips add [--held-out] FILE');
    if (!files.length) throw new UsageError('clips add needs a FILE', 'e.g. codec-evolve clips add --held-out other.y4m');
    const role = values['held-out'] ? 'held-out' : 'training';
    // Every clip is read first (a bad one changes nothing); then the config is written under the workspace
    // lock, so a loop running elsewhere (which holds it) makes this exit 5 instead of racing its writes.
    const videos = [];
    for (const f of files) {
      const path = resolve(io.cwd, f);
      videos.push({ path, video: await readVideo(path, { signal: io.signal, ffmpegPath: ws.readConfig().ffmpegPath }) });
    }
    ws.lock.acquire(`codec-evolve clips add (pid ${process.pid})`);
    try {
      for (const { path, video } of videos) {
        const r = addClip(ws, path, role);
        io.out(r.added ? `added ${describeVideo(video, path)} as a ${role} clip (${r.path})` : `${r.path} is already a ${role} clip`);
      }
    } finally {
      ws.lock.release();
    }
    return 0;
  },
};
