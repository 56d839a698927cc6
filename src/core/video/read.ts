// Reading any clip as 8-bit 4:2:0 frames: Y4M natively, everything else decoded by ffmpeg to raw
// yuv420p over a pipe. Frames are taken in decode order and paired by index, never by timestamp:
// raw .h264 streams default to 25 fps and timestamp matching would silently drop or repeat frames.
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { frameBytes, chromaHeight, chromaWidth, type Frame, type Video } from '../codec/contract';
import { InputError } from '../errors';
import { parseY4MHeader, readY4M, type WarningSink } from './y4m';
import { firstLine, locateFfmpeg, runFfmpeg, type LocateOptions } from './ffmpeg';

export interface ReadOptions extends LocateOptions {
  maxFrames?: number;
  signal?: AbortSignal;
  /** What is read but worth telling the person (an interlaced Y4M). */
  onWarning?: WarningSink;
}

export interface VideoProbe {
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  /** Exact for Y4M; for other formats counted by decoding when `countFrames` is set, else undefined. */
  frames?: number;
  /** 'y4m' or ffmpeg's codec name (h264, hevc, av1, ...). */
  codec: string;
  /** Pixel format as ffmpeg names it ('yuv420p' for Y4M). */
  pixFmt: string;
}

async function checkReadable(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new InputError(`${path} is not a file`, 'give the path of a video file');
    return s.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(e as Error).message}`, 'check the path', {
      cause: e,
    });
  }
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function isY4M(path: string): Promise<boolean> {
  return (await readHead(path, 9)).toString('latin1') === 'YUV4MPEG2';
}

/** Splits "a, b(c, d), e" at top-level commas. */
function splitFields(s: string): string[] {
  const out: string[] = [];
  let depth = 0,
    cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** "29.97" → 30000/1001, "25" → 25/1, "23.98" → 24000/1001. */
export function fpsFraction(text: string): { fpsNum: number; fpsDen: number } {
  const x = Number(text.replace(/k$/, '000'));
  for (const base of [24, 30, 48, 60, 120]) {
    if (Math.abs(x - (base * 1000) / 1001) < 0.006) return { fpsNum: base * 1000, fpsDen: 1001 };
  }
  if (Number.isInteger(x)) return { fpsNum: x, fpsDen: 1 };
  return { fpsNum: Math.round(x * 1000), fpsDen: 1000 };
}

/** Parses the stderr of `ffmpeg -i FILE` (ffprobe is not always there: @ffmpeg-installer ships none). */
function parseStreamInfo(stderr: string, name: string): Omit<VideoProbe, 'frames'> {
  const line = stderr.split('\n').find((l) => /Stream #\d+:\d+.*: Video: /.test(l));
  if (!line) {
    throw new InputError(
      `${name} is not a video ffmpeg can read (${firstLine(stderr) || 'no video stream'})`,
      'give a Y4M file or a video file with a video stream',
    );
  }
  const fields = splitFields(line.slice(line.indexOf('Video: ') + 7));
  const codec = fields[0].split(' ')[0];
  const pixFmt = (fields[1] ?? '').replace(/\(.*$/, '');
  const size = fields.map((f) => /^(\d+)x(\d+)/.exec(f)).find(Boolean);
  if (!size) throw new InputError(`${name}: ffmpeg reports no frame size for its video stream`, 'give a different video file');
  const fpsField = fields.find((f) => / fps$/.test(f)) ?? fields.find((f) => / tbr$/.test(f));
  const fps = fpsField ? fpsFraction(fpsField.split(' ')[0]) : { fpsNum: 25, fpsDen: 1 };
  return { width: Number(size[1]), height: Number(size[2]), ...fps, codec, pixFmt };
}

function checkPixFmt(pixFmt: string, name: string): void {
  // Converting more than 8 bits down would hand the codec a different picture than the file holds.
  if (/(p|le|be)(9|10|12|14|16)|p(9|10|12|14|16)(le|be)?$|(9|10|12|14|16)(le|be)$/.test(pixFmt)) {
    throw new InputError(
      `${name} has ${pixFmt} pixels (more than 8 bits); only 8-bit video is supported`,
      `convert it first, e.g. ffmpeg -i '${name}' -pix_fmt yuv420p out.y4m`,
    );
  }
}

/** Size, rate and (with countFrames, or always for Y4M) the frame count of a clip. */
export async function probeVideo(path: string, options: ReadOptions & { countFrames?: boolean } = {}): Promise<VideoProbe> {
  const size = await checkReadable(path);
  if (await isY4M(path)) {
    const h = parseY4MHeader(await readHead(path, 4096), path, options.onWarning);
    const perFrame = frameBytes(h.width, h.height) + 6; // bare "FRAME\n" headers, as we and ffmpeg write them
    return {
      width: h.width,
      height: h.height,
      fpsNum: h.fpsNum,
      fpsDen: h.fpsDen,
      frames: Math.floor((size - h.headerBytes) / perFrame),
      codec: 'y4m',
      pixFmt: 'yuv420p',
    };
  }
  const ff = await locateFfmpeg(options);
  const r = await runFfmpeg(ff.path, ['-hide_banner', '-nostdin', '-i', path], { signal: options.signal, timeoutMs: 60000 });
  const info = parseStreamInfo(r.stderr.toString('utf8'), path);
  checkPixFmt(info.pixFmt, path);
  if (!options.countFrames) return info;
  const c = await runFfmpeg(
    ff.path,
    ['-hide_banner', '-nostdin', '-i', path, '-map', '0:v:0', '-vsync', 'passthrough', '-f', 'null', '-'],
    { signal: options.signal },
  );
  const counts = [...c.stderr.toString('utf8').matchAll(/frame=\s*(\d+)/g)];
  return { ...info, frames: counts.length ? Number(counts[counts.length - 1][1]) : undefined };
}

/** Reads a whole clip into memory as 8-bit 4:2:0 frames. */
export async function readVideo(path: string, options: ReadOptions = {}): Promise<Video> {
  await checkReadable(path);
  const maxFrames = options.maxFrames ?? Infinity;
  if (await isY4M(path)) return readY4M(path, maxFrames, options.onWarning);
  const ff = await locateFfmpeg(options);
  const probe = await runFfmpeg(ff.path, ['-hide_banner', '-nostdin', '-i', path], { signal: options.signal, timeoutMs: 60000 });
  const info = parseStreamInfo(probe.stderr.toString('utf8'), path);
  checkPixFmt(info.pixFmt, path);
  const { width, height } = info;
  const ySize = width * height,
    cSize = chromaWidth(width) * chromaHeight(height),
    fb = frameBytes(width, height);
  const frames: Frame[] = [];
  // Frames are cut out of the pipe as they arrive, so memory holds frames, not one giant buffer twice.
  let pending: Buffer[] = [],
    pendingBytes = 0;
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', path, '-map', '0:v:0', '-vsync', 'passthrough'];
  if (Number.isFinite(maxFrames)) args.push('-frames:v', String(maxFrames));
  args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-');
  const r = await runFfmpeg(ff.path, args, {
    signal: options.signal,
    onStdout: (chunk) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < fb) return;
      const all = Buffer.concat(pending);
      let pos = 0;
      while (all.length - pos >= fb) {
        // Copies, so the pipe's chunks can be freed and frames are plain Uint8Arrays.
        frames.push({
          y: new Uint8Array(all.subarray(pos, pos + ySize)),
          u: new Uint8Array(all.subarray(pos + ySize, pos + ySize + cSize)),
          v: new Uint8Array(all.subarray(pos + ySize + cSize, pos + fb)),
        });
        pos += fb;
      }
      pending = pos < all.length ? [all.subarray(pos)] : [];
      pendingBytes = all.length - pos;
    },
  });
  if (r.code !== 0) {
    throw new InputError(
      `ffmpeg could not decode ${path}: ${firstLine(r.stderr) || `exit ${r.code}`}`,
      'check that the file is a complete, readable video',
    );
  }
  if (frames.length === 0) throw new InputError(`${path} decoded to no frames`, 'give a clip with at least one frame');
  return { width, height, fpsNum: info.fpsNum, fpsDen: info.fpsDen, frames };
}

export function describeVideo(v: Video, path: string): string {
  return `${basename(path)}: ${v.width}x${v.height}, ${v.frames.length} frames, ${(v.fpsNum / v.fpsDen).toFixed(3).replace(/\.?0+$/, '')} fps`;
}
