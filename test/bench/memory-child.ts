// Run by memory.ts in its own node process: evaluates one codec on one clip and reports this
// process's peak resident memory (VmHWM) and the sandbox children's peaks, sampled from /proc.
import { readFileSync, readdirSync } from 'node:fs';
import { evaluateCandidate } from '../../src/core/harness/evaluate';

function statusKb(pid: number | 'self', field: string): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function childPids(): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const s = readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim();
      if (s) out.push(...s.split(/\s+/).map(Number));
    }
  } catch {
    /* no /proc children file: children are not reported */
  }
  return out;
}

async function main(): Promise<void> {
  const [clip, codecPath, quality, ffmpeg] = process.argv.slice(2);
  const rssAtStartKb = statusKb('self', 'VmRSS');
  const children = new Map<number, number>();
  const poll = setInterval(() => {
    for (const pid of childPids()) {
      const kb = statusKb(pid, 'VmRSS');
      if (kb !== undefined) children.set(pid, Math.max(children.get(pid) ?? 0, kb));
    }
  }, 10);
  const t0 = performance.now();
  const ev = await evaluateCandidate(readFileSync(codecPath, 'utf8'), {
    clips: [clip],
    qualities: [Number(quality)],
    references: [],
    ffmpeg,
    determinism: 'off',
    filename: 'codec.js',
  });
  clearInterval(poll);
  const report = {
    ok: ev.ok,
    failure: ev.ok ? undefined : ev.failure.message,
    evaluationMs: Math.round(performance.now() - t0),
    hostPeakKb: statusKb('self', 'VmHWM'),
    hostMaxRssKb: process.resourceUsage().maxRSS,
    rssAtStartKb,
    childrenPeakKb: [...children.values()],
    point: ev.ok ? ev.clips[0].points[0] : undefined,
  };
  process.stdout.write(JSON.stringify(report));
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
