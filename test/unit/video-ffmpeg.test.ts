import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ffmpegEncoders, locateFfmpeg, runFfmpeg } from '../../src/core/video/ffmpeg';
import { CancelledError, EnvironmentError } from '../../src/core/errors';
import { packageRoot } from '../../src/core/paths';

const installerBinary = join(packageRoot(), 'node_modules', '@ffmpeg-installer', `${process.platform}-${process.arch}`, 'ffmpeg');
const staticBinary = join(packageRoot(), 'node_modules', 'ffmpeg-static', 'ffmpeg');

describe('video/ffmpeg', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ffmpeg-test-')); });
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

  it('falls back through ffmpeg-static, @ffmpeg-installer, then PATH, explaining what it skipped', async () => {
    const loc = await locateFfmpeg({ env: { PATH: '/usr/bin' } });
    if (existsSync(staticBinary)) {
      assert.equal(loc.source, 'ffmpeg-static');
    } else if (existsSync(installerBinary)) {
      assert.equal(loc.source, '@ffmpeg-installer/ffmpeg');
      assert.equal(loc.path, installerBinary);
      assert.match(loc.reason, /ffmpeg-static/);
    } else {
      assert.equal(loc.source, 'PATH');
      assert.equal(loc.path, '/usr/bin/ffmpeg');
    }
  });

  it('finds a bare name on PATH', async () => {
    const loc = await locateFfmpeg({ ffmpegPath: 'ffmpeg', env: { PATH: `${dir}:/usr/bin` } });
    assert.equal(loc.path, '/usr/bin/ffmpeg');
  });

  it('refuses a bad explicit path with one clear EnvironmentError (no silent fallback)', async () => {
    await assert.rejects(locateFfmpeg({ ffmpegPath: join(dir, 'nope', 'ffmpeg') }),
      (e: unknown) => e instanceof EnvironmentError && /ffmpeg not found at/.test(e.message) && /ffmpegPath/.test(e.remedy ?? ''));
    const fake = join(dir, 'fake-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\necho "not ffmpeg"\nexit 3\n');
    chmodSync(fake, 0o755);
    await assert.rejects(locateFfmpeg({ ffmpegPath: fake }), (e: unknown) => e instanceof EnvironmentError && /not a working ffmpeg/.test(e.message));
  });

  it('lists the encoders of an ffmpeg', async () => {
    const enc = await ffmpegEncoders('/usr/bin/ffmpeg');
    assert.ok(enc.includes('libx264'), enc.join(' '));
    assert.ok(enc.includes('rawvideo'));
  });

  it('kills ffmpeg when the AbortSignal fires', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = runFfmpeg('/usr/bin/ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10', '-t', '60', '-f', 'null', '-'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await assert.rejects(p, (e: unknown) => e instanceof CancelledError);
    assert.ok(Date.now() - started < 5000);
  });
});
