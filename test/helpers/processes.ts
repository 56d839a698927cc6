// Child processes as /proc sees them: tests check that cancel and stop leave none behind.
import { readdirSync, readFileSync } from 'node:fs';

/** Live (not zombie) children of `parent` — sandbox workers, ffmpeg. The test runner's own esbuild
 * service (TypeScript loading) is never the code under test's, so it is left out. */
export function childPids(parent: number = process.pid): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent && fields[0] !== 'Z' && !readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('esbuild'))
        out.push(Number(d));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Whether /proc can be read here (Linux). */
export function hasProc(): boolean {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
}
