// Figure 4: evolution throughput with the offline provider — evaluations per minute with 1 and with 2
// evaluations at once, on the same workload (fresh workspaces, the bundled clip, hybrid seed, fixed
// qualities, the same number of generations and candidates per generation). The root evaluation and
// the cold x264 run before generation 1 are excluded: the window opens at generation 1.
import { initWorkspace } from '../../src/core/store/init';
import { runSession } from '../../src/core/evolution/session';
import { BUNDLED_CLIP } from './media';
import type { SectionResult } from './report';
import type { EngineEventListener } from '../../src/core/events';

export interface EvolutionOptions {
  generations: number;
  candidatesPerGeneration: number;
  qualities: number[];
}

interface Throughput {
  workers: number;
  evaluations: number;
  proposalsNotEvaluated: number;
  windowMs: number;
  perMinute: number;
  stopReason?: string;
  states: Record<string, number>;
}

async function throughput(root: string, workers: number, ffmpeg: string, o: EvolutionOptions): Promise<Throughput> {
  const { ws } = initWorkspace(root, {
    seed: 'hybrid',
    clips: [BUNDLED_CLIP],
    configure: (c) => {
      c.qualities = o.qualities;
      c.ffmpegPath = ffmpeg;
      c.evolution.concurrency = workers;
      c.evolution.candidatesPerGeneration = o.candidatesPerGeneration;
      c.evolution.gitCommit = false;
    },
  });
  let windowStart: number | undefined;
  let evaluations = 0;
  const onEvent: EngineEventListener = (type, _data) => {
    if (type === 'generation-started' && windowStart === undefined) windowStart = performance.now();
    if (type === 'evaluation-started' && windowStart !== undefined) evaluations++;
  };
  const status = await runSession(ws, { generations: o.generations, concurrency: workers, onEvent });
  const windowMs = performance.now() - (windowStart ?? performance.now());
  const records = ws.listCandidates().filter((r) => r.generation > 0);
  const states: Record<string, number> = {};
  for (const r of records) states[r.state] = (states[r.state] ?? 0) + 1;
  return {
    workers,
    evaluations,
    proposalsNotEvaluated: records.length - evaluations,
    windowMs,
    perMinute: evaluations / (windowMs / 60000),
    stopReason: status.stopReason,
    states,
  };
}

export async function benchEvolution(dirFor: (name: string) => string, ffmpeg: string, o: EvolutionOptions): Promise<SectionResult> {
  const one = await throughput(dirFor('evolve-1'), 1, ffmpeg, o);
  const two = await throughput(dirFor('evolve-2'), 2, ffmpeg, o);
  return {
    figures: [
      {
        id: 'evolution.perMinute1',
        label: 'evaluations per minute, 1 worker',
        value: one.perMinute,
        unit: '/min',
        note: `${one.evaluations} evaluations in ${(one.windowMs / 1000).toFixed(1)} s`,
      },
      {
        id: 'evolution.perMinute2',
        label: 'evaluations per minute, 2 workers',
        value: two.perMinute,
        unit: '/min',
        note: `${two.evaluations} evaluations in ${(two.windowMs / 1000).toFixed(1)} s`,
      },
      {
        id: 'evolution.scaling',
        label: 'scaling 1 → 2 workers',
        value: two.perMinute / one.perMinute,
        unit: 'x',
        goal: { op: '>=', value: 1.8 },
      },
    ],
    detail: { workload: { clip: 'media/clips/talking_heads_160x96_9f.y4m', seed: 'hybrid', provider: 'offline', ...o }, one, two },
  };
}
