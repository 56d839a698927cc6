// Reference codecs (x264, x265, AV1) run through ffmpeg on exactly the frames a candidate sees, and
// measured by our own metric code: the baseline is a codec run, never a remembered number.
// Each encoder writes a raw elementary stream so no container bytes are counted; the decoded frames
// are paired with the source by index. Results are cached per (clip hash, encoder, ffmpeg version, settings).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromaHeight, chromaWidth, type Video } from '../codec/contract';
import { EnvironmentError, InputError, throwIfAborted } from '../errors';
import { FrameMetrics } from '../metrics/accumulator';
import { VmafAccumulator } from '../metrics/vmaf';
import { rdPoint, readRdPoint, type RdPoint } from '../metrics/rd';
import { ffmpegEncoders, firstLine, locateFfmpeg, runFfmpeg, type FfmpegLocation } from '../video/ffmpeg';
import { videoHash } from '../video/hash';
import { readVideo } from '../video/read';
import { encodeY4M } from '../video/y4m';
import { tempPathFor } from '../store/atomic';

export type ReferenceCodec = 'x264' | 'x265' | 'av1';
export const REFERENCE_CODECS: ReferenceCodec[] = ['x264', 'x265', 'av1'];
const CACHE_SCHEMA = 1;

export interface ReferenceOptions {
  /** Which codecs; when omitted all three run and ones this ffmpeg lacks are skipped (reported). */
  codecs?: ReferenceCodec[];
  /** Number of CRF points per codec (default 5), spread over the codec's default range. */
  points?: number;
  /** Explicit CRF values per codec, overriding `points`. */
  crf?: Partial<Record<ReferenceCodec, number[]>>;
  /** Also measure VMAF (the caller checked that this ffmpeg has libvmaf). */
  vmaf?: boolean;
  /** Force one AV1 encoder instead of libsvtav1-else-libaom. */
  av1Encoder?: 'libsvtav1' | 'libaom-av1';
  /** An ffmpeg path (setting / flag) or an already located ffmpeg. */
  ffmpeg?: string | FfmpegLocation;
  /** Folder of the on-disk cache (created if missing). */
  cacheDir: string;
  /** A second tier shared between machines (a queue's Redis), keyed by the disk cache's file names. */
  shared?: SharedReferenceCache;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** Reference results under the same keys as the disk cache, for every machine that can reach it. */
export interface SharedReferenceCache {
  get(name: string): Promise<string | undefined>;
  set(name: string, record: string): Promise<void>;
}

export interface ReferenceCurve {
  codec: ReferenceCodec;
  /** The ffmpeg encoder used: libx264, libx265, libsvtav1 or libaom-av1. */
  encoder: string;
  /** The encoder arguments shared by every point (without the CRF value). */
  args: string[];
  points: RdPoint[];
  /** Points read from the cache / points encoded now. */
  cacheHits: number;
  encoded: number;
}

export interface ReferenceResult {
  clipHash: string;
  width: number;
  height: number;
  frames: number;
  fpsNum: number;
  fpsDen: number;
  ffmpeg: FfmpegLocation;
  curves: ReferenceCurve[];
  skipped: { codec: ReferenceCodec; reason: string }[];
  /** How many ffmpeg encode+decode runs this call made (0 when everything came from the cache). */
  ffmpegRuns: number;
}

interface EncoderPlan {
  encoder: string;
  args: string[];
  format: string;
  ext: string;
  range: [number, number];
  /** Smallest width/height the encoder accepts; smaller clips are encoded edge-padded. */
  minSize?: number;
}

/** CRF ranges chosen so the three curves cover a common PSNR interval on typical clips. */
async function planFor(codec: ReferenceCodec, ff: FfmpegLocation, video: Video, av1Encoder?: string): Promise<EncoderPlan | string> {
  const encoders = await ffmpegEncoders(ff.path);
  const has = (e: string) => encoders.includes(e);
  switch (codec) {
    case 'x264':
      if (!has('libx264')) return 'this ffmpeg has no libx264';
      // filter_units drops SEI (x264 writes its whole settings string into every stream): metadata, not compression.
      return {
        encoder: 'libx264',
        args: ['-c:v', 'libx264', '-preset', 'medium', '-tune', 'psnr', '-threads', '1', '-bsf:v', 'filter_units=remove_types=6'],
        format: 'h264',
        ext: '264',
        range: [20, 40],
      };
    case 'x265':
      if (!has('libx265')) return 'this ffmpeg has no libx265';
      return {
        encoder: 'libx265',
        args: ['-c:v', 'libx265', '-preset', 'medium', '-tune', 'psnr', '-x265-params', 'log-level=error:info=0:pools=1:frame-threads=1'],
        format: 'hevc',
        ext: '265',
        range: [20, 40],
      };
    case 'av1':
      // SVT-AV1 refuses pictures under 64x64; libaom takes any size, so small clips prefer it.
      if (av1Encoder && !has(av1Encoder)) return `this ffmpeg has no ${av1Encoder}`;
      if (
        av1Encoder === 'libsvtav1' ||
        (!av1Encoder && has('libsvtav1') && (Math.min(video.width, video.height) >= 64 || !has('libaom-av1')))
      ) {
        return {
          encoder: 'libsvtav1',
          args: ['-c:v', 'libsvtav1', '-preset', '8', '-svtav1-params', 'tune=1:lp=1'],
          format: 'ivf',
          ext: 'ivf',
          range: [26, 56],
          minSize: 64,
        };
      }
      if (has('libaom-av1')) {
        // Old libaom wrappers refuse to run without -strict experimental; newer ones ignore it.
        return {
          encoder: 'libaom-av1',
          args: ['-c:v', 'libaom-av1', '-strict', 'experimental', '-cpu-used', '8', '-b:v', '0', '-threads', '1', '-row-mt', '0'],
          format: 'ivf',
          ext: 'ivf',
          range: [26, 56],
        };
      }
      return 'this ffmpeg has neither libsvtav1 nor libaom-av1';
  }
}

/** `n` CRF values spread evenly (rounded) over [lo, hi]. */
export function crfLadder(n: number, [lo, hi]: [number, number]): number[] {
  if (!Number.isInteger(n) || n < 1 || n > 12) throw new InputError(`points must be an integer 1..12, got ${n}`, 'use e.g. --points 5');
  if (n === 1) return [Math.round((lo + hi) / 2)];
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((hi - lo) * i) / (n - 1)));
}

/** Payload bytes of an IVF file: the sum of frame sizes, without the 32-byte file and 12-byte frame headers. */
export function ivfPayloadBytes(buf: Buffer): number {
  if (buf.length < 32 || buf.toString('latin1', 0, 4) !== 'DKIF')
    throw new InputError('the AV1 encoder did not write an IVF stream', 'check the ffmpeg build');
  let pos = buf.readUInt16LE(6),
    total = 0;
  while (pos + 12 <= buf.length) {
    const size = buf.readUInt32LE(pos);
    total += size;
    pos += 12 + size;
  }
  return total;
}

function cacheKey(parts: object): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
}

interface CacheRecord {
  schemaVersion: number;
  key: object;
  point: RdPoint;
}

async function readCache(file: string, vmaf: boolean): Promise<RdPoint | undefined> {
  try {
    const rec = JSON.parse(await readFile(file, 'utf8')) as CacheRecord;
    // Points cached before the metric registry (flat psnrY…) are read into the one RdPoint shape;
    // one without the chroma planes is measured again rather than shown half.
    const point = rec.schemaVersion === CACHE_SCHEMA ? readRdPoint(rec.point) : undefined;
    return point && point.metrics.psnrU !== undefined && (!vmaf || point.metrics.vmaf !== undefined) ? point : undefined;
  } catch {
    return undefined;
  }
}

/** A shared record, copied to the disk cache so the next run on this machine needs no network. */
async function readShared(
  shared: SharedReferenceCache | undefined,
  name: string,
  file: string,
  vmaf: boolean,
): Promise<RdPoint | undefined> {
  const text = await shared?.get(name);
  if (!text) return undefined;
  try {
    const rec = JSON.parse(text) as CacheRecord;
    if (rec.schemaVersion !== CACHE_SCHEMA || !rec.point) return undefined;
    await writeCache(file, rec);
  } catch {
    return undefined;
  }
  return readCache(file, vmaf);
}

async function writeCache(file: string, rec: CacheRecord): Promise<void> {
  const tmp = tempPathFor(file);
  await writeFile(tmp, JSON.stringify(rec, null, 1));
  await rename(tmp, file); // atomic: a concurrent reader sees the old file or the whole new one
}

/** Copies a plane into a larger one, repeating the last column and row (what encoders pad with). */
function padPlane(src: Uint8Array, w: number, h: number, W: number, H: number): Uint8Array {
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const row = src.subarray(Math.min(y, h - 1) * w, Math.min(y, h - 1) * w + w);
    out.set(row, y * W);
    out.fill(row[w - 1], y * W + w, y * W + W);
  }
  return out;
}

function cropPlane(src: Uint8Array, W: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * W, y * W + w), y * w);
  return out;
}

/** Size an encoder is given: even (x264/x265 refuse odd 4:2:0 sizes) and at least `minSize`. */
export function encodedSize(width: number, height: number, minSize = 0): [number, number] {
  const even = (n: number) => n + (n & 1);
  return [even(Math.max(width, minSize)), even(Math.max(height, minSize))];
}

/** An edge-replicated copy of at least `minSize` and even size; the decoded result is measured cropped back. */
export function padToEven(video: Video, minSize = 0): Video {
  const [W, H] = encodedSize(video.width, video.height, minSize);
  if (W === video.width && H === video.height) return video;
  const cw = chromaWidth(video.width),
    ch = chromaHeight(video.height);
  return {
    ...video,
    width: W,
    height: H,
    frames: video.frames.map((f) => ({
      y: padPlane(f.y, video.width, video.height, W, H),
      u: padPlane(f.u, cw, ch, W >> 1, H >> 1),
      v: padPlane(f.v, cw, ch, W >> 1, H >> 1),
    })),
  };
}

export function cropTo(video: Video, width: number, height: number): Video {
  if (video.width === width && video.height === height) return video;
  const cw = chromaWidth(width),
    ch = chromaHeight(height),
    CW = chromaWidth(video.width);
  return {
    ...video,
    width,
    height,
    frames: video.frames.map((f) => ({
      y: cropPlane(f.y, video.width, width, height),
      u: cropPlane(f.u, CW, cw, ch),
      v: cropPlane(f.v, CW, cw, ch),
    })),
  };
}

async function encodeAndMeasure(
  video: Video,
  y4m: Buffer,
  ff: FfmpegLocation,
  plan: EncoderPlan,
  crf: number,
  dir: string,
  signal?: AbortSignal,
  vmaf?: boolean,
): Promise<RdPoint> {
  const out = join(dir, `${plan.encoder}-crf${crf}.${plan.ext}`);
  const t0 = performance.now();
  const enc = await runFfmpeg(
    ff.path,
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-f',
      'yuv4mpegpipe',
      '-i',
      '-',
      ...plan.args,
      '-crf',
      String(crf),
      '-f',
      plan.format,
      out,
    ],
    { stdin: y4m, signal },
  );
  const encodeMs = performance.now() - t0;
  if (enc.code !== 0) {
    throw new EnvironmentError(
      `${plan.encoder} failed at crf ${crf}: ${firstLine(enc.stderr) || `exit ${enc.code}`}`,
      'check the ffmpeg build, or choose another --ffmpeg',
    );
  }
  const raw = await readFile(out);
  const bytes = plan.format === 'ivf' ? ivfPayloadBytes(raw) : raw.length;
  const t1 = performance.now();
  const back = await readVideo(out, { ffmpegPath: ff.path, signal });
  const decodeMs = performance.now() - t1;
  const [W, H] = encodedSize(video.width, video.height, plan.minSize);
  if (back.frames.length !== video.frames.length || back.width !== W || back.height !== H) {
    throw new EnvironmentError(
      `${plan.encoder} at crf ${crf} decoded to ${back.frames.length} frames of ${back.width}x${back.height}, expected ${video.frames.length} of ${W}x${H}`,
      'check the ffmpeg build',
    );
  }
  const decoded = cropTo(back, video.width, video.height);
  // The same metric code as the candidates' points, so BD-rate compares like with like.
  const acc = new FrameMetrics(video.width, video.height);
  const vm = vmaf ? new VmafAccumulator(ff.path, video.width, video.height, { num: video.fpsNum, den: video.fpsDen }) : undefined;
  for (let i = 0; i < video.frames.length; i++) {
    acc.add(video.frames[i], decoded.frames[i]);
    vm?.add(video.frames[i], decoded.frames[i]);
  }
  const metrics = acc.values();
  // A reference point is cached; a VMAF failure here is the environment's, so it is raised, not cached half.
  if (vm) metrics.vmaf = await vm.finish();
  return rdPoint({
    bytes,
    frames: video.frames.length,
    fpsNum: video.fpsNum,
    fpsDen: video.fpsDen,
    metrics,
    encodeMs,
    decodeMs,
    setting: `crf=${crf}`,
  });
}

export async function runReference(clip: Video | string, options: ReferenceOptions): Promise<ReferenceResult> {
  const { signal } = options;
  const ff = typeof options.ffmpeg === 'object' ? options.ffmpeg : await locateFfmpeg({ ffmpegPath: options.ffmpeg });
  const video = typeof clip === 'string' ? await readVideo(clip, { ffmpegPath: ff.path, signal }) : clip;
  const clipHash = videoHash(video);
  await mkdir(options.cacheDir, { recursive: true });
  const result: ReferenceResult = {
    clipHash,
    width: video.width,
    height: video.height,
    frames: video.frames.length,
    fpsNum: video.fpsNum,
    fpsDen: video.fpsDen,
    ffmpeg: ff,
    curves: [],
    skipped: [],
    ffmpegRuns: 0,
  };
  const y4ms = new Map<string, Buffer>();
  let dir: string | undefined;
  try {
    for (const codec of options.codecs ?? REFERENCE_CODECS) {
      throwIfAborted(signal);
      const plan = await planFor(codec, ff, video, options.av1Encoder);
      if (typeof plan === 'string') {
        if (options.codecs)
          throw new EnvironmentError(
            `cannot run ${codec}: ${plan} (${ff.path}, ${ff.version})`,
            'use an ffmpeg built with it (--ffmpeg / codecEvolution.ffmpegPath) or leave it out of --codecs',
          );
        result.skipped.push({ codec, reason: plan });
        continue;
      }
      const values = options.crf?.[codec] ?? crfLadder(options.points ?? 5, plan.range);
      const curve: ReferenceCurve = { codec, encoder: plan.encoder, args: plan.args, points: [], cacheHits: 0, encoded: 0 };
      for (const crf of values) {
        throwIfAborted(signal);
        const key = {
          clipHash,
          encoder: plan.encoder,
          ffmpegVersion: ff.version,
          args: plan.args,
          crf,
          format: plan.format,
          encodedSize: encodedSize(video.width, video.height, plan.minSize),
        };
        const name = `${codec}-${cacheKey(key)}.json`;
        const file = join(options.cacheDir, name);
        let point = (await readCache(file, !!options.vmaf)) ?? (await readShared(options.shared, name, file, !!options.vmaf));
        if (point) {
          curve.cacheHits++;
        } else {
          options.onProgress?.(`${codec} (${plan.encoder}) crf ${crf}`);
          const [W, H] = encodedSize(video.width, video.height, plan.minSize);
          let y4m = y4ms.get(`${W}x${H}`);
          if (!y4m) y4ms.set(`${W}x${H}`, (y4m = encodeY4M(padToEven(video, plan.minSize))));
          dir ??= await mkdtemp(join(tmpdir(), 'codec-evolve-ref-'));
          point = await encodeAndMeasure(video, y4m, ff, plan, crf, dir, signal, options.vmaf);
          result.ffmpegRuns++;
          curve.encoded++;
          const rec = { schemaVersion: CACHE_SCHEMA, key, point };
          await writeCache(file, rec);
          await options.shared?.set(name, JSON.stringify(rec));
        }
        curve.points.push(point);
      }
      result.curves.push(curve);
    }
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
  return result;
}

/** Where the CLI keeps its cache by default: $XDG_CACHE_HOME or ~/.cache, under codec-evolution/baseline. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(base, 'codec-evolution', 'baseline');
}
