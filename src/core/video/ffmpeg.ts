// Finding ffmpeg the way a good VS Code extension does, and running it. An explicit path (setting /
// --ffmpeg flag, then CODEC_EVOLVE_FFMPEG) always wins. Otherwise every candidate found — ffmpeg-static
// if its binary was downloaded, @ffmpeg-installer/ffmpeg, each `ffmpeg` on PATH — is asked for its
// version and encoders, and the newest one with the reference encoders (libx264, libx265, an AV1
// encoder) is used: the order of discovery alone picked the 2018 @ffmpeg-installer build (no SVT-AV1)
// over Debian's 5.1. Each answer says which and why.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { CancelledError, EnvironmentError } from '../errors';
import { packageRoot } from '../paths';

type FfmpegSource = 'explicit' | 'env' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface FfmpegLocation {
  path: string;
  source: FfmpegSource;
  /** One sentence: why this binary was chosen (and what was skipped). */
  reason: string;
  /** The first line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.9-0+deb12u1 ...". */
  version: string;
  /** Every binary considered when none was given explicitly (for doctor). */
  candidates?: FfmpegCandidate[];
}

interface FfmpegCandidate {
  path: string;
  source: FfmpegSource;
  version?: string;
  /** Which of the reference encoders it has. */
  encoders?: string[];
  /** Why it cannot be used (does not run, not an ffmpeg). */
  problem?: string;
}

/** The encoders the reference codecs need: x264, x265 and one AV1 encoder (SVT-AV1 preferred: libaom is far slower). */
const REFERENCE_ENCODERS = ['libx264', 'libx265', 'libsvtav1', 'libaom-av1'];

export interface LocateOptions {
  /** From the codecEvolution.ffmpegPath setting or the --ffmpeg flag; wins over everything. */
  ffmpegPath?: string;
  /** Defaults to process.env; tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

const EXE = process.platform === 'win32' ? '.exe' : '';
const INSTALL_HINT =
  'install ffmpeg (e.g. apt-get install ffmpeg) or set codecEvolution.ffmpegPath / --ffmpeg / CODEC_EVOLVE_FFMPEG to an ffmpeg binary';

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name + (name.endsWith(EXE) ? '' : EXE));
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

/** Where an npm package's folder is, resolved from this package (not from the user's cwd). */
function packageDir(name: string): string | undefined {
  try {
    const req = createRequire(join(packageRoot(), 'package.json'));
    return dirname(req.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

function ffmpegStaticBinary(): { path?: string; note: string } {
  const dir = packageDir('ffmpeg-static');
  if (!dir) return { note: 'ffmpeg-static is not installed' };
  const p = join(dir, 'ffmpeg' + EXE);
  return isExecutableFile(p)
    ? { path: p, note: '' }
    : { note: 'ffmpeg-static is installed but its binary was never downloaded (install scripts blocked or offline)' };
}

function ffmpegInstallerBinary(): { path?: string; note: string } {
  if (!packageDir('@ffmpeg-installer/ffmpeg')) return { note: '@ffmpeg-installer/ffmpeg is not installed' };
  const platformPkg = `@ffmpeg-installer/${process.platform}-${process.arch}`;
  const dir = packageDir(platformPkg);
  if (!dir) return { note: `@ffmpeg-installer/ffmpeg is installed but has no ${platformPkg} binary package` };
  const p = join(dir, 'ffmpeg' + EXE);
  return isExecutableFile(p) ? { path: p, note: '' } : { note: `${platformPkg} has no executable ffmpeg` };
}

const versionCache = new Map<string, string>();

/** First line of `ffmpeg -version`; throws EnvironmentError when the binary does not run. */
async function ffmpegVersion(path: string): Promise<string> {
  const hit = versionCache.get(path);
  if (hit) return hit;
  let r: RunResult;
  try {
    r = await runFfmpeg(path, ['-hide_banner', '-version'], { timeoutMs: 20000 });
  } catch (e) {
    throw new EnvironmentError(`ffmpeg at ${path} does not run: ${(e as Error).message}`, INSTALL_HINT, { cause: e });
  }
  const line = r.stdout.toString('utf8').split('\n')[0].trim();
  if (r.code !== 0 || !/^ffmpeg version /.test(line)) {
    throw new EnvironmentError(`${path} is not a working ffmpeg (exit ${r.code}: ${firstLine(r.stderr) || line})`, INSTALL_HINT);
  }
  versionCache.set(path, line);
  return line;
}

function explicitLocation(raw: string, source: 'explicit' | 'env', env: NodeJS.ProcessEnv): string {
  const label = source === 'env' ? 'CODEC_EVOLVE_FFMPEG' : 'the ffmpegPath setting / --ffmpeg flag';
  const looksLikePath = isAbsolute(raw) || raw.includes('/') || raw.includes('\\');
  const p = looksLikePath ? resolve(raw) : onPath(raw, env);
  if (!p || !existsSync(p)) {
    throw new EnvironmentError(
      `ffmpeg not found at '${raw}' (from ${label})`,
      `fix ${label} to point at an ffmpeg binary, or unset it to use the bundled/PATH ffmpeg`,
    );
  }
  if (!isExecutableFile(p)) {
    throw new EnvironmentError(`'${p}' (from ${label}) is not an executable file`, `fix ${label} to point at an ffmpeg binary`);
  }
  return p;
}

/** How new a build is: the copyright year ffmpeg prints (git builds like "N-47683-g0e8eb07980" have no
 * release number, but every build says "Copyright (c) 2000-2018"), then the release number. */
function versionRank(versionLine: string): number[] {
  const year = Number(/Copyright \(c\) \d{4}-(\d{4})/.exec(versionLine)?.[1] ?? 0);
  const rel = /^ffmpeg version n?(\d+)\.(\d+)(?:\.(\d+))?/.exec(versionLine);
  return [year, ...(rel ? [Number(rel[1]), Number(rel[2]), Number(rel[3] ?? 0)] : [0, 0, 0])];
}

/** Points for the reference encoders: x264 and x265 one each, an AV1 encoder one (SVT-AV1 a little more). */
function encoderScore(encoders: string[]): number {
  const has = (e: string) => encoders.includes(e);
  return (has('libx264') ? 1 : 0) + (has('libx265') ? 1 : 0) + (has('libsvtav1') ? 1.1 : has('libaom-av1') ? 1 : 0);
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function describe(c: FfmpegCandidate): string {
  if (c.problem) return `${c.path} (${c.source}): ${c.problem}`;
  const v = /^ffmpeg version (\S+)/.exec(c.version ?? '')?.[1] ?? '?';
  const year = /Copyright \(c\) \d{4}-(\d{4})/.exec(c.version ?? '')?.[1];
  const missing = REFERENCE_ENCODERS.filter((e) => !c.encoders?.includes(e));
  return `${c.path} (${c.source}, ${v}${year ? ` of ${year}` : ''}${missing.length ? `, lacks ${missing.join(', ')}` : ', all reference encoders'})`;
}

/** Every ffmpeg on PATH, in PATH order, without duplicates (a symlinked /bin and /usr/bin). */
function allOnPath(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'ffmpeg' + EXE);
    if (!isExecutableFile(p)) continue;
    let real = p;
    try {
      real = realpathSync(p);
    } catch {
      /* keep p */
    }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(p);
  }
  return out;
}

const choiceCache = new Map<string, Promise<FfmpegLocation>>();

export async function locateFfmpeg(options: LocateOptions = {}): Promise<FfmpegLocation> {
  const env = options.env ?? process.env;
  if (options.ffmpegPath) {
    const path = explicitLocation(options.ffmpegPath, 'explicit', env);
    return {
      path,
      source: 'explicit',
      reason: 'given explicitly (setting codecEvolution.ffmpegPath or --ffmpeg); no other ffmpeg was considered',
      version: await ffmpegVersion(path),
    };
  }
  if (env.CODEC_EVOLVE_FFMPEG) {
    const path = explicitLocation(env.CODEC_EVOLVE_FFMPEG, 'env', env);
    return {
      path,
      source: 'env',
      reason: 'given by the CODEC_EVOLVE_FFMPEG environment variable; no other ffmpeg was considered',
      version: await ffmpegVersion(path),
    };
  }
  // Probing costs two short ffmpeg runs per candidate: once per process and PATH.
  const key = env.PATH ?? '';
  let hit = choiceCache.get(key);
  if (!hit) {
    hit = chooseFfmpeg(env);
    choiceCache.set(key, hit);
    hit.catch(() => choiceCache.delete(key));
  }
  return hit;
}

async function chooseFfmpeg(env: NodeJS.ProcessEnv): Promise<FfmpegLocation> {
  const notes: string[] = [];
  const found: Array<{ path: string; source: FfmpegSource }> = [];
  const st = ffmpegStaticBinary();
  if (st.path) found.push({ path: st.path, source: 'ffmpeg-static' });
  else notes.push(st.note);
  const inst = ffmpegInstallerBinary();
  if (inst.path) found.push({ path: inst.path, source: '@ffmpeg-installer/ffmpeg' });
  else notes.push(inst.note);
  for (const p of allOnPath(env)) found.push({ path: p, source: 'PATH' });
  if (!found.length) {
    throw new EnvironmentError(`ffmpeg not found (no explicit path; ${notes.join('; ')}; no ffmpeg on PATH)`, INSTALL_HINT);
  }
  const candidates: FfmpegCandidate[] = await Promise.all(
    found.map(async (f): Promise<FfmpegCandidate> => {
      try {
        const version = await ffmpegVersion(f.path);
        const all = await ffmpegEncoders(f.path);
        return { ...f, version, encoders: REFERENCE_ENCODERS.filter((e) => all.includes(e)) };
      } catch (e) {
        return { ...f, problem: (e as Error).message };
      }
    }),
  );
  const usable = candidates.filter((c) => !c.problem);
  if (!usable.length) {
    throw new EnvironmentError(`no working ffmpeg: ${candidates.map(describe).join('; ')}`, INSTALL_HINT);
  }
  // Most reference encoders first, then the newest build; discovery order breaks ties.
  const ranked = [...usable].sort(
    (a, b) => encoderScore(b.encoders!) - encoderScore(a.encoders!) || compareRank(versionRank(b.version!), versionRank(a.version!)),
  );
  const best = ranked[0];
  const others = candidates.filter((c) => c !== best);
  const reason = others.length
    ? `no explicit path; the newest of ${candidates.length} candidates with the most reference encoders: ${describe(best)}; not ${others.map(describe).join('; not ')}`
    : `no explicit path; the only ffmpeg found: ${describe(best)}${notes.length ? ` (${notes.join('; ')})` : ''}`;
  return { path: best.path, source: best.source, reason, version: best.version!, candidates };
}

const encoderCache = new Map<string, string[]>();

/** Names of the video encoders this ffmpeg was built with (libx264, libx265, libsvtav1, libaom-av1, ...). */
export async function ffmpegEncoders(path: string): Promise<string[]> {
  const hit = encoderCache.get(path);
  if (hit) return hit;
  const r = await runFfmpeg(path, ['-hide_banner', '-encoders'], { timeoutMs: 20000 });
  const names: string[] = [];
  for (const line of r.stdout.toString('utf8').split('\n')) {
    const m = /^\s*V[.A-Z]{5}\s+(\S+)/.exec(line);
    if (m && m[1] !== '=') names.push(m[1]);
  }
  encoderCache.set(path, names);
  return names;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

export interface FfmpegRunOptions {
  /** Written to ffmpeg's stdin, then closed. */
  stdin?: Uint8Array;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called with every stdout chunk instead of collecting it (streaming decode). */
  onStdout?: (chunk: Buffer) => void;
}

export function firstLine(b: Buffer | string): string {
  const s = typeof b === 'string' ? b : b.toString('utf8');
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-1)[0] ?? ''
  );
}

/** Runs ffmpeg; resolves with its exit code and output. Aborting kills the process and rejects with CancelledError. */
export function runFfmpeg(path: string, args: string[], options: FfmpegRunOptions = {}): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise((resolvePromise, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [],
      err: Buffer[] = [];
    let errBytes = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(() => reject(new CancelledError()));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs) {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(() =>
          reject(
            new EnvironmentError(
              `ffmpeg did not finish within ${options.timeoutMs} ms (${args.join(' ')})`,
              'check the ffmpeg binary and the input',
            ),
          ),
        );
      }, options.timeoutMs);
    }
    child.stdout.on('data', (c: Buffer) => (options.onStdout ? options.onStdout(c) : out.push(c)));
    child.stderr.on('data', (c: Buffer) => {
      // Keep only the tail: ffmpeg's progress lines can be long and only the last lines explain a failure.
      err.push(c);
      errBytes += c.length;
      while (errBytes > 1 << 20 && err.length > 1) errBytes -= err.shift()!.length;
    });
    child.on('error', (e) => finish(() => reject(e)));
    child.on('close', (code, sig) =>
      finish(() => resolvePromise({ code, signal: sig, stdout: Buffer.concat(out), stderr: Buffer.concat(err) })),
    );
    child.stdin.on('error', () => {
      /* ffmpeg may exit before reading all input; its exit code tells why */
    });
    if (options.stdin) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}
