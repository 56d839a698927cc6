// The benchmark's result: figures (each with its goal and whether this run met it), the details that
// explain them, and the machine they came from. Printed as a table and written as JSON so runs compare.
import { cpus, loadavg, totalmem } from 'node:os';

export const RESULTS_SCHEMA_VERSION = 1;

export interface Goal {
  /** '>=' : the figure must reach `value`; '<=' : it must not exceed it. */
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  goal?: Goal;
  /** One line: what exactly was measured. */
  note?: string;
}

export interface SectionResult {
  figures: Figure[];
  /** Raw timings and counts behind the figures. */
  detail: Record<string, unknown>;
  /** Set when the section could not run (the other sections still do). */
  error?: string;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  ffmpeg?: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

export interface BenchResults {
  schemaVersion: number;
  startedAt: string;
  durationS: number;
  machine: Machine;
  sections: Record<string, SectionResult>;
}

export function machine(ffmpeg?: string): Machine {
  const c = cpus();
  return {
    cpuModel: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    ffmpeg,
    loadAverageStart: loadavg().map(round2),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function met(f: Figure): boolean | undefined {
  if (!f.goal || !Number.isFinite(f.value)) return undefined;
  return f.goal.op === '>=' ? f.value >= f.goal.value : f.value <= f.goal.value;
}

/** A number with about three significant digits (ratios like 0.0412x stay readable). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

export function formatValue(value: number, unit: string): string {
  const n = formatNumber(value);
  if (unit === 'x') return `${n}x`;
  if (unit === '%') return `${n}%`;
  return unit ? `${n} ${unit}` : n;
}

function formatGoal(f: Figure): string {
  return f.goal ? `${f.goal.op} ${formatValue(f.goal.value, f.unit)}` : '';
}

/** The short table: one row per figure, columns padded to the widest cell. */
export function formatTable(sections: Record<string, SectionResult>): string {
  const rows: string[][] = [['figure', 'value', 'goal', '']];
  for (const [name, s] of Object.entries(sections)) {
    if (s.error) {
      rows.push([`${name}: not measured`, '', '', `(${s.error})`]);
      continue;
    }
    for (const f of s.figures) {
      const ok = met(f);
      rows.push([f.label, formatValue(f.value, f.unit), formatGoal(f), ok === undefined ? '' : ok ? 'met' : 'MISSED']);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
