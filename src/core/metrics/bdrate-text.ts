// How a BD-rate is written for a person, everywhere (CLI, side bar, dashboard, CodeLens, notifications):
// always with its sign, and with a one-line meaning, because "+14 %" alone reads like a gain.

/** "+14.0 %", "−3.2 %", "0.0 %"; "—" when there is no number. */
export function formatBdRate(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = Math.abs(v).toFixed(digits);
  if (Number(s) === 0) return `${s} %`;
  return `${v < 0 ? '−' : '+'}${s} %`;
}

/** One line that says what the sign means, with the number when there is one. */
export function bdRateMeaning(reference: string, v?: number | null): string {
  if (v === null || v === undefined || !Number.isFinite(v)) {
    return `BD-rate vs ${reference}: + = more bits than ${reference} for the same quality (PSNR-Y), − = fewer bits (better)`;
  }
  const n = Math.abs(v).toFixed(1);
  if (Number(n) === 0) return `${formatBdRate(v)} = as many bits as ${reference} for the same quality (PSNR-Y)`;
  return `${formatBdRate(v)} = ${n} % ${v > 0 ? 'more' : 'fewer'} bits than ${reference} for the same quality (PSNR-Y)`;
}
