#!/usr/bin/env bash
# BD-rate (PCHIP) of a codec against x264 and x265 medium, per clip: PSNR-Y, PSNR-YUV, PSNR-U/V, and the
# sandbox's encode/decode frames/s (wall clock). How the hybrid seed's figures in the README are measured.
# usage: bash test/bench/seed-bdrate.sh CODEC.js [CLIP.y4m ...]   (after npm run build; default clips: the
# repository's own, test/fixtures/media and the bundled clip; the README's table also used foreman CIF)
set -euo pipefail
cd "$(dirname "$0")/../.."
codec=${1:?usage: seed-bdrate.sh CODEC.js [CLIP.y4m ...]}
shift
if [ $# -gt 0 ]; then clips=("$@"); else clips=(test/fixtures/media/*.y4m media/clips/*.y4m); fi
out=$(mktemp -d)
for c in "${clips[@]}"; do
  n=$(basename "$c" .y4m)
  node dist/cli.js evaluate "$codec" --clips "$c" --codecs x264,x265 --json >"$out/$n.json" 2>"$out/$n.err" || {
    echo "$n: failed"
    tail -3 "$out/$n.err"
  }
done
node - "$out" <<'JS'
const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const pct = (x) => (x == null ? 'n/a' : (x >= 0 ? '+' : '') + x.toFixed(2) + '%').padEnd(9);
console.log('clip'.padEnd(32), 'Y/x264    Y/x265    YUV/x264  YUV/x265  U/x264    V/x264    enc fps  dec fps');
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
  let r;
  try { r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')); } catch { continue; }
  for (const c of r.clips ?? []) {
    const b = c.bdRate, n = c.frames * c.points.length;
    const enc = c.points.reduce((s, p) => s + p.encodeMs, 0), dec = c.points.reduce((s, p) => s + p.decodeMs, 0);
    console.log(c.name.padEnd(32), [b.psnrY?.x264, b.psnrY?.x265, b.psnrYuv?.x264, b.psnrYuv?.x265, b.psnrU?.x264, b.psnrV?.x264].map(pct).join(' '),
      ((n / enc) * 1000).toFixed(1).padEnd(8), ((n / dec) * 1000).toFixed(1));
  }
}
console.log(`(evaluate --json per clip in ${dir})`);
JS
