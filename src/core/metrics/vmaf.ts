// VMAF through ffmpeg's libvmaf filter, only when the chosen ffmpeg was built with it: then `vmaf` is
// one more registry metric; otherwise it is absent with a one-line note, never estimated. The
// frames stream into an ffmpeg child as they are decoded (distorted on stdin, reference on fd 3),
// so neither the extension host's thread nor the harness holds the decoded clip; the score is the
// pooled mean libvmaf writes to its JSON log.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { chromaHeight, chromaWidth, type Frame } from '../codec/contract';
import { EnvironmentError } from '../errors';
import { firstLine, runFfmpeg, type FfmpegLocation } from '../video/ffmpeg';

/** Whether VMAF can be measured with an ffmpeg, and if not, the one line that says why. */
export interface VmafSupport {
  available: boolean;
  note?: string;
}

const probeCache = new Map<string, Promise<VmafSupport>>();

/** Whether `ffmpeg -filters` lists libvmaf (Debian 12's ffmpeg 5.1 does not; it has only vmafmotion). */
async function hasLibvmafFilter(ffmpegPath: string): Promise<boolean> {
  const r = await runFfmpeg(ffmpegPath, ['-hide_banner', '-filters'], { timeoutMs: 20000 });
  return r.stdout
    .toString('utf8')
    .split('\n')
    .some((l) => /^\s*\S+\s+libvmaf\s/.test(l));
}

/**
 * Listed is not enough: a static ffmpeg can carry the filter without the model file it loads (the
 * 2018 @ffmpeg-installer build looks for /usr/local/share/model/vmaf_v0.6.1.pkl). So two grey 64x64
 * frames go through the same path a measurement takes; only a score back counts as available.
 */
export function probeVmaf(ff: Pick<FfmpegLocation, 'path' | 'version'>): Promise<VmafSupport> {
  let p = probeCache.get(ff.path);
  if (!p) {
    p = (async (): Promise<VmafSupport> => {
      if (!(await hasLibvmafFilter(ff.path))) {
        return {
          available: false,
          note: `VMAF not measured: ${ff.path} (${ff.version.replace(/ Copyright.*$/, '')}) has no libvmaf filter; an ffmpeg built with --enable-libvmaf adds it (--ffmpeg / codecEvolution.ffmpegPath)`,
        };
      }
      const grey = (v: number): Frame => ({
        y: new Uint8Array(64 * 64).fill(v),
        u: new Uint8Array(32 * 32).fill(128),
        v: new Uint8Array(32 * 32).fill(128),
      });
      const acc = new VmafAccumulator(ff.path, 64, 64);
      for (let i = 0; i < 2; i++) acc.add(grey(120), grey(122));
      try {
        await acc.finish();
        return { available: true };
      } catch (e) {
        return {
          available: false,
          note: `VMAF not measured: ${ff.path} has a libvmaf filter but it fails (${e instanceof EnvironmentError ? e.message.replace(/^libvmaf failed: /, '') : String(e)})`,
        };
      }
    })();
    probeCache.set(ff.path, p);
  }
  return p;
}

/** The pooled mean from libvmaf's JSON log: pooled_metrics.vmaf.mean (libvmaf 2), or the aggregate
 * VMAF_score / "VMAF score" of libvmaf 1.x. */
export function vmafFromLog(log: unknown): number | undefined {
  const l = log as { pooled_metrics?: { vmaf?: { mean?: unknown } }; aggregate?: { VMAF_score?: unknown }; 'VMAF score'?: unknown };
  const v = l?.pooled_metrics?.vmaf?.mean ?? l?.aggregate?.VMAF_score ?? l?.['VMAF score'];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Streams (reference, distorted) frame pairs into ffmpeg's libvmaf; `finish()` gives the pooled mean. */
export class VmafAccumulator {
  private readonly dir: string;
  private readonly done: Promise<{ code: number | null; stderr: string }>;
  private readonly distorted: Writable;
  private readonly reference: Writable;
  private n = 0;
  private failed?: Error;

  constructor(
    ffmpegPath: string,
    readonly width: number,
    readonly height: number,
    fps: { num: number; den: number } = { num: 25, den: 1 },
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'codec-evolve-vmaf-'));
    const raw = (input: string) => [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      `${width}x${height}`,
      '-r',
      `${fps.num}/${fps.den}`,
      '-i',
      input,
    ];
    // libvmaf takes the distorted stream first, the reference second.
    const child = spawn(
      ffmpegPath,
      [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        ...raw('pipe:0'),
        ...raw('pipe:3'),
        '-lavfi',
        `[0:v][1:v]libvmaf=log_fmt=json:log_path=${join(this.dir, 'vmaf.json')}:n_threads=1`,
        '-f',
        'null',
        '-',
      ],
      { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], windowsHide: true },
    );
    this.distorted = child.stdin!;
    this.reference = child.stdio[3] as Writable;
    for (const s of [this.distorted, this.reference])
      s.on('error', (e) => {
        this.failed ??= e;
      });
    const err: Buffer[] = [];
    // libvmaf 1.x prints its errors (a missing model…) on stdout, ffmpeg on stderr: keep the start of both.
    const keep = (c: Buffer) => {
      if (err.length < 64) err.push(c);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.done = new Promise((resolve) => {
      child.on('error', (e) => {
        this.failed ??= e;
        resolve({ code: -1, stderr: e.message });
      });
      child.on('close', (code) => resolve({ code, stderr: Buffer.concat(err).toString('utf8') }));
    });
  }

  private planes(f: Frame): Buffer {
    const cw = chromaWidth(this.width),
      ch = chromaHeight(this.height);
    return Buffer.concat([f.y.subarray(0, this.width * this.height), f.u.subarray(0, cw * ch), f.v.subarray(0, cw * ch)]);
  }

  add(reference: Frame, distorted: Frame): void {
    this.reference.write(this.planes(reference));
    this.distorted.write(this.planes(distorted));
    this.n++;
  }

  get frames(): number {
    return this.n;
  }

  /** The pooled VMAF mean over the frames added; an EnvironmentError when ffmpeg could not compute it. */
  async finish(): Promise<number> {
    this.reference.end();
    this.distorted.end();
    const r = await this.done;
    try {
      if (this.failed || r.code !== 0) {
        // libvmaf's own complaint (a missing model file…) says more than ffmpeg's closing line.
        const lines = r.stderr.split('\n').map((l) => l.trim());
        const why =
          lines.find((l) => /model|VmafException/i.test(l)) ??
          lines.find((l) => /error|cannot|fail/i.test(l) && !/Conversion failed/.test(l)) ??
          firstLine(r.stderr);
        throw new EnvironmentError(
          `libvmaf failed: ${why || this.failed?.message || `exit ${r.code}`}`,
          'check the ffmpeg build (ffmpeg -h filter=libvmaf) or choose another --ffmpeg',
        );
      }
      const mean = vmafFromLog(JSON.parse(readFileSync(join(this.dir, 'vmaf.json'), 'utf8')));
      if (mean === undefined) throw new EnvironmentError('libvmaf wrote no pooled VMAF mean', 'check the ffmpeg build');
      return mean;
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Stops ffmpeg without a result (the measurement failed elsewhere). */
  abort(): void {
    this.reference.destroy();
    this.distorted.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
