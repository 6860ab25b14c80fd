#!/usr/bin/env python3
"""Side-by-side: our engine against per-option probing with OR-tools CP-SAT, on the same real
models and the same click sequences.

For each model, `click_times` (our engine, release build) makes the fixed random click sequence
of the benches and times `domains` after each click. This script then replays the same clicks
with CP-SAT: after each click it probes every feature (can it be chosen? can it be left out?),
which is what a user of a CP solver without backbone support would do to grey out options. The
CNF/table encodings come from `scripts/crosscheck/crosscheck.py` (independent of our importers).

Writes `benches/compare/results.json` and prints a Markdown table for BENCHMARKS.md.
Run: benches/compare/run.sh  (creates a virtual environment with ortools and python-sat)
"""
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "crosscheck"))
from crosscheck import read_dimacs, read_xcsp  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

CLICKS = 5
MODELS = [
    ("models/fm-benchmark-dimacs/hardware/pc-richmond_Sprey2020.dimacs", "dimacs"),
    ("models/renault-br4cp/medium_domainsorted.xml", "xcsp"),
    ("models/fm-benchmark-dimacs/systems_software/busybox-1.18.0_Knueppel2017.dimacs", "dimacs"),
    # automotive01 (2,513 features) is left out: CP-SAT probing needs ~5,000 solves per click.
]


def ours(rel):
    exe = ROOT / "target" / "release" / "click_times"
    out = subprocess.run([str(exe), str(ROOT / rel), str(CLICKS), "3"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def cpsat_probe(nvars, clauses, features, clicks):
    model = cp_model.CpModel()
    x = {v: model.NewBoolVar(f"x{v}") for v in range(1, nvars + 1)}
    lit = lambda l: x[l] if l > 0 else x[-l].Not()  # noqa: E731
    for c in clauses:
        model.AddBoolOr([lit(l) for l in c])
    by_name = {n: v for v, n in features.items()}
    per_click = []
    fixed = []
    for click in clicks:
        v = by_name[click["option"]]
        fixed.append(x[v] if click["select"] else x[v].Not())
        start = time.perf_counter()
        for fv in features:
            for value in (True, False):
                solver = cp_model.CpSolver()
                solver.parameters.num_workers = 1
                model.ClearAssumptions()
                model.AddAssumptions(fixed + [x[fv] if value else x[fv].Not()])
                solver.Solve(model)
        per_click.append((time.perf_counter() - start) * 1e3)
    return per_click


def pct(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def main():
    rows, results = [], {}
    for rel, kind in MODELS:
        path = ROOT / rel
        nvars, clauses, features = read_dimacs(path) if kind == "dimacs" else read_xcsp(path)
        o = ours(rel)
        cp = cpsat_probe(nvars, clauses, features, o["clicks"])
        results[rel] = {"ours_ms": o["ms"], "cpsat_ms": cp, "options": o["options"],
                        "import_ms": o["import_ms"], "clicks": o["clicks"]}
        p50o, p99o = statistics.median(o["ms"]), pct(o["ms"], 0.99)
        p50c, p99c = statistics.median(cp), pct(cp, 0.99)
        rows.append(f"| {Path(rel).name} | {o['options']} | {len(o['ms'])} | {p50o:.1f} / {p99o:.1f} ms"
                    f" | {p50c:.0f} / {p99c:.0f} ms | {p50c / max(p50o, 1e-9):.0f}x |")
        print(rows[-1], flush=True)
        (Path(__file__).parent / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (Path(__file__).parent / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print("\n| model | features | clicks | ours p50 / p99 | CP-SAT probing p50 / p99 | ratio (p50) |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
