// YUV4MPEG2 (Y4M) reading and writing, 8-bit 4:2:0 only, with no ffmpeg involved: the clips the
// engine trains on are Y4M, so the commonest path never depends on an external binary.
import { readFile, writeFile } from 'node:fs/promises';
import { chromaHeight, chromaWidth, type Frame, type Video } from '../codec/contract';
import { InputError } from '../errors';

const MAGIC = 'YUV4MPEG2';
/** Chroma tags that are 8-bit 4:2:0; they differ only in chroma siting, which does not change the samples. */
const ACCEPTED_CHROMA = new Set(['420', '420jpeg', '420mpeg2', '420paldv']);

export interface Y4MHeader {
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  /** The C tag as written ('420jpeg' when absent, the format's default). */
  chroma: string;
  /** Bytes of the header line including its newline. */
  headerBytes: number;
  /** The I tag as written ('p' progressive when absent): t/b = top/bottom field first, m = mixed. */
  interlace: string;
}

/** Takes what a reader notices but does not refuse (an interlaced clip), to show the person. */
export type WarningSink = (message: string) => void;

function convertHint(name: string): string {
  return `convert it first, e.g. ffmpeg -i '${name}' -pix_fmt yuv420p out.y4m`;
}

/** Parses the stream header line; `name` only labels error messages. */
export function parseY4MHeader(buf: Uint8Array, name = 'input', onWarning?: WarningSink): Y4MHeader {
  const head = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.length, MAGIC.length)).toString('latin1');
  if (head !== MAGIC) {
    throw new InputError(
      `${name} is not a Y4M file (it does not start with '${MAGIC}')`,
      'give a .y4m file, or another video format that ffmpeg can read',
    );
  }
  const nl = buf.indexOf(0x0a);
  if (nl < 0 || nl > 4096) {
    throw new InputError(`${name}: the Y4M header line is not terminated`, 'the file is truncated or corrupt; re-create it');
  }
  const line = Buffer.from(buf.buffer, buf.byteOffset, nl).toString('latin1');
  let width = 0,
    height = 0,
    fpsNum = 0,
    fpsDen = 0,
    chroma = '420jpeg',
    interlace = 'p';
  let fpsTag: string | undefined;
  for (const tok of line.split(' ').slice(1)) {
    if (!tok) continue;
    const v = tok.slice(1);
    switch (tok[0]) {
      case 'W':
        width = Number(v);
        break;
      case 'H':
        height = Number(v);
        break;
      case 'F': {
        const [n, d] = v.split(':').map(Number);
        fpsNum = n;
        fpsDen = d;
        fpsTag = tok;
        break;
      }
      case 'C':
        chroma = v;
        break;
      case 'I':
        interlace = v;
        break;
      default:
        break; // A (aspect), X (comments) do not change the samples
    }
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new InputError(`${name}: the Y4M header has no valid size (W${width} H${height})`, 'the file is corrupt; re-create it');
  }
  if (!ACCEPTED_CHROMA.has(chroma)) {
    const tenBit = /p(9|10|12|14|16)$/.test(chroma) || chroma === 'mono16';
    throw new InputError(
      tenBit
        ? `${name} is ${chroma.replace(/^(\d)(\d)(\d)p(\d+)$/, '$4-bit $1:$2:$3')} video (Y4M C${chroma}); only 8-bit 4:2:0 is supported`
        : `${name} has chroma format C${chroma}; only 8-bit 4:2:0 (C420, C420jpeg, C420mpeg2, C420paldv) is supported`,
      convertHint(name),
    );
  }
  if (fpsTag === undefined) {
    // The format requires F; a file without it is still usable and 25 fps is what ffmpeg assumes too.
    fpsNum = 25;
    fpsDen = 1;
  } else if (!(fpsNum > 0 && fpsDen > 0 && Number.isInteger(fpsNum) && Number.isInteger(fpsDen))) {
    // kbit/s is bytes × fps / frames: a zero or garbled rate makes every rate figure 0 or Infinity.
    throw new InputError(
      `${name}: the Y4M header gives frame rate ${fpsTag}, which is not a positive fraction`,
      `fix the header's F tag, e.g. ffmpeg -i '${name}' -r 25 out.y4m`,
    );
  }
  if (interlace === 't' || interlace === 'b' || interlace === 'm') {
    // Codecs here see frames, not fields: two fields woven into one frame comb on motion, which
    // costs bits and PSNR that progressive content would not.
    onWarning?.(
      `${name} is interlaced (Y4M I${interlace}): its fields are coded as woven progressive frames; deinterlace first for meaningful numbers, e.g. ffmpeg -i '${name}' -vf bwdif=mode=send_frame out.y4m`,
    );
  }
  return { width, height, fpsNum, fpsDen, chroma, headerBytes: nl + 1, interlace };
}

/** Decodes a whole Y4M file held in memory. Frames are copies, independent of `buf`. */
export function parseY4M(buf: Uint8Array, name = 'input', maxFrames = Infinity, onWarning?: WarningSink): Video {
  const h = parseY4MHeader(buf, name, onWarning);
  const ySize = h.width * h.height;
  const cSize = chromaWidth(h.width) * chromaHeight(h.height);
  const frames: Frame[] = [];
  let pos = h.headerBytes;
  while (pos < buf.length && frames.length < maxFrames) {
    const nl = buf.indexOf(0x0a, pos);
    const tag = Buffer.from(buf.buffer, buf.byteOffset + pos, Math.min(5, buf.length - pos)).toString('latin1');
    if (tag !== 'FRAME' || nl < 0) {
      throw new InputError(
        `${name}: frame ${frames.length + 1} does not start with a FRAME header (byte ${pos})`,
        'the file is truncated or corrupt; re-create it',
      );
    }
    const start = nl + 1;
    const end = start + ySize + 2 * cSize;
    if (end > buf.length) {
      throw new InputError(
        `${name} is truncated: frame ${frames.length + 1} needs ${ySize + 2 * cSize} bytes, only ${buf.length - start} remain`,
        'the file is truncated; re-create or re-copy it',
      );
    }
    // Plain copies: frames outlive the file buffer and cross process boundaries as Uint8Array.
    frames.push({
      y: new Uint8Array(buf.subarray(start, start + ySize)),
      u: new Uint8Array(buf.subarray(start + ySize, start + ySize + cSize)),
      v: new Uint8Array(buf.subarray(start + ySize + cSize, end)),
    });
    pos = end;
  }
  if (frames.length === 0) throw new InputError(`${name} holds no frames`, 'give a clip with at least one frame');
  return { width: h.width, height: h.height, fpsNum: h.fpsNum, fpsDen: h.fpsDen, frames };
}

export async function readY4M(path: string, maxFrames = Infinity, onWarning?: WarningSink): Promise<Video> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${(e as Error).message}`, 'check the path', {
      cause: e,
    });
  }
  return parseY4M(buf, path, maxFrames, onWarning);
}

/** The stream header line (with newline) for a video of this size and rate. */
function y4mHeader(v: Pick<Video, 'width' | 'height' | 'fpsNum' | 'fpsDen'>): string {
  return `${MAGIC} W${v.width} H${v.height} F${v.fpsNum}:${v.fpsDen} Ip A1:1 C420jpeg\n`;
}

export function encodeY4M(video: Video): Buffer {
  const ySize = video.width * video.height;
  const cSize = chromaWidth(video.width) * chromaHeight(video.height);
  const header = Buffer.from(y4mHeader(video), 'latin1');
  const frameLen = 6 + ySize + 2 * cSize;
  const out = Buffer.allocUnsafe(header.length + frameLen * video.frames.length);
  header.copy(out, 0);
  let pos = header.length;
  for (const [i, f] of video.frames.entries()) {
    if (f.y.length !== ySize || f.u.length !== cSize || f.v.length !== cSize) {
      throw new InputError(
        `frame ${i} has planes of ${f.y.length}/${f.u.length}/${f.v.length} bytes, expected ${ySize}/${cSize}/${cSize}`,
        'every frame must match the video size (4:2:0, chroma ceil(w/2) x ceil(h/2))',
      );
    }
    pos += out.write('FRAME\n', pos, 'latin1');
    out.set(f.y, pos);
    pos += ySize;
    out.set(f.u, pos);
    pos += cSize;
    out.set(f.v, pos);
    pos += cSize;
  }
  return out;
}

export async function writeY4M(path: string, video: Video): Promise<void> {
  await writeFile(path, encodeY4M(video));
}
