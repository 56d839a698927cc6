// Adoption commits the codec file to git (when the workspace is a repository and the setting allows),
// so the history of the codec is also in the person's own version control.
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { packageRoot } from '../paths';

function git(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile('git', args, { cwd, timeout: 30000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
    });
  });
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

async function isGitRepo(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  const r = await git(dir, ['rev-parse', '--is-inside-work-tree']);
  return r.code === 0 && r.stdout.trim() === 'true';
}

/** Commits exactly `paths` (relative to root); returns the new commit hash, or undefined with a reason. */
export async function commitPaths(root: string, paths: string[], message: string): Promise<{ commit?: string; skipped?: string }> {
  if (!(await isGitRepo(root))) return { skipped: 'the workspace is not a git repository' };
  // A workspace left inside the tool's own clone (an old ./codec-evolution-demo) must not commit into it.
  const top = (await git(root, ['rev-parse', '--show-toplevel'])).stdout.trim();
  if (top && sameDir(top, packageRoot()))
    return { skipped: `the workspace lies inside codec-evolution's own repository (${top}); not committing into the tool's clone` };
  const add = await git(root, ['add', '--', ...paths]);
  if (add.code !== 0) return { skipped: `git add failed: ${add.stderr.trim()}` };
  // The person's own identity when git has one; a neutral one only so a fresh machine can still commit.
  const who = (await git(root, ['config', 'user.email'])).stdout.trim()
    ? []
    : ['-c', 'user.name=codec-evolve', '-c', 'user.email=codec-evolve@localhost'];
  const commit = await git(root, [...who, 'commit', '--no-verify', '-m', message, '--', ...paths]);
  if (commit.code !== 0) return { skipped: `git commit failed: ${(commit.stderr || commit.stdout).trim()}` };
  const head = await git(root, ['rev-parse', 'HEAD']);
  return { commit: head.stdout.trim() };
}
