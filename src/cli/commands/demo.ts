import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { initWorkspace } from '../../core/store/init';
import { runSession } from '../../core/evolution/session';
import { progressPrinter } from './evolve';
import { UsageError } from '../../core/errors';
import { resolve, relative } from 'node:path';

export const demo: Command = {
  name: 'demo',
  summary: 'the main job on defaults: a demo workspace, the bundled clip, the offline mutator, a few generations',
  usage: `codec-evolve demo [DIR] [--generations N] [--concurrency N]
  Initialises DIR (default ./codec-evolution-demo) with the hybrid seed and media/clips/talking_heads_160x96_9f.y4m,
  runs N generations (default 6) with the offline provider, and prints the training BD-rate gain against x264.
  Running it again continues the same workspace.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { generations: { type: 'string' }, concurrency: { type: 'string' } }, 'demo');
    const dir = resolve(io.cwd, positionals[0] ?? 'codec-evolution-demo');
    const generations = values.generations ? Number(values.generations) : 6;
    if (!Number.isInteger(generations) || generations < 1) throw new UsageError(`--generations ${values.generations} is not a positive integer`);
    const ws = new Workspace(dir);
    if (!ws.exists()) {
      initWorkspace(dir, { seed: 'hybrid' });
      io.out(`initialised ${dir} (hybrid seed, bundled clip, offline provider)`);
    } else io.out(`continuing ${dir}`);
    const started = Date.now();
    const status = await runSession(ws, {
      provider: { kind: 'offline' }, generations, signal: io.signal,
      concurrency: values.concurrency ? Number(values.concurrency) : undefined,
      onEvent: progressPrinter(io, false),
    });
    const cands = ws.listCandidates();
    const root = cands.find((c) => c.parentId === null && c.metrics?.trainingBdRate !== undefined);
    const seed = root?.metrics?.trainingBdRate;
    const best = status.best;
    const ref = ws.readConfig().primaryReference;
    const minutes = (Date.now() - started) / 60000;
    io.out('');
    io.out(`seed (hybrid) training BD-rate vs ${ref}: ${seed?.toFixed(3) ?? 'n/a'} %`);
    io.out(`best after ${status.generation - 1} generations: ${best ? `${best.trainingBdRate.toFixed(3)} % (${best.id})` : 'n/a'}`);
    if (seed !== undefined && best) io.out(`gain: ${(seed - best.trainingBdRate).toFixed(3)} percentage points of BD-rate (negative BD-rate = fewer bits than ${ref} at equal PSNR)`);
    io.out(`${status.evaluated} candidates scored, ${cands.length} proposed, in ${minutes.toFixed(1)} min; ${status.pendingReview} await review`);
    const rel = relative(io.cwd, dir) || '.';
    io.out(`history: ${ws.dir} (events.jsonl, candidates/, versions/)`);
    io.out(`next: cd ${rel} && codec-evolve review list   |   codec-evolve report --html report.html`);
    return status.stopReason === 'cancelled' ? 130 : 0;
  },
};
