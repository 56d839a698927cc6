// The Pareto front over (BD-rate, encode time, decode time), all minimised: a slower codec is only
// interesting if it saves bits, and a faster one may be worth a small loss.

export interface Objectives {
  id: string;
  bdRate: number;
  encodeMs: number;
  decodeMs: number;
}

function dominates(a: Objectives, b: Objectives): boolean {
  const le = a.bdRate <= b.bdRate && a.encodeMs <= b.encodeMs && a.decodeMs <= b.decodeMs;
  const lt = a.bdRate < b.bdRate || a.encodeMs < b.encodeMs || a.decodeMs < b.decodeMs;
  return le && lt;
}

export function paretoFront<T extends Objectives>(items: T[]): T[] {
  return items.filter((a) => !items.some((b) => b !== a && dominates(b, a)));
}
