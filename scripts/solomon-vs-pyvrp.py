#!/usr/bin/env python3
"""rota and PyVRP side by side on Solomon's 100-customer VRPTW instances (issue 29).

    make bench-pyvrp                                  # all 56, seeds 1-3, 10 s
    make bench-pyvrp PYVRP_BENCH_ARGS="--time-limit 2 --seeds 1 R103 RC108"
    target/pyvrp-venv/bin/python scripts/solomon-vs-pyvrp.py [options] [INSTANCES...]

Same data for both, the convention of ../shared/benchmarks/solomon/ (README):
every arc's distance and travel time is the Euclidean distance truncated to
one decimal, floor(10 d) / 10, as in DIMACS and the distance-only optima of
bks_distance_only.csv. rota reads the raw file itself (`rota bench solomon`,
which works in tenths); PyVRP gets the same integers, everything scaled by 10
(edges floor(10 d), windows and service times x 10), the instance's fleet
(its number of vehicles, its capacity) and the depot's horizon. Both
minimise distance only (no cost per vehicle).

Each (instance, seed) is one process with one thread: `rota bench solomon
FILE --threads 1 --seed S --time-limit T`, and PyVRP's `Model.solve` with
`MaxRuntime(T)` and the same seed. The rota lane and the PyVRP lane run at
the same time, one process each (so on two cores, one core each; `--pin`
pins them to cores 0 and 1), or one after the other with `--sequential`.

Every route is re-checked here from the raw instance file, independently of
both solvers: every customer exactly once, at most the fleet's vehicles,
capacity, start of service within [ready, due] with waiting when early,
back at the depot by its due date; the distance is recomputed in floating
point (sum of truncated arcs) and compared with the optimum and with what
the solver itself reported. An invalid run counts as invalid, never as a gap.

Results: one JSON per run in OUT/runs/ (kept: a re-run with the same OUT
skips the runs already there, so an interrupted measurement resumes),
OUT/results.csv and OUT/summary.md (the table printed at the end).
"""

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "benchmarks" / "solomon"
HARD = "R103 R104 R108 R110 R112 RC101 RC102 RC108 RC201 RC206".split()


# --- instance and optimum, read here (not by either solver) ----------------

def read_instance(path):
    toks = Path(path).read_text().split()
    name = toks[0]
    i = toks.index("VEHICLE")
    # VEHICLE NUMBER CAPACITY <K> <Q> CUSTOMER <8 header words> rows...
    vehicles, capacity = int(toks[i + 3]), int(toks[i + 4])
    j = toks.index("CUSTOMER") + 1
    while not toks[j].lstrip("-").isdigit():
        j += 1
    rows = toks[j:]
    if len(rows) % 7:
        raise ValueError(f"{path}: {len(rows)} numbers after the header, not 7 per customer")
    cust = []
    for k in range(0, len(rows), 7):
        cid, x, y, dem, ready, due, serv = rows[k:k + 7]
        cust.append(dict(id=int(cid), x=float(x), y=float(y), demand=int(dem),
                         ready=int(ready), due=int(due), service=int(serv)))
    if cust[0]["id"] != 0:
        raise ValueError(f"{path}: the first customer is not the depot 0")
    return dict(name=name, vehicles=vehicles, capacity=capacity, customers=cust)


def read_optima(path):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["customers"] == "100":
                out[row["instance"]] = float(row["distance"])
    return out


def euclid(a, b):
    return math.hypot(a["x"] - b["x"], a["y"] - b["y"])


def trunc1(d):
    """The DIMACS convention in floating point: floor(10 d) / 10."""
    return math.floor(10.0 * d + 1e-9) / 10.0


def tenths(a, b):
    """The same arc in integer tenths, as handed to PyVRP."""
    return math.floor(10.0 * euclid(a, b) + 1e-9)


def check(inst, routes):
    """Re-check routes (lists of customer ids) from the raw instance.
    Returns (error or None, truncated distance, double-precision distance)."""
    cust = {c["id"]: c for c in inst["customers"]}
    depot = cust[0]
    routes = [r for r in routes if r]
    errors = []
    if len(routes) > inst["vehicles"]:
        errors.append(f"{len(routes)} routes for {inst['vehicles']} vehicles")
    seen = {}
    total = 0.0
    exact = 0.0
    for k, r in enumerate(routes):
        t = float(depot["ready"])
        at = depot
        load = 0
        for cid in r:
            c = cust.get(cid)
            if c is None or cid == 0:
                errors.append(f"route {k}: no customer {cid}")
                continue
            seen[cid] = seen.get(cid, 0) + 1
            d = trunc1(euclid(at, c))
            total += d
            exact += euclid(at, c)
            t = max(t + d, float(c["ready"]))
            if t > c["due"] + 1e-6:
                errors.append(f"route {k}: customer {cid} starts at {t:.1f}, due {c['due']}")
            t += c["service"]
            load += c["demand"]
            at = c
        d = trunc1(euclid(at, depot))
        total += d
        exact += euclid(at, depot)
        if t + d > depot["due"] + 1e-6:
            errors.append(f"route {k}: back at the depot at {t + d:.1f}, after {depot['due']}")
        if load > inst["capacity"]:
            errors.append(f"route {k}: load {load} over capacity {inst['capacity']}")
    twice = sorted(c for c, n in seen.items() if n > 1)
    if twice:
        errors.append(f"visited more than once: {twice[:10]}")
    missing = sorted(set(cust) - {0} - set(seen))
    if missing:
        errors.append(f"{len(missing)} customers not served: {missing[:10]}")
    return ("; ".join(errors[:5]) or None), total, exact


# --- the two solvers ---------------------------------------------------------

def run_rota(rota, path, seed, limit, tmpdir, pin):
    csv_path = Path(tmpdir) / f"rota-{Path(path).stem}-{seed}.csv"
    cmd = [str(rota), "bench", "solomon", str(path), "--time-limit", str(limit),
           "--threads", "1", "--seed", str(seed), "--csv", str(csv_path)]
    if pin is not None:
        cmd = ["taskset", "-c", str(pin)] + cmd
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0 or not csv_path.exists():
        return dict(routes=[], reported=None, wall=wall,
                    solver_error=f"rota exit {p.returncode}: {p.stderr.strip()[-300:]}")
    with open(csv_path, newline="") as f:
        row = next(csv.DictReader(f))
    csv_path.unlink()
    routes = [[int(c) for c in r.split()] for r in row["routes_visited"].split("|") if r.strip()]
    return dict(routes=routes, reported=float(row["distance"]) if row["distance"] else None,
                wall=wall, solver_error=row["error"] or None, seconds=float(row["seconds"]))


def pyvrp_model(inst):
    from pyvrp import Model

    m = Model()
    cust = inst["customers"]
    locs = [m.add_location(c["x"], c["y"], name=str(c["id"])) for c in cust]
    d0 = cust[0]
    depot = m.add_depot(locs[0], tw_early=10 * d0["ready"], tw_late=10 * d0["due"])
    m.add_vehicle_type(num_available=inst["vehicles"], capacity=inst["capacity"],
                       start_depot=depot, end_depot=depot,
                       tw_early=10 * d0["ready"], tw_late=10 * d0["due"])
    for c, loc in zip(cust[1:], locs[1:]):
        m.add_client(loc, delivery=c["demand"], service_duration=10 * c["service"],
                     tw_early=10 * c["ready"], tw_late=10 * c["due"], name=str(c["id"]))
    for a, la in zip(cust, locs):
        for b, lb in zip(cust, locs):
            d = 0 if a is b else tenths(a, b)
            m.add_edge(la, lb, distance=d, duration=d)
    return m


def pyvrp_worker(path, seed, limit):
    """Runs in its own process (one thread): solve and print JSON."""
    from pyvrp.stop import MaxRuntime

    inst = read_instance(path)
    m = pyvrp_model(inst)
    data = m.data()
    t0 = time.monotonic()
    # collect_stats=False: no per-iteration bookkeeping PyVRP would not need.
    res = m.solve(MaxRuntime(limit), seed=seed, display=False, collect_stats=False)
    secs = time.monotonic() - t0
    best = res.best
    # A client activity's idx is the client's index in data.clients(); the
    # customer's Solomon number is the name given in pyvrp_model.
    routes = [[int(data.client(a.idx).name) for a in r.schedule() if a.is_client()]
              for r in best.routes()]
    print(json.dumps(dict(routes=routes, feasible=best.is_feasible(),
                          distance=best.distance(), seconds=secs,
                          iterations=res.num_iterations)))


def run_pyvrp(python, path, seed, limit, pin):
    cmd = [str(python), str(Path(__file__).resolve()), "--pyvrp-worker", str(path),
           "--seeds", str(seed), "--time-limit", str(limit)]
    if pin is not None:
        cmd = ["taskset", "-c", str(pin)] + cmd
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        return dict(routes=[], reported=None, wall=wall,
                    solver_error=f"pyvrp exit {p.returncode}: {p.stderr.strip()[-300:]}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    return dict(routes=out["routes"], reported=out["distance"] / 10.0, wall=wall,
                solver_error=None if out["feasible"] else "PyVRP: best solution infeasible",
                seconds=out["seconds"], iterations=out["iterations"])


# --- driver ------------------------------------------------------------------

def resolve(names):
    if not names:
        names = ["all"]
    files = []
    for n in names:
        if n == "all":
            files += sorted((SHARED / "instances" / "100").glob("*.txt"))
        elif n == "hard":
            files += [SHARED / "instances" / "100" / f"{h}.txt" for h in HARD]
        elif Path(n).exists():
            files.append(Path(n))
        else:
            files.append(SHARED / "instances" / "100" / f"{n.upper()}.txt")
    for f in files:
        if not f.exists():
            sys.exit(f"no instance file {f}")
    return files


def lane(solver, jobs, args, outdir, log):
    pin = None
    if args.pin:
        pin = 0 if solver == "rota" else 1
    for path, seed in jobs:
        name = Path(path).stem
        out = outdir / "runs" / f"{solver}-{name}-s{seed}.json"
        if out.exists():
            continue
        if solver == "rota":
            r = run_rota(args.rota, path, seed, args.time_limit, outdir, pin)
        else:
            r = run_pyvrp(sys.executable, path, seed, args.time_limit, pin)
        mode = ("one after the other" if args.sequential else "side by side") + \
            (", pinned" if args.pin else "")
        r.update(solver=solver, instance=name, seed=seed, time_limit=args.time_limit, mode=mode,
                 load=round(os.getloadavg()[0], 2))
        out.write_text(json.dumps(r) + "\n")
        with log:
            print(f"  {solver:5} {name:6} seed {seed}: reported {r['reported']} "
                  f"({r['wall']:.1f} s wall){' ' + r['solver_error'] if r['solver_error'] else ''}",
                  file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instances", nargs="*",
                    help="names (R103), files, 'hard' (the ten hardest) or 'all' (default)")
    ap.add_argument("--seeds", default="1,2,3", help="comma-separated (default 1,2,3)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per run (default 10)")
    ap.add_argument("--rota", default=str(REPO / "target" / "release" / "rota"),
                    help="the rota binary (default target/release/rota)")
    ap.add_argument("--solvers", default="rota,pyvrp", help="rota,pyvrp (default), or one")
    ap.add_argument("--out", default=str(REPO / "target" / "solomon-vs-pyvrp"),
                    help="runs, results.csv and summary.md (default target/solomon-vs-pyvrp)")
    ap.add_argument("--sequential", action="store_true",
                    help="run the solvers one after the other instead of side by side")
    ap.add_argument("--pin", action="store_true", help="pin rota to core 0 and PyVRP to core 1")
    ap.add_argument("--report-only", action="store_true",
                    help="run nothing: the table from the runs already in --out")
    ap.add_argument("--bks", default=str(SHARED / "bks_distance_only.csv"),
                    help="the distance-only optima (default ../shared/benchmarks/solomon/)")
    ap.add_argument("--pyvrp-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s]

    if args.pyvrp_worker:
        return pyvrp_worker(args.pyvrp_worker, seeds[0], args.time_limit)

    files = resolve(args.instances)
    solvers = [s for s in args.solvers.split(",") if s]
    if "pyvrp" in solvers:
        try:
            import pyvrp  # noqa: F401
        except ImportError:
            sys.exit("pyvrp is not installed for this python: run `make bench-pyvrp` "
                     "(it installs it into target/pyvrp-venv) or use target/pyvrp-venv/bin/python")
    if "rota" in solvers and not args.report_only and not Path(args.rota).exists():
        sys.exit(f"no rota binary at {args.rota}: cargo build --release")
    if args.pin and not shutil.which("taskset"):
        sys.exit("--pin needs taskset")
    outdir = Path(args.out)
    (outdir / "runs").mkdir(parents=True, exist_ok=True)
    optima = read_optima(args.bks)
    jobs = [(f, s) for f in files for s in seeds]
    if not args.report_only:
        print(f"{len(files)} instances x {len(seeds)} seeds x {args.time_limit:g} s, "
              f"{' and '.join(solvers)} {'one after the other' if args.sequential else 'side by side'}; "
              f"runs in {outdir}/runs", file=sys.stderr, flush=True)
    log = threading.Lock()
    if args.report_only:
        pass
    elif args.sequential:
        for s in solvers:
            lane(s, jobs, args, outdir, log)
    else:
        threads = [threading.Thread(target=lane, args=(s, jobs, args, outdir, log)) for s in solvers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    report(files, seeds, solvers, optima, outdir, args)


def report(files, seeds, solvers, optima, outdir, args):
    rows = []
    for f in files:
        inst = read_instance(f)
        name = Path(f).stem
        for solver in solvers:
            for seed in seeds:
                p = outdir / "runs" / f"{solver}-{name}-s{seed}.json"
                if not p.exists():
                    continue
                r = json.loads(p.read_text())
                err, dist, exact = check(inst, r["routes"])
                dist = round(dist, 1)  # a sum of tenths, without float noise
                if r.get("solver_error"):
                    err = r["solver_error"] + ("; " + err if err else "")
                opt = optima.get(name)
                rep = r.get("reported")
                rows.append(dict(
                    instance=name, solver=solver, seed=seed,
                    routes=len([x for x in r["routes"] if x]),
                    distance=dist, optimum=opt,
                    gap_percent=None if err or opt is None else 100.0 * (dist - opt) / opt,
                    reported=rep,
                    reported_matches=rep is not None and abs(rep - dist) < 0.05,
                    distance_double=round(exact, 2), valid=err is None, error=err or "",
                    seconds=r.get("seconds"), wall=round(r["wall"], 2), load=r.get("load"),
                    iterations=r.get("iterations"), time_limit=r.get("time_limit"),
                    mode=r.get("mode"),
                    routes_visited="|".join(" ".join(map(str, x)) for x in r["routes"] if x)))
    with open(outdir / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["instance"])
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.3f}" if k == "gap_percent" and v is not None else v)
                        for k, v in r.items()})

    by = {(r["instance"], r["solver"], r["seed"]): r for r in rows}
    names = [Path(f).stem for f in files]
    lines = []
    head = ["instance", "optimum"]
    for s in solvers:
        head += [f"{s} s{seed}" for seed in seeds] + [f"{s} mean"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|---|" + "---:|" * (len(head) - 1))

    def cell(r):
        if r is None:
            return "-"
        if not r["valid"]:
            return "INVALID"
        return f"{r['gap_percent']:.2f}%"

    for n in names:
        cells = [n, f"{optima.get(n, float('nan')):.1f}"]
        for s in solvers:
            gs = []
            for seed in seeds:
                r = by.get((n, s, seed))
                cells.append(cell(r))
                if r and r["valid"]:
                    gs.append(r["gap_percent"])
            cells.append(f"{sum(gs) / len(gs):.2f}%" if gs else "-")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for s in solvers:
        rs = [r for r in rows if r["solver"] == s]
        ok = [r for r in rs if r["valid"]]
        if not rs:
            continue
        gaps = [r["gap_percent"] for r in ok]
        worst = max(ok, key=lambda r: r["gap_percent"]) if ok else None
        per_seed = []
        for seed in seeds:
            g = [r["gap_percent"] for r in ok if r["seed"] == seed]
            if g:
                per_seed.append(f"seed {seed} {sum(g) / len(g):.2f}%")
        mism = sum(1 for r in ok if not r["reported_matches"])
        over = [r["seconds"] for r in rs if r.get("seconds") is not None]
        lines.append(
            f"- **{s}**: {len(ok)} of {len(rs)} runs valid; average gap "
            f"**{sum(gaps) / len(gaps):.2f}%**" if gaps else f"- **{s}**: no valid run")
        if gaps:
            lines[-1] += (f" ({', '.join(per_seed)}), worst **{worst['gap_percent']:.2f}%** "
                          f"({worst['instance']} seed {worst['seed']}); "
                          f"{sum(1 for g in gaps if g < 0.005)} runs at the optimum; "
                          f"solver's own distance differs from the recomputed one on {mism}; "
                          f"longest run {max(over):.1f} s" if over else "")
        hard = [r["gap_percent"] for r in ok if r["instance"] in HARD]
        if gaps and len(hard) < len(gaps) and hard:
            lines.append(f"  - on the ten hardest ({' '.join(HARD)}) present: average "
                         f"{sum(hard) / len(hard):.2f}% over {len(hard)} runs")
        for r in rs:
            if not r["valid"]:
                lines.append(f"  - INVALID {r['instance']} seed {r['seed']}: {r['error']}")
    loads = [r["load"] for r in rows if r.get("load") is not None]
    lines.append("")
    limits = "/".join(f"{t:g}" for t in sorted({r["time_limit"] for r in rows}))
    lines.append(f"{len(names)} instances, seeds {','.join(map(str, seeds))}, {limits} s "
                 f"per run, one thread each, {' / '.join(sorted({str(r['mode']) for r in rows}))}; load average (1 min) at the end of a run "
                 f"{min(loads):.1f}-{max(loads):.1f}." if loads else "no runs.")
    text = "\n".join(lines) + "\n"
    (outdir / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
