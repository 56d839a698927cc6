// Figure 1: PSNR and SSIM throughput of our metric code against ffmpeg's psnr and ssim filters on the
// same frames. ffmpeg reads raw yuv420p (no decoding) and runs several passes over the clip in one
// process (-stream_loop) so its start-up is small against the work; a third ffmpeg run with the same
// inputs and no metric ([0]nullsink;[1]null) is subtracted, leaving the filter's own cost ("net").
// Ours runs the streaming accumulators the evaluation uses, over the same frames held in memory.
// The goal figures compare single-threaded work by CPU time (ffmpeg -benchmark's utime+stime, ours
// process.cpuUsage), which a busy machine disturbs far less than wall time; ffmpeg with its default
// (sliced, multi-threaded) filters is compared by wall time beside them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Frame } from '../../src/core/codec/contract';
import { PsnrAccumulator, formatPsnr } from '../../src/core/metrics/psnr';
import { SsimAccumulator, formatSsim } from '../../src/core/metrics/ssim';
import type { RawPair } from './media';
import type { Figure, SectionResult } from './report';
import { mbPerSecond, min } from './stats';

export interface MetricsOptions {
  passes: number;
  repetitions: number;
}

function frames(buf: Buffer, w: number, h: number): Frame[] {
  const y = w * h,
    c = (w >> 1) * (h >> 1),
    fb = y + 2 * c;
  return Array.from({ length: Math.floor(buf.length / fb) }, (_, i) => {
    const o = i * fb;
    return { y: buf.subarray(o, o + y), u: buf.subarray(o + y, o + y + c), v: buf.subarray(o + y + c, o + fb) };
  });
}

interface FfRun {
  ms: number;
  cpuMs: number;
  stderr: string;
}

/** ffmpeg -benchmark's last line: "bench: utime=0.123s stime=0.010s rtime=0.300s". */
export function benchmarkCpuMs(stderr: string): number {
  const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  return m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN;
}

function runFfmpegTimed(ffmpeg: string, args: string[]): Promise<FfRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 1 << 16) stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) {
        reject(new Error(`ffmpeg exited ${code}: ${stderr.trim().split('\n').pop()}`));
        return;
      }
      resolve({ ms, cpuMs: benchmarkCpuMs(stderr), stderr });
    });
  });
}

type Filter = 'psnr' | 'ssim' | 'baseline';
const GRAPHS: Record<Filter, string> = {
  psnr: '[0:v][1:v]psnr',
  ssim: '[0:v][1:v]ssim',
  baseline: '[0:v]nullsink;[1:v]null',
};

function ffmpegArgs(pair: RawPair, filter: Filter, threads: 'one' | 'default', passes: number): string[] {
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${pair.width}x${pair.height}`, '-r', '30'];
  const loop = ['-stream_loop', String(passes - 1)];
  // Distorted first, reference second: the order of the README's reference command.
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-benchmark',
    '-v',
    'info',
    ...(threads === 'one' ? ['-filter_threads', '1'] : []),
    ...loop,
    ...raw,
    '-i',
    pair.distorted,
    ...loop,
    ...raw,
    '-i',
    pair.reference,
    '-filter_complex',
    GRAPHS[filter],
    '-f',
    'null',
    '-',
  ];
}

interface FfSummary {
  ms: number;
  cpuMs: number;
  all: number[];
  allCpu: number[];
  line?: string;
  command: string;
}

/** Runs baseline, psnr and ssim in turn, `repetitions` times, so a change of load hits all three alike. */
async function ffmpegRuns(
  ffmpeg: string,
  pair: RawPair,
  threads: 'one' | 'default',
  o: MetricsOptions,
): Promise<Record<Filter, FfSummary>> {
  const filters: Filter[] = ['baseline', 'psnr', 'ssim'];
  const runs: Record<Filter, FfRun[]> = { baseline: [], psnr: [], ssim: [] };
  for (let i = 0; i < o.repetitions; i++) {
    for (const f of filters) runs[f].push(await runFfmpegTimed(ffmpeg, ffmpegArgs(pair, f, threads, o.passes)));
  }
  const out = {} as Record<Filter, FfSummary>;
  for (const f of filters) {
    const rs = runs[f];
    const line = f === 'baseline' ? undefined : /(PSNR y:.*|SSIM Y:.*)/.exec(rs[0].stderr)?.[1]?.trim();
    out[f] = {
      ms: min(rs.map((r) => r.ms)),
      cpuMs: min(rs.map((r) => r.cpuMs)),
      all: rs.map((r) => Math.round(r.ms)),
      allCpu: rs.map((r) => Math.round(r.cpuMs)),
      line,
      command: ['ffmpeg', ...ffmpegArgs(pair, f, threads, o.passes)].join(' '),
    };
  }
  return out;
}

function ours(ref: Frame[], dist: Frame[], w: number, h: number, kind: 'psnr' | 'ssim', o: MetricsOptions) {
  const times: number[] = [],
    cpu: number[] = [];
  let line = '';
  for (let r = 0; r < o.repetitions; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let p = 0; p < o.passes; p++) {
      if (kind === 'psnr') {
        const acc = new PsnrAccumulator(w, h);
        for (let i = 0; i < ref.length; i++) acc.add(dist[i], ref[i]);
        line = formatPsnr(acc.result());
      } else {
        const acc = new SsimAccumulator(w, h);
        for (let i = 0; i < ref.length; i++) acc.add(dist[i], ref[i]);
        line = formatSsim(acc.result());
      }
    }
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: min(times), cpuMs: min(cpu), all: times.map(Math.round), allCpu: cpu.map(Math.round), line };
}

export async function benchMetrics(ffmpeg: string, pair: RawPair, o: MetricsOptions): Promise<SectionResult> {
  const ref = frames(readFileSync(pair.reference), pair.width, pair.height);
  const dist = frames(readFileSync(pair.distorted), pair.width, pair.height);
  const bytes = pair.bytes * o.passes;
  const detail: Record<string, unknown> = {
    what: `${pair.frames} frames of ${pair.width}x${pair.height} yuv420p (${(pair.bytes / 1e6).toFixed(1)} MB per sequence), ${o.passes} passes per run, best of ${o.repetitions} runs; MB = 10^6 bytes of one sequence's frames; ffmpeg net = (ffmpeg with the filter) - (ffmpeg with the same raw inputs and no metric); 1-thread figures by CPU time (ffmpeg -filter_threads 1, -benchmark utime+stime; ours process.cpuUsage), default-thread figures by wall time`,
    frames: pair.frames,
    passes: o.passes,
    megabytes: bytes / 1e6,
  };
  const figures: Figure[] = [];
  const ff = { one: await ffmpegRuns(ffmpeg, pair, 'one', o), default: await ffmpegRuns(ffmpeg, pair, 'default', o) };
  for (const kind of ['psnr', 'ssim'] as const) {
    const us = ours(ref, dist, pair.width, pair.height, kind, o);
    const perThreads: Record<string, unknown> = {};
    const label = kind === 'psnr' ? 'PSNR' : 'SSIM';
    for (const threads of ['one', 'default'] as const) {
      const base = ff[threads].baseline;
      const withFilter = ff[threads][kind];
      // One thread: CPU time; default threads: wall time (what the threads buy).
      const cpu = threads === 'one';
      const oursMs = cpu ? us.cpuMs : us.ms;
      const netMs = cpu ? withFilter.cpuMs - base.cpuMs : withFilter.ms - base.ms;
      const ffNet = netMs > 0 ? mbPerSecond(bytes, netMs) : NaN;
      const ffGross = mbPerSecond(bytes, cpu ? withFilter.cpuMs : withFilter.ms);
      const ourRate = mbPerSecond(bytes, oursMs);
      perThreads[threads] = {
        clock: cpu ? 'cpu' : 'wall',
        ffmpegWallMs: withFilter.all,
        ffmpegCpuMs: withFilter.allCpu,
        baselineWallMs: base.all,
        baselineCpuMs: base.allCpu,
        ffmpegNetMBps: Math.round(ffNet),
        ffmpegGrossMBps: Math.round(ffGross),
        oursMBps: Math.round(ourRate),
        ratioNet: ourRate / ffNet,
        ratioGross: ourRate / ffGross,
        identical: withFilter.line === us.line,
        ffmpegLine: withFilter.line,
        command: withFilter.command,
      };
      figures.push({
        id: `metrics.${kind}.${threads}`,
        label: cpu ? `${label} vs ffmpeg, 1 thread each (CPU time, net)` : `${label} vs ffmpeg default threads (wall, net)`,
        value: ourRate / ffNet,
        unit: 'x',
        ...(cpu ? { goal: { op: '>=' as const, value: kind === 'psnr' ? 1.0 : 0.5 } } : {}),
        note: `ours ${Math.round(ourRate)} MB/s vs ffmpeg net ${Math.round(ffNet)} MB/s (${cpu ? 'CPU' : 'wall'} time; ffmpeg gross incl. process and raw reading ${Math.round(ffGross)} MB/s); ${withFilter.line === us.line ? "our summary line identical to ffmpeg's" : `LINES DIFFER: ours '${us.line}', ffmpeg '${withFilter.line}'`}`,
      });
    }
    detail[kind] = { oursWallMs: us.all, oursCpuMs: us.allCpu, oursLine: us.line, ffmpeg: perThreads };
  }
  return { figures, detail };
}
