// Failure analysis (the seed system's "self-debugger", done properly): over a recent window of one
// lineage, count failures by class, keep the commonest messages, and write guidance for the prompt.
import type { CandidateRecord } from '../store/records';

export interface FailureSummary {
  window: number;
  total: number;
  failures: number;
  byClass: Array<{ class: string; count: number; messages: Array<{ message: string; count: number }> }>;
  guidance: string;
}

const ADVICE: Record<string, string> = {
  'edit-failed': 'Copy SEARCH text character for character from the parent shown above, and only from inside an EVOLVE-BLOCK.',
  'no-code': 'Answer with SEARCH/REPLACE blocks (or one complete program in a ``` fence), not prose alone.',
  truncated:
    'Answers were cut off at the output-token limit: send SEARCH/REPLACE of only the changed lines, or REPLACE BLOCK of one block, never the whole file.',
  duplicate: 'Your last edits reproduced programs already tried; make a different change.',
  syntax: 'The code did not parse; check brackets and keep to plain JavaScript.',
  forbidden: 'Use no imports, require, eval, Function, process, timers or I/O; the codec is a pure function of its input.',
  contract: 'Keep the exports: meta, encode(video, options) → Uint8Array and decode(bytes) → {width,height,frames}.',
  runtime: 'The codec threw; guard array bounds and keep the bitstream reader in step with the writer.',
  timeout: 'It ran too long; keep searches small (the harness times encode and decode).',
  memory: 'It used too much memory; avoid per-pixel objects and huge arrays.',
  'output-limit': 'The bitstream was too large; quantise more or entropy-code.',
  crash: 'The process died; avoid deep recursion and giant allocations.',
  'bad-output': 'decode must return frames of exactly the input size (y: w*h, u/v: ceil(w/2)*ceil(h/2)).',
  nondeterministic: 'decode gave different frames for the same bytes; no clock, no unseeded randomness.',
  provider: 'The model call itself failed; this is not about the code.',
};

export function analyzeFailures(records: CandidateRecord[], window = 20): FailureSummary {
  const recent = records.slice(-window);
  const failed = recent.filter((r) => r.failure);
  const groups = new Map<string, Map<string, number>>();
  for (const r of failed) {
    const cls = r.failure!.class;
    const msg = r.failure!.message.split('\n')[0].slice(0, 200);
    if (!groups.has(cls)) groups.set(cls, new Map());
    const g = groups.get(cls)!;
    g.set(msg, (g.get(msg) ?? 0) + 1);
  }
  const byClass = [...groups.entries()]
    .map(([cls, msgs]) => ({
      class: cls,
      count: [...msgs.values()].reduce((a, b) => a + b, 0),
      messages: [...msgs.entries()]
        .map(([message, count]) => ({ message, count }))
        .sort((a, b) => b.count - a.count)
        .slice(0, 3),
    }))
    .sort((a, b) => b.count - a.count || a.class.localeCompare(b.class));
  let guidance = '';
  if (failed.length) {
    const rate = Math.round((100 * failed.length) / recent.length);
    guidance =
      `${failed.length} of the last ${recent.length} attempts failed (${rate} %). ` +
      byClass
        .slice(0, 3)
        .map((g) => `${g.class} ×${g.count}: ${ADVICE[g.class] ?? 'read the message and avoid repeating it.'}`)
        .join(' ');
  }
  return { window, total: recent.length, failures: failed.length, byClass, guidance };
}
