#!/usr/bin/env bash
# Ablation of a codec's tools: for each NAME=VALUE, a copy of the codec with `const NAME = VALUE;` is
# evaluated on every clip beside the codec itself, and the table prints what the change costs in BD-rate
# points against x264 (PSNR-Y / PSNR-YUV; positive = the codec is worse without the tool).
# usage: bash test/bench/seed-ablation.sh CODEC.js NAME=VALUE [NAME=VALUE ...] -- CLIP.y4m [CLIP ...]
#   e.g. bash test/bench/seed-ablation.sh src/core/codec/seeds/hybrid.js RDOQ=false B_FRAMES=0 -- a.y4m b.y4m
# (after npm run build; two evaluations run at a time)
set -euo pipefail
cd "$(dirname "$0")/../.."
codec=${1:?usage: seed-ablation.sh CODEC.js NAME=VALUE ... -- CLIP ...}
shift
toggles=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do toggles+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "no clips given (after --)" >&2; exit 2; }
out=$(mktemp -d)
cp "$codec" "$out/base.js"
for t in "${toggles[@]}"; do
  name=${t%%=*} value=${t#*=}
  sed -E "s/^const ${name} = [^;]*;/const ${name} = ${value};/" "$codec" >"$out/$t.js"
  if cmp -s "$codec" "$out/$t.js" && ! grep -qE "^const ${name} = ${value};" "$codec"; then
    echo "no line 'const ${name} = …;' in $codec" >&2
    exit 2
  fi
done
jobs=()
for v in base "${toggles[@]}"; do for c in "$@"; do jobs+=("$v|$c"); done; done
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} sh -c '
  v=${1%%|*} c=${1#*|} n=$(basename "$c" .y4m)
  node dist/cli.js evaluate "$2/$v.js" --clips "$c" --codecs x264 --json >"$2/$v@$n.json" 2>/dev/null || echo "$v on $n: failed" >&2
' _ {} "$out"
node - "$out" "$@" -- "${toggles[@]}" <<'JS'
const fs = require('fs'), path = require('path');
const [dir, ...rest] = process.argv.slice(2);
const sep = rest.indexOf('--');
const clips = rest.slice(0, sep).map((c) => path.basename(c, '.y4m')), toggles = rest.slice(sep + 1);
const bd = (v, n) => {
  try {
    const b = JSON.parse(fs.readFileSync(path.join(dir, `${v}@${n}.json`), 'utf8')).clips[0].bdRate;
    return [b.psnrY.x264, b.psnrYuv.x264];
  } catch { return null; }
};
const f = (x) => (x >= 0 ? '+' : '') + x.toFixed(2);
console.log(['change'.padEnd(28), ...clips.map((c) => c.slice(0, 26).padEnd(26))].join(' '));
console.log(['(codec: Y / YUV vs x264)'.padEnd(28), ...clips.map((c) => { const b = bd('base', c); return (b ? `${f(b[0])} / ${f(b[1])}` : 'failed').padEnd(26); })].join(' '));
for (const t of toggles) {
  const cells = clips.map((c) => {
    const b = bd('base', c), x = bd(t, c);
    return (b && x ? `${f(x[0] - b[0])} / ${f(x[1] - b[1])}` : 'failed').padEnd(26);
  });
  console.log([t.padEnd(28), ...cells].join(' '));
}
console.log(`(evaluate --json per run in ${dir})`);
JS
