import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeY4M, parseY4M, readY4M, writeY4M } from '../../src/core/video/y4m';
import { readVideo } from '../../src/core/video/read';
import { InputError } from '../../src/core/errors';
import type { Video } from '../../src/core/codec/contract';
import { TEST_MEDIA, writeTenBitY4M } from '../helpers/media';
import { packageRoot } from '../../src/core/paths';

const media = TEST_MEDIA;

function randomVideo(width: number, height: number, frames: number, seed = 1): Video {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  const cw = (width + 1) >> 1,
    ch = (height + 1) >> 1;
  const plane = (n: number) => Uint8Array.from({ length: n }, rnd);
  return {
    width,
    height,
    fpsNum: 30000,
    fpsDen: 1001,
    frames: Array.from({ length: frames }, () => ({ y: plane(width * height), u: plane(cw * ch), v: plane(cw * ch) })),
  };
}

describe('video/y4m', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'y4m-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the shared clip with its header fields', async () => {
    const v = await readY4M(join(media, 'tree_building_80x44_15f.y4m'));
    assert.equal(v.width, 80);
    assert.equal(v.height, 44);
    assert.equal(v.fpsNum, 15);
    assert.equal(v.fpsDen, 1);
    assert.equal(v.frames.length, 15);
    assert.equal(v.frames[0].u.length, 40 * 22);
  });

  for (const [w, h] of [
    [7, 5],
    [1, 1],
    [33, 18],
    [80, 44],
  ]) {
    it(`round-trips ${w}x${h} with ceil chroma, byte for byte`, async () => {
      const v = randomVideo(w, h, 3, w * 31 + h);
      const file = join(dir, `rt-${w}x${h}.y4m`);
      await writeY4M(file, v);
      const back = await readY4M(file);
      assert.deepEqual([back.width, back.height, back.fpsNum, back.fpsDen], [w, h, 30000, 1001]);
      assert.equal(back.frames[0].u.length, ((w + 1) >> 1) * ((h + 1) >> 1));
      assert.deepEqual(back.frames, v.frames);
      assert.deepEqual(encodeY4M(back), readFileSync(file));
    });
  }

  it('agrees with ffmpeg on an odd-sized clip (ffmpeg writes it, we read it)', async () => {
    const file = join(dir, 'odd.y4m');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-i',
      join(media, 'tree_building_80x44_15f.y4m'),
      '-vf',
      'scale=79:43',
      '-frames:v',
      '3',
      file,
    ]);
    const v = await readY4M(file);
    assert.deepEqual([v.width, v.height, v.frames.length, v.frames[0].u.length], [79, 43, 3, 40 * 22]);
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-']);
    const ours = Buffer.concat(v.frames.flatMap((f) => [f.y, f.u, f.v]));
    assert.ok(ours.equals(raw));
  });

  it('accepts every 8-bit 4:2:0 chroma tag and a missing C tag', () => {
    const body = encodeY4M(randomVideo(4, 2, 1));
    const rest = body.subarray(body.indexOf(0x0a) + 1);
    for (const tag of [' C420', ' C420jpeg', ' C420mpeg2', ' C420paldv', '']) {
      const v = parseY4M(Buffer.concat([Buffer.from(`YUV4MPEG2 W4 H2 F25:1 Ip A1:1${tag} XYSCSS=420JPEG\n`), rest]));
      assert.equal(v.frames.length, 1, tag);
    }
  });

  it('refuses other chroma formats with a remedy', () => {
    for (const tag of ['C444', 'C422', 'Cmono']) {
      assert.throws(
        () => parseY4M(Buffer.from(`YUV4MPEG2 W4 H2 F25:1 ${tag}\nFRAME\n`)),
        (e: unknown) => e instanceof InputError && /only 8-bit 4:2:0/.test(e.message) && !!e.remedy,
      );
    }
  });

  it('refuses a 10-bit Y4M made by ffmpeg', async () => {
    const file = writeTenBitY4M(join(dir, 'ten.y4m'));
    await assert.rejects(readY4M(file), (e: unknown) => e instanceof InputError && /10-bit/.test(e.message));
  });

  it('refuses a truncated file, naming the frame', async () => {
    const file = join(dir, 'trunc.y4m');
    writeFileSync(file, readFileSync(join(media, 'tree_building_80x44_15f.y4m')).subarray(0, 50000));
    await assert.rejects(readY4M(file), (e: unknown) => e instanceof InputError && /truncated: frame 10/.test(e.message));
  });

  it('refuses a zero or malformed frame rate (F0:0) with an InputError, and the CLI exits 4', () => {
    const body = encodeY4M(randomVideo(4, 2, 1));
    const rest = body.subarray(body.indexOf(0x0a) + 1);
    for (const f of ['F0:0', 'F25:0', 'F0:1', 'Fx:y']) {
      assert.throws(
        () => parseY4M(Buffer.concat([Buffer.from(`YUV4MPEG2 W4 H2 ${f} Ip C420jpeg\n`), rest])),
        (e: unknown) => e instanceof InputError && /frame rate/.test(e.message) && !!e.remedy,
        f,
      );
    }
    // A header without F is still read at ffmpeg's 25 fps: the tag is optional in practice.
    assert.equal(parseY4M(Buffer.concat([Buffer.from('YUV4MPEG2 W4 H2 Ip C420jpeg\n'), rest])).fpsNum, 25);
    const clip = join(dir, 'zero-rate.y4m');
    const src = readFileSync(join(media, 'tree_building_80x44_15f.y4m'));
    const nl = src.indexOf(0x0a);
    writeFileSync(
      clip,
      Buffer.concat([
        Buffer.from(
          src
            .subarray(0, nl)
            .toString('latin1')
            .replace(/ F\d+:\d+/, ' F0:0'),
        ),
        src.subarray(nl),
      ]),
    );
    const cli = join(packageRoot(), 'dist', 'cli.js');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'evaluate',
        join(packageRoot(), 'src', 'core', 'codec', 'template.js'),
        '--clips',
        clip,
        '--frames',
        '2',
        '--codecs',
        'none',
        '--qualities',
        '50',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /frame rate/);
  });

  it('warns about an interlaced clip (I tag t, b or m) and reads it all the same', async () => {
    const body = encodeY4M(randomVideo(4, 2, 1));
    const rest = body.subarray(body.indexOf(0x0a) + 1);
    for (const [tag, warns] of [
      ['It', true],
      ['Ib', true],
      ['Im', true],
      ['Ip', false],
      ['', false],
    ] as const) {
      const warnings: string[] = [];
      const v = parseY4M(Buffer.concat([Buffer.from(`YUV4MPEG2 W4 H2 F25:1 ${tag} C420jpeg\n`), rest]), 'x.y4m', Infinity, (m) =>
        warnings.push(m),
      );
      assert.equal(v.frames.length, 1);
      assert.equal(warnings.length, warns ? 1 : 0, `${tag}: ${warnings.join('; ')}`);
      if (warns) assert.match(warnings[0], /x\.y4m is interlaced/);
    }
    // Through readVideo, the path every stage reads clips by.
    const clip = join(dir, 'interlaced.y4m');
    writeFileSync(clip, Buffer.concat([Buffer.from('YUV4MPEG2 W4 H2 F25:1 It C420jpeg\n'), rest]));
    const seen: string[] = [];
    await readVideo(clip, { onWarning: (m) => seen.push(m) });
    assert.equal(seen.length, 1);
  });

  it('refuses non-Y4M data and a missing file', async () => {
    assert.throws(
      () => parseY4M(Buffer.from('hello world\n')),
      (e: unknown) => e instanceof InputError && /not a Y4M/.test(e.message),
    );
    await assert.rejects(readY4M(join(dir, 'nope.y4m')), (e: unknown) => e instanceof InputError && /does not exist/.test(e.message));
  });
});
