// Budgets stop the loop cleanly between generations: generations run, wall time, model spend.
import type { BudgetConfig } from '../store/config';

export interface BudgetUsage {
  generations: number;
  elapsedMs: number;
  usd: number;
}

/** Why the loop must stop now, or undefined while every budget has room. */
export function budgetExceeded(b: BudgetConfig, u: BudgetUsage): string | undefined {
  if (b.generations !== undefined && u.generations >= b.generations) return `generation budget reached (${u.generations}/${b.generations})`;
  if (b.wallMinutes !== undefined && u.elapsedMs >= b.wallMinutes * 60_000)
    return `wall-time budget reached (${(u.elapsedMs / 60_000).toFixed(1)}/${b.wallMinutes} min)`;
  if (b.usd !== undefined && u.usd >= b.usd) return `spend budget reached ($${u.usd.toFixed(4)}/$${b.usd})`;
  return undefined;
}
