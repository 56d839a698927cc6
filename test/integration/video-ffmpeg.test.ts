import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegEncoders, locateFfmpeg, runFfmpeg } from '../../src/core/video/ffmpeg';
import { CancelledError, EnvironmentError } from '../../src/core/errors';
import { packageRoot } from '../../src/core/paths';

const installerBinary = join(packageRoot(), 'node_modules', '@ffmpeg-installer', `${process.platform}-${process.arch}`, 'ffmpeg');

describe('video/ffmpeg', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ffmpeg-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers an explicit path and says so', async () => {
    const loc = await locateFfmpeg({ ffmpegPath: '/usr/bin/ffmpeg', env: {} });
    assert.equal(loc.source, 'explicit');
    assert.equal(loc.path, '/usr/bin/ffmpeg');
    assert.match(loc.version, /^ffmpeg version /);
    assert.match(loc.reason, /explicit/);
  });

  it('takes CODEC_EVOLVE_FFMPEG when no explicit path is given', async () => {
    const loc = await locateFfmpeg({ env: { CODEC_EVOLVE_FFMPEG: '/usr/bin/ffmpeg', PATH: '' } });
    assert.equal(loc.source, 'env');
  });

  /** A stand-in ffmpeg (a real executable script) that prints a version line and an encoder list. */
  function fakeFfmpeg(folder: string, version: string, year: number, encoders: string[]): string {
    const d = join(dir, folder);
    mkdirSync(d, { recursive: true });
    const p = join(d, 'ffmpeg');
    const list = encoders.map((e) => ` V....D ${e.padEnd(20)} ${e}`).join('\\n');
    writeFileSync(
      p,
      `#!/bin/sh\ncase "$*" in\n  *-encoders*) printf 'Encoders:\\n ------\\n${list}\\n' ;;\n  *) echo "ffmpeg version ${version} Copyright (c) 2000-${year} the FFmpeg developers" ;;\nesac\n`,
    );
    chmodSync(p, 0o755);
    return p;
  }

  it('among the candidates found, takes the newest with the reference encoders, and says why', async () => {
    const old = fakeFfmpeg('old', '4.1.2', 2018, ['libx264', 'libx265', 'libaom-av1']);
    const noX265 = fakeFfmpeg('nox265', '7.1', 2025, ['libx264', 'libsvtav1']);
    const good = fakeFfmpeg('good', '6.1.1', 2024, ['libx264', 'libx265', 'libsvtav1', 'libaom-av1']);
    const loc = await locateFfmpeg({ env: { PATH: [join(dir, 'old'), join(dir, 'nox265'), join(dir, 'good')].join(':') } });
    assert.equal(loc.path, good, loc.reason);
    assert.equal(loc.source, 'PATH');
    assert.match(loc.reason, /6\.1\.1 of 2024, all reference encoders/);
    assert.match(loc.reason, /4\.1\.2 of 2018, lacks libsvtav1/);
    assert.match(loc.reason, /7\.1 of 2025, lacks libx265/);
    const considered = loc.candidates!.map((c) => c.path);
    for (const p of [old, noX265, good]) assert.ok(considered.includes(p), `${p} was considered`);
    // The bundled @ffmpeg-installer build (2018, no SVT-AV1) is a candidate too, and loses.
    if (existsSync(installerBinary))
      assert.ok(considered.map((p) => realpathSync(p)).includes(realpathSync(installerBinary)), considered.join(' '));
  });

  it("on this machine prefers Debian's ffmpeg (SVT-AV1) over the 2018 @ffmpeg-installer build", async function () {
    if (!existsSync(installerBinary) || !existsSync('/usr/bin/ffmpeg')) this.skip();
    const loc = await locateFfmpeg({ env: { PATH: '/usr/bin' } });
    if (!(await ffmpegEncoders('/usr/bin/ffmpeg')).includes('libsvtav1')) this.skip();
    assert.equal(loc.path, '/usr/bin/ffmpeg', loc.reason);
    assert.match(loc.reason, /@ffmpeg-installer\/ffmpeg, N-\d+-\w+-static of 2018, lacks libsvtav1/);
  });

  it('an explicit path or CODEC_EVOLVE_FFMPEG still wins over a better candidate', async () => {
    const old = fakeFfmpeg('old', '4.1.2', 2018, ['libx264']);
    fakeFfmpeg('good', '6.1.1', 2024, ['libx264', 'libx265', 'libsvtav1']);
    const env = { PATH: join(dir, 'good') };
    assert.equal((await locateFfmpeg({ ffmpegPath: old, env })).path, old);
    assert.equal((await locateFfmpeg({ env: { ...env, CODEC_EVOLVE_FFMPEG: old } })).path, old);
  });

  it('finds a bare name on PATH', async () => {
    const loc = await locateFfmpeg({ ffmpegPath: 'ffmpeg', env: { PATH: `${dir}:/usr/bin` } });
    assert.equal(loc.path, '/usr/bin/ffmpeg');
  });

  it('refuses a bad explicit path with one clear EnvironmentError (no silent fallback)', async () => {
    await assert.rejects(
      locateFfmpeg({ ffmpegPath: join(dir, 'nope', 'ffmpeg') }),
      (e: unknown) => e instanceof EnvironmentError && /ffmpeg not found at/.test(e.message) && /ffmpegPath/.test(e.remedy ?? ''),
    );
    const fake = join(dir, 'fake-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\necho "not ffmpeg"\nexit 3\n');
    chmodSync(fake, 0o755);
    await assert.rejects(
      locateFfmpeg({ ffmpegPath: fake }),
      (e: unknown) => e instanceof EnvironmentError && /not a working ffmpeg/.test(e.message),
    );
  });

  it('lists the encoders of an ffmpeg', async () => {
    const enc = await ffmpegEncoders('/usr/bin/ffmpeg');
    assert.ok(enc.includes('libx264'), enc.join(' '));
    assert.ok(enc.includes('rawvideo'));
  });

  it('kills ffmpeg when the AbortSignal fires', async () => {
    const ac = new AbortController();
    const p = runFfmpeg(
      '/usr/bin/ffmpeg',
      ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10', '-t', '60', '-f', 'null', '-'],
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 300);
    // -t 60 at -re runs a minute: CancelledError (not exit 0) proves the kill.
    await assert.rejects(p, (e: unknown) => e instanceof CancelledError);
  });
});
