#!/bin/bash
# Issue 28's Mankowska target: two binaries on sets A-G at the published
# budgets (A, B 10 s; C-E 60 s; F, G 120 s), seed 1, in one run.
#   scripts/bench-hhcrsp-engines.sh OLD_ROTA NEW_ROTA OUT_DIR [SETS]
# Both run at once, one instance at a time each (two cores busy, as
# `--jobs 2` for one binary), so that whatever else the machine does slows
# both alike. SETS: a regex on the set letter (default [A-G]).
# Writes OUT_DIR/old.csv, OUT_DIR/new.csv and prints the average gap to
# bks.csv per set for each.
set -euo pipefail
old=$1; new=$2; out=$3; sets=${4:-[A-G]}
mk=../shared/benchmarks/hhcrsp/mankowska2014
mkdir -p "$out"
files=$(python3 - "$mk/bks.csv" "$sets" <<'PY'
import csv, re, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if re.fullmatch(sys.argv[2], r["set"])]
print(" ".join(r["file"] for r in rows))
PY
)
paths=""
for f in $files; do paths="$paths $mk/instances/$f"; done
"$old" bench hhcrsp $paths --jobs 1 --csv "$out/old.csv" > "$out/old.md" 2>&1 &
"$new" bench hhcrsp $paths --jobs 1 --csv "$out/new.csv" > "$out/new.md" 2>&1 &
wait
python3 - "$out/old.csv" "$out/new.csv" <<'PY'
import csv, sys
def by_set(path):
    sets = {}
    for r in csv.DictReader(open(path)):
        if r["error"]:
            sets.setdefault(r["set"], []).append(None)
        else:
            sets.setdefault(r["set"], []).append(float(r["gap_percent"]))
    return sets
old, new = by_set(sys.argv[1]), by_set(sys.argv[2])
print("| set | instances | old avg gap % | new avg gap % | new better on |")
print("|---|---:|---:|---:|---:|")
for s in sorted(old):
    o, n = old[s], new.get(s, [])
    if None in o or None in n or len(o) != len(n):
        print(f"| {s} | {len(o)} | unverified plan | | |")
        continue
    better = sum(1 for a, b in zip(o, n) if b < a - 1e-9)
    print(f"| {s} | {len(o)} | {sum(o)/len(o):.2f} | {sum(n)/len(n):.2f} | {better} |")
PY
