// A unified diff (LCS over lines) for review in a terminal; codecs are a few hundred lines, so the
// quadratic table is fine.
export function unifiedDiff(a: string, b: string, nameA = 'a', nameB = 'b', context = 3): string {
  const x = a.split('\n'),
    y = b.split('\n');
  const n = x.length,
    m = y.length;
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) dp[i][j] = x[i] === y[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const ops: Array<{ t: ' ' | '-' | '+'; s: string; ai: number; bi: number }> = [];
  let i = 0,
    j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ t: ' ', s: x[i], ai: i, bi: j });
      i++;
      j++;
    }
    // On a tie the removal comes first: a changed line reads '-old' then '+new', as in git diff.
    else if (i < n && (j >= m || dp[i + 1][j] >= dp[i][j + 1])) {
      ops.push({ t: '-', s: x[i], ai: i, bi: j });
      i++;
    } else {
      ops.push({ t: '+', s: y[j], ai: i, bi: j });
      j++;
    }
  }
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].t === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    while (end < ops.length) {
      if (ops[end].t !== ' ') {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < ops.length && ops[end + run].t === ' ') run++;
      if (run > 2 * context || end + run >= ops.length) {
        end = Math.min(ops.length, end + context);
        break;
      }
      end += run;
    }
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.t !== '+').length,
      bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${hunk[0].ai + 1},${aLen} +${hunk[0].bi + 1},${bLen} @@`);
    for (const o of hunk) out.push(o.t + o.s);
    k = end;
  }
  return out.join('\n');
}

/** The 0-based line of `b` where it first differs from `a` (where a review should open), or 0 when equal. */
export function firstChangedLine(a: string, b: string): number {
  const x = a.split('\n'),
    y = b.split('\n');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return i;
  return x.length === y.length ? 0 : Math.min(n, y.length - 1);
}
