// codec-evolve metrics: PSNR and SSIM of a distorted clip against its reference, printed exactly as
// ffmpeg's psnr/ssim filters print them, so any number can be cross-checked with ffmpeg.
import type { Command } from '../command';
import { parse } from '../args';
import { UsageError } from '../../core/errors';
import { readVideo } from '../../core/video/read';
import { PsnrAccumulator, checkComparable, formatPsnr, psnrYuv } from '../../core/metrics/psnr';
import { SsimAccumulator, formatSsim } from '../../core/metrics/ssim';

export const metricsCommand: Command = {
  name: 'metrics',
  summary: "PSNR and SSIM of a distorted clip against its reference (equal to ffmpeg's filters)",
  usage: `codec-evolve metrics <reference> <distorted> [--json] [--ffmpeg PATH]

  Frames are paired by index. Y4M is read natively; other formats are decoded with ffmpeg.
  Prints ffmpeg's summary lines:
    PSNR y:.. u:.. v:.. average:.. min:.. max:..
    SSIM Y:.. (dB) U:.. V:.. All:..
  --json     one JSON document with every figure (and PSNR-YUV 6:1:1)
  --ffmpeg   ffmpeg binary to use for non-Y4M input (default: located automatically)`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' }, ffmpeg: { type: 'string' } }, 'metrics');
    if (positionals.length !== 2)
      throw new UsageError('metrics needs exactly two files: <reference> <distorted>', "run 'codec-evolve help metrics'");
    const [refPath, distPath] = positionals;
    const opts = { ffmpegPath: values.ffmpeg, signal: io.signal };
    const reference = await readVideo(refPath, opts);
    const distorted = await readVideo(distPath, opts);
    checkComparable(reference, distorted);
    const n = Math.min(reference.frames.length, distorted.frames.length);
    if (reference.frames.length !== distorted.frames.length) {
      io.err(
        `note: ${refPath} has ${reference.frames.length} frames, ${distPath} has ${distorted.frames.length}; comparing the first ${n}`,
      );
    }
    const psnr = new PsnrAccumulator(reference.width, reference.height);
    const ssim = new SsimAccumulator(reference.width, reference.height);
    for (let i = 0; i < n; i++) {
      psnr.add(reference.frames[i], distorted.frames[i]);
      ssim.add(reference.frames[i], distorted.frames[i]);
    }
    const p = psnr.result(),
      s = ssim.result();
    if (values.json) {
      io.out(
        JSON.stringify(
          {
            schemaVersion: 1,
            reference: refPath,
            distorted: distPath,
            width: reference.width,
            height: reference.height,
            frames: n,
            psnr: { ...p, yuv: psnrYuv(p.y, p.u, p.v) },
            ssim: s,
          },
          (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
          2,
        ),
      );
    } else {
      io.out(formatPsnr(p));
      io.out(formatSsim(s));
      io.out(`frames:${n} ${reference.width}x${reference.height} psnr_yuv(6:1:1):${psnrYuv(p.y, p.u, p.v).toFixed(6)}`);
    }
    return 0;
  },
};
