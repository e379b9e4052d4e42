#!/usr/bin/env bash
# Are two builds' plans the same? For behaviour-neutral changes (issue 25).
# Usage: scripts/same-plans.sh BINARY OUTDIR   (run from the repo, with
# ../shared beside it), once per binary, then: diff -r OUTDIR1 OUTDIR2
#
# Plans data/small-day, sample-day, medium-day and three `rota generate`
# days under an iteration budget on one thread (so the plan does not
# depend on the machine), drops the wall-clock fields (solve_seconds and
# the time-limited bound with its gap), and runs `rota bench hhcrsp` on A1,
# B1 and C2 under an iteration budget, dropping its timing columns.
set -euo pipefail
BIN=$(readlink -f "$1"); OUT=$2; mkdir -p "$OUT"
SHARED=${SHARED:-../shared}
strip() { jq 'del(.summary.solve_seconds, .summary.upper_bound_priority, .summary.gap)' "$1" > "$1.s" && mv "$1.s" "$1"; }
for d in small-day sample-day medium-day; do
  "$BIN" plan data/$d.json --iterations 1500 --threads 1 -o "$OUT/$d.plan.json" 2>/dev/null
  strip "$OUT/$d.plan.json"
done
for s in 11 12 13; do
  "$BIN" generate --clients 40 --seed $s > "$OUT/gen$s.json" 2>/dev/null
  "$BIN" plan "$OUT/gen$s.json" --iterations 1500 --threads 1 -o "$OUT/gen$s.plan.json" 2>/dev/null
  strip "$OUT/gen$s.plan.json"
done
"$BIN" bench hhcrsp "$SHARED"/benchmarks/hhcrsp/mankowska2014/instances/InstanzCPLEX_HCSRP_{10_1,25_1,50_2}.txt \
  --iterations 3000 --csv "$OUT/hhcrsp.csv" >/dev/null 2>&1
python3 - "$OUT/hhcrsp.csv" <<'PY'
import csv, sys
p = sys.argv[1]
rows = list(csv.reader(open(p)))
keep = [i for i, c in enumerate(rows[0]) if 'second' not in c.lower() and 'time' not in c.lower()]
open(p, 'w').write('\n'.join(','.join(r[i] for i in keep) for r in rows) + '\n')
PY
echo "outputs in $OUT"
