// Figure 1: PSNR and SSIM throughput of our metric code against ffmpeg's psnr and ssim filters on the
// same frames. ffmpeg reads raw yuv420p (no decoding) and runs several passes over the clip in one
// process (-stream_loop) so its start-up is small against the work; a third ffmpeg run with the same
// inputs and no metric ([0]nullsink;[1]null) is subtracted, leaving the filter's own cost ("net").
// Ours runs the streaming accumulators the evaluation uses, over the same frames held in memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Frame } from '../../src/core/codec/contract';
import { PsnrAccumulator, formatPsnr } from '../../src/core/metrics/psnr';
import { SsimAccumulator, formatSsim } from '../../src/core/metrics/ssim';
import type { RawPair } from './media';
import type { Figure, SectionResult } from './report';
import { mbPerSecond, min } from './stats';

export interface MetricsOptions { passes: number; repetitions: number }

function frames(buf: Buffer, w: number, h: number): Frame[] {
  const y = w * h, c = (w >> 1) * (h >> 1), fb = y + 2 * c;
  return Array.from({ length: Math.floor(buf.length / fb) }, (_, i) => {
    const o = i * fb;
    return { y: buf.subarray(o, o + y), u: buf.subarray(o + y, o + y + c), v: buf.subarray(o + y + c, o + fb) };
  });
}

interface FfRun { ms: number; cpuMs: number; stderr: string }

function runFfmpegTimed(ffmpeg: string, args: string[]): Promise<FfRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { if (stderr.length < 1 << 16) stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) { reject(new Error(`ffmpeg exited ${code}: ${stderr.trim().split('\n').pop()}`)); return; }
      const m = /CPU_TIME\s+(\d+)/.exec(stderr);
      resolve({ ms, cpuMs: m ? Number(m[1]) : NaN, stderr });
    });
  });
}

type Filter = 'psnr' | 'ssim' | 'baseline';
const GRAPHS: Record<Filter, string> = {
  psnr: '[0:v][1:v]psnr',
  ssim: '[0:v][1:v]ssim',
  baseline: '[0:v]nullsink;[1:v]null',
};

async function ffmpegMetric(ffmpeg: string, pair: RawPair, filter: Filter, threads: 'one' | 'default', o: MetricsOptions) {
  const raw = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${pair.width}x${pair.height}`, '-r', '30'];
  const loop = ['-stream_loop', String(o.passes - 1)];
  // Distorted first, reference second: the order of the README's reference command.
  const args = ['-hide_banner', '-nostdin', '-nostats', '-v', 'info', ...(threads === 'one' ? ['-filter_threads', '1'] : []),
    ...loop, ...raw, '-i', pair.distorted, ...loop, ...raw, '-i', pair.reference, '-filter_complex', GRAPHS[filter], '-f', 'null', '-'];
  const runs: FfRun[] = [];
  for (let i = 0; i < o.repetitions; i++) runs.push(await runFfmpegTimed(ffmpeg, args));
  const line = filter === 'baseline' ? undefined : new RegExp(`(${filter.toUpperCase()} y:.*|SSIM Y:.*)`).exec(runs[0].stderr)?.[1]?.trim();
  return { ms: min(runs.map((r) => r.ms)), all: runs.map((r) => Math.round(r.ms)), line, command: ['ffmpeg', ...args].join(' ') };
}

function ours(ref: Frame[], dist: Frame[], w: number, h: number, kind: 'psnr' | 'ssim', o: MetricsOptions) {
  const times: number[] = [];
  let line = '';
  for (let r = 0; r < o.repetitions; r++) {
    const t0 = performance.now();
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
  }
  return { ms: min(times), all: times.map(Math.round), line };
}

export async function benchMetrics(ffmpeg: string, pair: RawPair, o: MetricsOptions): Promise<SectionResult> {
  const ref = frames(readFileSync(pair.reference), pair.width, pair.height);
  const dist = frames(readFileSync(pair.distorted), pair.width, pair.height);
  const bytes = pair.bytes * o.passes;
  const detail: Record<string, unknown> = {
    what: `${pair.frames} frames of ${pair.width}x${pair.height} yuv420p (${(pair.bytes / 1e6).toFixed(1)} MB per sequence), ${o.passes} passes per run, best of ${o.repetitions} runs; MB = 10^6 bytes of one sequence's frames; ffmpeg net = (ffmpeg with the filter) - (ffmpeg with the same raw inputs and no metric)`,
    frames: pair.frames, passes: o.passes, megabytes: bytes / 1e6,
  };
  const figures: Figure[] = [];
  const baselines = new Map<string, Awaited<ReturnType<typeof ffmpegMetric>>>();
  for (const kind of ['psnr', 'ssim'] as const) {
    const us = ours(ref, dist, pair.width, pair.height, kind, o);
    const perThreads: Record<string, unknown> = {};
    for (const threads of ['default', 'one'] as const) {
      if (!baselines.has(threads)) baselines.set(threads, await ffmpegMetric(ffmpeg, pair, 'baseline', threads, o));
      const base = baselines.get(threads)!;
      const withFilter = await ffmpegMetric(ffmpeg, pair, kind, threads, o);
      const netMs = withFilter.ms - base.ms;
      const ffNet = netMs > 0 ? mbPerSecond(bytes, netMs) : NaN;
      const ffGross = mbPerSecond(bytes, withFilter.ms);
      const ourRate = mbPerSecond(bytes, us.ms);
      perThreads[threads] = {
        ffmpegMs: Math.round(withFilter.ms), ffmpegRunsMs: withFilter.all, baselineMs: Math.round(base.ms), baselineRunsMs: base.all,
        ffmpegNetMBps: Math.round(ffNet), ffmpegGrossMBps: Math.round(ffGross), ratioNet: ourRate / ffNet, ratioGross: ourRate / ffGross,
        identical: withFilter.line === us.line, ffmpegLine: withFilter.line, command: withFilter.command,
      };
      const label = kind === 'psnr' ? 'PSNR' : 'SSIM';
      const threadsLabel = threads === 'default' ? 'ffmpeg default threads' : 'ffmpeg -filter_threads 1';
      figures.push({
        id: `metrics.${kind}.${threads}`, label: `${label} throughput vs ffmpeg (${threadsLabel}, net)`, value: ourRate / ffNet, unit: 'x',
        ...(threads === 'default' ? { goal: { op: '>=' as const, value: kind === 'psnr' ? 1.0 : 0.5 } } : {}),
        note: `ours ${Math.round(ourRate)} MB/s vs ffmpeg net ${Math.round(ffNet)} MB/s (gross incl. process and raw reading ${Math.round(ffGross)} MB/s)`,
      });
    }
    detail[kind] = { oursMs: Math.round(us.ms), oursRunsMs: us.all, oursMBps: Math.round(mbPerSecond(bytes, us.ms)), oursLine: us.line, ffmpeg: perThreads };
  }
  return { figures, detail };
}
