// Finding ffmpeg the way a good VS Code extension does, and running it. Order: an explicit path
// (setting / --ffmpeg flag / CODEC_EVOLVE_FFMPEG) → ffmpeg-static if its binary was downloaded →
// @ffmpeg-installer/ffmpeg if installed → `ffmpeg` on PATH. Each answer says which and why.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { CancelledError, EnvironmentError } from '../errors';
import { packageRoot } from '../paths';

export type FfmpegSource = 'explicit' | 'env' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface FfmpegLocation {
  path: string;
  source: FfmpegSource;
  /** One sentence: why this binary was chosen (and what was skipped). */
  reason: string;
  /** The first line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.9-0+deb12u1 ...". */
  version: string;
}

export interface LocateOptions {
  /** From the codecEvolution.ffmpegPath setting or the --ffmpeg flag; wins over everything. */
  ffmpegPath?: string;
  /** Defaults to process.env; tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

const EXE = process.platform === 'win32' ? '.exe' : '';
const INSTALL_HINT = 'install ffmpeg (e.g. apt-get install ffmpeg) or set codecEvolution.ffmpegPath / --ffmpeg / CODEC_EVOLVE_FFMPEG to an ffmpeg binary';

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
  return isExecutableFile(p) ? { path: p, note: '' } : { note: 'ffmpeg-static is installed but its binary was never downloaded (install scripts blocked or offline)' };
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
export async function ffmpegVersion(path: string): Promise<string> {
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
    throw new EnvironmentError(`ffmpeg not found at '${raw}' (from ${label})`,
      `fix ${label} to point at an ffmpeg binary, or unset it to use the bundled/PATH ffmpeg`);
  }
  if (!isExecutableFile(p)) {
    throw new EnvironmentError(`'${p}' (from ${label}) is not an executable file`, `fix ${label} to point at an ffmpeg binary`);
  }
  return p;
}

export async function locateFfmpeg(options: LocateOptions = {}): Promise<FfmpegLocation> {
  const env = options.env ?? process.env;
  if (options.ffmpegPath) {
    const path = explicitLocation(options.ffmpegPath, 'explicit', env);
    return { path, source: 'explicit', reason: 'given explicitly (setting codecEvolution.ffmpegPath or --ffmpeg)', version: await ffmpegVersion(path) };
  }
  if (env.CODEC_EVOLVE_FFMPEG) {
    const path = explicitLocation(env.CODEC_EVOLVE_FFMPEG, 'env', env);
    return { path, source: 'env', reason: 'given by the CODEC_EVOLVE_FFMPEG environment variable', version: await ffmpegVersion(path) };
  }
  const skipped: string[] = [];
  const st = ffmpegStaticBinary();
  if (st.path) {
    return { path: st.path, source: 'ffmpeg-static', reason: 'no explicit path; the ffmpeg-static package has a binary', version: await ffmpegVersion(st.path) };
  }
  skipped.push(st.note);
  const inst = ffmpegInstallerBinary();
  if (inst.path) {
    return { path: inst.path, source: '@ffmpeg-installer/ffmpeg', reason: `no explicit path; ${skipped.join('; ')}; using @ffmpeg-installer/ffmpeg's binary`, version: await ffmpegVersion(inst.path) };
  }
  skipped.push(inst.note);
  const p = onPath('ffmpeg', env);
  if (p) {
    return { path: p, source: 'PATH', reason: `no explicit path; ${skipped.join('; ')}; found ffmpeg on PATH`, version: await ffmpegVersion(p) };
  }
  throw new EnvironmentError(`ffmpeg not found (no explicit path; ${skipped.join('; ')}; no ffmpeg on PATH)`, INSTALL_HINT);
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

export interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer }

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
  return s.split('\n').map((l) => l.trim()).filter(Boolean).slice(-1)[0] ?? '';
}

/** Runs ffmpeg; resolves with its exit code and output. Aborting kills the process and rejects with CancelledError. */
export function runFfmpeg(path: string, args: string[], options: FfmpegRunOptions = {}): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise((resolvePromise, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [], err: Buffer[] = [];
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
        finish(() => reject(new EnvironmentError(`ffmpeg did not finish within ${options.timeoutMs} ms (${args.join(' ')})`, 'check the ffmpeg binary and the input')));
      }, options.timeoutMs);
    }
    child.stdout.on('data', (c: Buffer) => (options.onStdout ? options.onStdout(c) : out.push(c)));
    child.stderr.on('data', (c: Buffer) => {
      // Keep only the tail: ffmpeg's progress lines can be long and only the last lines explain a failure.
      err.push(c); errBytes += c.length;
      while (errBytes > 1 << 20 && err.length > 1) errBytes -= err.shift()!.length;
    });
    child.on('error', (e) => finish(() => reject(e)));
    child.on('close', (code, sig) => finish(() => resolvePromise({ code, signal: sig, stdout: Buffer.concat(out), stderr: Buffer.concat(err) })));
    child.stdin.on('error', () => { /* ffmpeg may exit before reading all input; its exit code tells why */ });
    if (options.stdin) child.stdin.end(options.stdin);
    else child.stdin.end();
  });
}
