#!/bin/bash
# Issue 28's targets for the one timing core, old and new binaries in one run.
#   scripts/bench-timing-core.sh OLD_ROTA NEW_ROTA [small|days|all]
# small: the proven small days of `rota bench exact` (8, 10, 12 clients, day
#        seeds 1-3, 2 + 2 rounds), `rota plan --threads 1 --time-limit 10`,
#        search seeds 1-3, NEW only (the optima are in docs/benchmarks.md);
# days:  `rota bench days` on the twelve 50-client days, one thread, 10 s,
#        OLD and NEW one after the other per day.
set -euo pipefail
old=$1; new=$2; what=${3:-all}
tmp=$(mktemp -d)
if [ "$what" = small ] || [ "$what" = all ]; then
  echo "| day | search seed | priority / continuity / travel |"
  echo "|---|---|---|"
  for c in 8 10 12; do
    for d in 1 2 3; do
      "$new" generate --clients "$c" --seed "$d" --am-rounds 2 --pm-rounds 2 --date 2026-11-25 > "$tmp/day.json" 2>/dev/null
      for s in 1 2 3; do
        "$new" plan "$tmp/day.json" --threads 1 --time-limit 10 --seed "$s" -o "$tmp/plan.json" 2>/dev/null
        python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']; print(f\"| $c/$d | $s | {s['priority_served']} / {s['continuity_assignments']} / {s['travel_minutes']} |\")" "$tmp/plan.json"
      done
    done
  done
fi
if [ "$what" = days ] || [ "$what" = all ]; then
  for d in $(seq 1 12); do
    for b in "$old" "$new"; do
      "$b" bench days --clients 50 --seeds "$d" --threads 1 --time-limit 10 2>/dev/null | grep -E "^\| *50 " | sed "s|^|$(basename "$b") |"
    done
  done
fi
rm -rf "$tmp"
