// `npm run bench`: every figure of issue 7, each a ratio or amount measured side by side in this run.
// Prints a table and writes bench/results.json. Options: --only a,b (sections), --ffmpeg PATH,
// --quick (smaller sizes, for trying the benchmark itself; not figures to report).
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { delimiter, join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { locateFfmpeg } from '../../src/core/video/ffmpeg';
import { readY4M } from '../../src/core/video/y4m';
import { benchBaselineCache } from './baseline';
import { benchBreakdown } from './breakdown';
import { benchEvolution } from './evolution';
import { BenchMedia, FOREMAN } from './media';
import { benchMemory } from './memory';
import { benchMetrics } from './metrics';
import { RESULTS_SCHEMA_VERSION, formatTable, machine, type BenchResults, type SectionResult } from './report';
import { benchSandbox } from './sandbox';
import { benchQueue } from './queue';

function systemFfmpeg(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'ffmpeg');
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

const SECTIONS = ['metrics', 'sandbox', 'breakdown', 'evolution', 'baseline', 'memory', 'queue'] as const;
type Section = (typeof SECTIONS)[number];

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const quick = argv.includes('--quick');
  const onlyArg = argv[argv.indexOf('--only') + 1];
  const only = argv.includes('--only') ? new Set(onlyArg.split(',')) : undefined;
  const unknown = only && [...only].filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown?.length) {
    console.error(`unknown section ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
    return 2;
  }

  const ffArg = argv.includes('--ffmpeg') ? argv[argv.indexOf('--ffmpeg') + 1] : undefined;
  // The system ffmpeg (what `npm run setup` installs) before the product's bundled fallbacks: the
  // 2018 static build in @ffmpeg-installer has older filter code (its SSIM line drifts in the 6th
  // decimal over thousands of frames) and no SVT-AV1; --ffmpeg or CODEC_EVOLVE_FFMPEG override.
  const ff = await locateFfmpeg({ ffmpegPath: ffArg ?? (process.env.CODEC_EVOLVE_FFMPEG ? undefined : systemFfmpeg()) });
  const started = new Date();
  const t0 = performance.now();
  const results: BenchResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    startedAt: started.toISOString(),
    durationS: 0,
    machine: machine(`${ff.version} (${ff.path})`),
    sections: {},
  };
  const media = new BenchMedia(ff.path);
  const log = (m: string) => console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${m}`);
  const steps: Record<Section, () => Promise<SectionResult>> = {
    metrics: async () =>
      benchMetrics(ff.path, await media.foremanRaw(quick ? 63 : 300), { passes: quick ? 3 : 10, repetitions: quick ? 3 : 7 }),
    sandbox: async () => {
      const foreman = await readY4M(FOREMAN);
      return benchSandbox(foreman, { starts: quick ? 5 : 20, roundTrips: quick ? 2 : 5 });
    },
    breakdown: () => benchBreakdown(ff.path, media.sub('breakdown-cache'), quick ? [20, 40, 60, 80] : [20, 40, 60, 80]),
    evolution: () =>
      benchEvolution((n) => media.sub(n), ff.path, {
        generations: quick ? 1 : 2,
        candidatesPerGeneration: 4,
        qualities: [10, 30, 50, 70, 90],
      }),
    baseline: () => benchBaselineCache(ff.path, media.sub('baseline-cache')),
    queue: () =>
      benchQueue(ff.path, { jobs: quick ? 4 : 8, overheadJobs: quick ? 5 : 20, qualities: [10, 30, 50, 70, 90], workerCounts: [1, 2, 4] }),
    memory: async () => {
      const frames = quick ? 10 : 60;
      return benchMemory(await media.foreman720p(frames), ff.path, { frames, width: 1280, height: 720, quality: 50 });
    },
  };
  try {
    for (const s of SECTIONS) {
      if (only && !only.has(s)) continue;
      log(`${s}…`);
      const s0 = performance.now();
      try {
        results.sections[s] = await steps[s]();
      } catch (e) {
        results.sections[s] = { figures: [], detail: {}, error: (e as Error).message };
      }
      log(`${s} done in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
    }
  } finally {
    media.cleanup();
  }
  results.durationS = Math.round((performance.now() - t0) / 100) / 10;
  results.machine.loadAverageEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  const m = results.machine;
  console.log(`\nCodec Evolution benchmark — ${m.cpuModel}, ${m.cores} cores, node ${m.node}, ffmpeg ${m.ffmpeg}`);
  console.log(
    `load average ${m.loadAverageStart.join(' ')} at start, ${(m.loadAverageEnd ?? []).join(' ')} at end; ${results.durationS} s${quick ? ' (--quick: reduced sizes)' : ''}\n`,
  );
  console.log(formatTable(results.sections));
  console.log('');
  for (const [name, s] of Object.entries(results.sections))
    for (const f of s.figures) if (f.note) console.log(`  ${name}: ${f.label}: ${f.note}`);
  const outDir = join(packageRoot(), 'bench');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'results.json');
  writeFileSync(out, JSON.stringify({ ...results, quick }, null, 2) + '\n');
  console.log(`\nwritten: ${out}`);
  return Object.values(results.sections).some((s) => s.error) ? 1 : 0;
}
