// Encode and decode speed of a codec in CPU time (user + system of this process, so a loaded machine
// slows it less than the wall clock), loaded as a module outside the sandbox. Compare two codecs side by
// side in one run. usage: node test/bench/seed-speed.mjs CODEC.js CLIP.y4m [frames] [quality ...]
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
const [codecPath, clip, nframes = '1000', ...qs] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'speed-'));
writeFileSync(join(dir, 'c.mjs'), readFileSync(codecPath));
const codec = await import(pathToFileURL(join(dir, 'c.mjs')));
const buf = readFileSync(clip);
const hdrEnd = buf.indexOf(10);
const hdr = buf.subarray(0, hdrEnd).toString();
const width = +/ W(\d+)/.exec(hdr)[1],
  height = +/ H(\d+)/.exec(hdr)[1];
const cw = (width + 1) >> 1,
  ch = (height + 1) >> 1;
const frames = [];
let p = hdrEnd + 1;
while (p < buf.length && frames.length < +nframes) {
  p = buf.indexOf(10, p) + 1;
  const y = new Uint8Array(buf.subarray(p, p + width * height));
  p += width * height;
  const u = new Uint8Array(buf.subarray(p, p + cw * ch));
  p += cw * ch;
  const v = new Uint8Array(buf.subarray(p, p + cw * ch));
  p += cw * ch;
  frames.push({ y, u, v });
}
const video = { width, height, fpsNum: 30, fpsDen: 1, frames };
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
let et = 0,
  dt = 0,
  n = 0;
for (const q of (qs.length ? qs : ['20', '50', '80']).map(Number)) {
  let t = cpu();
  const bytes = codec.encode(video, { quality: q });
  et += cpu() - t;
  t = cpu();
  codec.decode(bytes);
  dt += cpu() - t;
  n += frames.length;
  console.log(`q${q}: ${bytes.length} B`);
}
console.log(`${width}x${height} ${frames.length} frames: encode ${(n / et).toFixed(2)} fps, decode ${(n / dt).toFixed(1)} fps (CPU time)`);
