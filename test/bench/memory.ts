// Figure 6: peak resident memory of the host while it evaluates a 1280x720, 60-frame clip. The
// evaluation runs in a fresh node process (so nothing else of the benchmark is counted) whose own
// VmHWM is the figure; the sandbox children's peaks are sampled from /proc and reported beside it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import type { SectionResult } from './report';

interface ChildReport {
  ok: boolean;
  failure?: string;
  evaluationMs: number;
  hostPeakKb?: number;
  hostMaxRssKb: number;
  rssAtStartKb?: number;
  childrenPeakKb: number[];
  point?: { bytes: number; psnrY: number };
}

function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', join(packageRoot(), 'test', 'register.cjs'), join(__dirname, 'memory-child.ts'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '',
      err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`memory child exited ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`));
      else resolve(JSON.parse(out) as ChildReport);
    });
  });
}

export async function benchMemory(
  clip: string,
  ffmpeg: string,
  o: { frames: number; width: number; height: number; quality: number },
): Promise<SectionResult> {
  const codec = join(packageRoot(), 'src', 'core', 'codec', 'seeds', 'minimal.js');
  const r = await runChild([clip, codec, String(o.quality), ffmpeg]);
  if (!r.ok) throw new Error(`the minimal seed failed on the 720p clip: ${r.failure}`);
  const rawMB = (o.frames * o.width * o.height * 1.5) / 2 ** 20;
  const peakMB = (r.hostPeakKb ?? r.hostMaxRssKb) / 1024;
  return {
    figures: [
      {
        id: 'memory.hostPeak',
        label: `host peak RSS evaluating ${o.width}x${o.height}x${o.frames}`,
        value: peakMB,
        unit: 'MiB',
        note: `raw frames ${rawMB.toFixed(0)} MiB; host at start ${((r.rssAtStartKb ?? 0) / 1024).toFixed(0)} MiB; minimal seed, 1 point`,
      },
      {
        id: 'memory.childPeak',
        label: 'largest sandbox child peak RSS (sampled)',
        value: Math.max(0, ...r.childrenPeakKb) / 1024,
        unit: 'MiB',
      },
    ],
    detail: { ...r, rawFramesMiB: Math.round(rawMB), codec: 'minimal seed', quality: o.quality },
  };
}
