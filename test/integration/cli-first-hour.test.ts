// The CLI as a new user meets it (issue 13): error texts, pipes closed early, bad clips at init, adding
// a held-out clip to an existing workspace, the demo's workspace and its "next:" commands. Each runs
// `node dist/cli.js` in a child process, as a person would.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths';
import { EXIT_CODES } from '../../src/core/errors';
import { unifiedDiff } from '../../src/core/evolution/diff';
import { commitPaths } from '../../src/core/store/git';
import { Workspace } from '../../src/core/store/workspace';
import { TREE_CLIP, testClip } from '../helpers/media';

const root = packageRoot();
const cli = join(root, 'dist', 'cli.js');

function run(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    timeout: 600_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ffmpegClip(path: string, pixFmt: string, extra: string[] = []): string {
  execFileSync('/usr/bin/ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=32x32:rate=10',
    '-frames:v',
    '3',
    '-pix_fmt',
    pixFmt,
    ...extra,
    path,
  ]);
  return path;
}

describe("CLI: a newcomer's first hour", function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    if (!existsSync(cli)) execFileSync(process.execPath, [join(root, '.ci', 'build.mjs')], { cwd: root });
    dir = mkdtempSync(join(tmpdir(), 'cli-first-hour-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("says an unknown or malformed option once, in one sentence, with the command's options (exit 2)", () => {
    const r = run(['status', '--bogus'], { cwd: dir });
    assert.equal(r.code, EXIT_CODES.usage);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /^codec-evolve status: unknown option '--bogus' — options of status: --json /);
    assert.doesNotMatch(r.err, /status: status:|To specify a positional/);
    const v = run(['init', '--clip'], { cwd: dir });
    assert.equal(v.code, EXIT_CODES.usage);
    assert.match(v.err, /^codec-evolve init: option '--clip' needs a value/);
    const b = run(['status', '--json=yes'], { cwd: dir });
    assert.match(b.err, /^codec-evolve status: option '--json' takes no value/);
  });

  it('exits quietly when the reader of its output has gone (doctor | head)', async () => {
    const child = spawn(process.execPath, [cli, 'help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader closed before the first line
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c;
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(err, '', 'no EPIPE stack trace');
    assert.equal(code, 0);
  });

  it('report --html to an unwritable path is bad input (exit 4) naming the path', () => {
    const ws = join(dir, 'report-ws');
    assert.equal(run(['init', ws]).code, 0);
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const target = join(blocker, 'report.html');
    const r = run(['report', '--html', target], { cwd: ws });
    assert.equal(r.code, EXIT_CODES.input, r.err);
    assert.ok(r.err.includes(target), r.err);
    assert.doesNotMatch(r.err, /internal error/);
  });

  it('init --clip reads the clip as metrics does: bad clips exit 4 and leave no folder behind', () => {
    const clips = join(dir, 'bad-clips');
    mkdirSync(clips);
    const good = readFileSync(TREE_CLIP);
    const truncated = join(clips, 'truncated.y4m');
    writeFileSync(truncated, good.subarray(0, good.length - 1000));
    const header = good.subarray(0, good.indexOf(0x0a) + 1);
    const zero = join(clips, 'zero-frames.y4m');
    writeFileSync(zero, header);
    const tenBit = ffmpegClip(join(clips, 'ten-bit.y4m'), 'yuv420p10le', ['-strict', '-1']);
    const c444 = ffmpegClip(join(clips, 'four-four-four.y4m'), 'yuv444p');
    const notVideo = join(clips, 'notes.mp4');
    writeFileSync(notVideo, 'these are not frames\n'.repeat(50));
    for (const [what, clip] of [
      ['truncated', truncated],
      ['zero frames', zero],
      ['10-bit', tenBit],
      ['4:4:4', c444],
      ['a directory', clips],
      ['/dev/zero', '/dev/zero'],
      ['not a video', notVideo],
    ]) {
      const ws = join(dir, `init-${what.replace(/\W+/g, '-')}`);
      const r = run(['init', ws, '--clip', clip]);
      assert.equal(r.code, EXIT_CODES.input, `${what}: exit ${r.code} ${r.err}`);
      assert.ok(!existsSync(join(ws, '.codec-evolution')), `${what}: no .codec-evolution/ left behind`);
      assert.ok(!existsSync(ws) || readdirSync(ws).length === 0, `${what}: nothing written`);
    }
    const held = run(['init', join(dir, 'init-held'), '--held-out', tenBit]);
    assert.equal(held.code, EXIT_CODES.input, held.err);
  });

  it('clips add --held-out adds a held-out clip to an existing workspace (init refuses one)', () => {
    const ws = join(dir, 'clips-ws');
    const init = run(['init', ws]);
    assert.equal(init.code, 0, init.err);
    assert.equal(run(['init', ws, '--held-out', TREE_CLIP]).code, EXIT_CODES.input, 'init refuses an existing workspace');
    const add = run(['clips', 'add', '--held-out', TREE_CLIP], { cwd: ws });
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /added tree_building_80x44_15f\.y4m: 80x44, 15 frames.* as a held-out clip/);
    const cfg = JSON.parse(readFileSync(join(ws, '.codec-evolution', 'config.json'), 'utf8'));
    assert.deepEqual(cfg.clips.heldOut, [{ path: '.codec-evolution/clips/tree_building_80x44_15f.y4m' }]);
    assert.ok(existsSync(join(ws, '.codec-evolution', 'clips', 'tree_building_80x44_15f.y4m')));
    assert.match(run(['clips'], { cwd: ws }).out, /held-out {2}\.codec-evolution\/clips\/tree_building_80x44_15f\.y4m/);
    // A loop elsewhere holds the workspace lock (this process, alive): clips add changes nothing and exits 5.
    const lock = new Workspace(ws).lock;
    lock.acquire('a loop in the test process');
    try {
      const locked = run(['clips', 'add', testClip('talking_heads_320x192_9f.y4m')], { cwd: ws });
      assert.equal(locked.code, EXIT_CODES.environment, locked.err);
      assert.match(locked.err, /locked by a loop in the test process/);
      assert.deepEqual(JSON.parse(readFileSync(join(ws, '.codec-evolution', 'config.json'), 'utf8')).clips, cfg.clips, 'config unchanged');
    } finally {
      lock.release();
    }
    const bad = run(['clips', 'add', '/dev/zero'], { cwd: ws });
    assert.equal(bad.code, EXIT_CODES.input);
    assert.equal(run(['clips', 'add', TREE_CLIP], { cwd: ws }).code, EXIT_CODES.input, 'a held-out clip cannot also be a training clip');
    assert.equal(run(['evolve', '--generations', '0'], { cwd: ws }).code, EXIT_CODES.usage, 'evolve --generations 0 runs nothing');
    assert.ok(!readdirSync(join(ws, '.codec-evolution', 'candidates')).length, 'not even the seed was evaluated');
  });

  it('demo: its workspace is outside the clone, its numbers carry their sign and meaning, and its next: commands run', () => {
    const demoDir = join(dir, 'demo');
    const r = run(['demo', '--generations', '1'], { cwd: root, env: { CODEC_EVOLVE_DEMO_DIR: demoDir } });
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(join(demoDir, '.codec-evolution', 'config.json')), 'the demo workspace is where it was asked to be');
    assert.ok(!existsSync(join(root, 'codec-evolution-demo')), 'nothing in the clone');
    assert.match(r.out, /seed \(hybrid\) training BD-rate vs x264: [+−]\d+\.\d{3} %/);
    assert.match(r.out, /best after 1 generation: [+−]\d+\.\d{3} % \(/);
    assert.match(r.out, /[+−]\d+\.\d % = \d+\.\d % (more|fewer) bits than x264 for the same quality/);
    const next = /^next: (.*?) {3}\| {3}(.*)$/m.exec(r.out);
    assert.ok(next, r.out);
    assert.doesNotMatch(next[1], /&& codec-evolve /, 'a bare codec-evolve is not on PATH after npm ci');
    const list = spawnSync('bash', ['-c', next[1]], { encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin' } });
    assert.equal(list.status, 0, `${next[1]}: ${list.stderr}`);
    const st = run(['status'], { cwd: demoDir });
    assert.match(st.out, /^1 generation completed, /m, st.out);
  });

  it("review show puts a changed line's - before its +", () => {
    const d = unifiedDiff('a\nold\nc\n', 'a\nnew\nc\n', 'v1', 'g1');
    const lines = d.split('\n');
    assert.ok(lines.indexOf('-old') >= 0 && lines.indexOf('-old') < lines.indexOf('+new'), d);
  });

  it("adoption never commits into the tool's own repository", async function () {
    if (spawnSync('git', ['-C', root, 'rev-parse', '--show-toplevel']).status !== 0) this.skip();
    const inside = join(root, 'test', '.tmp', `own-repo-${process.pid}`);
    mkdirSync(inside, { recursive: true });
    try {
      writeFileSync(join(inside, 'codec.js'), '// x\n');
      const r = await commitPaths(inside, ['codec.js'], 'must not happen');
      assert.equal(r.commit, undefined);
      assert.match(r.skipped ?? '', /own repository/);
    } finally {
      rmSync(inside, { recursive: true, force: true });
    }
  });
});
