import type { Command } from '../command';
import { parse } from '../args';
import { Workspace } from '../../core/store/workspace';
import { initWorkspace } from '../../core/store/init';
import { runSession } from '../../core/evolution/session';
import { progressPrinter } from './evolve';
import { UsageError } from '../../core/errors';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { cliInvocation } from '../invocation';
import { formatBdRate, bdRateMeaning } from '../../../webview/protocol';

/** Outside any clone of this tool, so Accept's git commit never lands in the tool's own repository. */
function defaultDemoDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEC_EVOLVE_DEMO_DIR || join(homedir(), 'codec-evolution-demo');
}

export const demo: Command = {
  name: 'demo',
  summary: 'the main job on defaults: a demo workspace, the bundled clip, the offline mutator, a few generations',
  usage: `codec-evolve demo [DIR] [--generations N] [--concurrency N]
  Initialises DIR (default ~/codec-evolution-demo, or $CODEC_EVOLVE_DEMO_DIR; outside the tool's clone) with the hybrid seed and media/clips/talking_heads_160x96_9f.y4m,
  runs N generations (default 6) with the offline provider, and prints the training BD-rate gain against x264.
  Running it again continues the same workspace.`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { generations: { type: 'string' }, concurrency: { type: 'string' } }, 'demo');
    const dir = positionals[0] ? resolve(io.cwd, positionals[0]) : defaultDemoDir();
    const generations = values.generations ? Number(values.generations) : 6;
    if (!Number.isInteger(generations) || generations < 1)
      throw new UsageError(`--generations ${values.generations} is not a positive integer`);
    const ws = new Workspace(dir);
    if (!ws.exists()) {
      initWorkspace(dir, { seed: 'hybrid' });
      io.out(`initialised ${dir} (hybrid seed, bundled clip, offline provider)`);
    } else io.out(`continuing ${dir}`);
    const started = Date.now();
    const status = await runSession(ws, {
      provider: { kind: 'offline' },
      generations,
      signal: io.signal,
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
    const done = Math.max(0, status.generation - 1);
    const cancelled = status.stopReason === 'cancelled';
    io.out(`seed (hybrid) training BD-rate vs ${ref}: ${formatBdRate(seed, 3)}`);
    if (best)
      io.out(
        `best after ${done} generation${done === 1 ? '' : 's'}${cancelled ? ' (stopped by Ctrl+C)' : ''}: ${formatBdRate(best.trainingBdRate, 3)} (${best.id})`,
      );
    else io.out(cancelled ? `stopped by Ctrl+C before any candidate was scored` : `no candidate scored yet`);
    if (seed !== undefined && best) {
      const d = seed - best.trainingBdRate;
      io.out(
        d > 0
          ? `improvement: ${d.toFixed(3)} percentage points fewer bits than the seed needed, relative to ${ref}`
          : `no improvement over the seed yet`,
      );
    }
    io.out(bdRateMeaning(ref, best?.trainingBdRate ?? seed));
    io.out(
      `${status.evaluated} candidates scored, ${cands.length} proposed, in ${minutes.toFixed(1)} min; ${status.pendingReview} await review`,
    );
    const cli = cliInvocation();
    io.out(`history: ${ws.dir} (events.jsonl, candidates/, versions/)`);
    io.out(`next: cd ${dir} && ${cli} review list   |   ${cli} report --html report.html`);
    return status.stopReason === 'cancelled' ? 130 : 0;
  },
};
