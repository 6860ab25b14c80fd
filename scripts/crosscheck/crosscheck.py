#!/usr/bin/env python3
"""Independent cross-check of the configurator's answers on real models.

Reads DIMACS and XCSP 2.1 models with its own small readers (no code shared with the Rust
importers), encodes them for python-sat (PySAT, MiniSat 2.2 / Glucose), and writes, for each
model, the dead and forced features and the domains after a fixed sequence of clicks. The Rust
tests (`configurator-core/tests/crosscheck.rs`) compare the configurator against these files.

Run by hand (needs PyPI): scripts/crosscheck/run.sh
"""
import json
import random
import re
import sys
from pathlib import Path

from pysat.solvers import Solver

ROOT = Path(__file__).resolve().parents[2]
CLICKS = 4
SEED = 20261123


def read_dimacs(path):
    names, clauses, cur, nvars = {}, [], [], 0
    for line in path.read_text().splitlines():
        t = line.strip()
        if not t:
            continue
        if t.startswith("c"):
            parts = t[1:].strip().split(None, 1)
            if len(parts) == 2 and parts[0].rstrip("$").isdigit():
                names[int(parts[0].rstrip("$"))] = parts[1].strip()
            continue
        if t.startswith("p"):
            nvars = int(t.split()[2])
            continue
        for tok in t.split():
            v = int(tok)
            if v == 0:
                clauses.append(cur)
                cur = []
            else:
                cur.append(v)
    if cur:
        clauses.append(cur)
    if names:
        features = {v: n for v, n in names.items()}
    else:
        features = {v: str(v) for v in range(1, nvars + 1)}
    return nvars, clauses, features


def read_xcsp(path):
    text = path.read_text()
    domains = {m.group(1): [int(x) for x in m.group(2).split()]
               for m in re.finditer(r'<domain name="([^"]+)"[^>]*>([^<]*)</domain>', text)}
    variables = [(m.group(1), domains[m.group(2)])
                 for m in re.finditer(r'<variable name="([^"]+)" domain="([^"]+)"\s*/>', text)]
    relations = {m.group(1): [[int(x) for x in t.split()] for t in m.group(2).split("|") if t.strip()]
                 for m in re.finditer(r'<relation name="([^"]+)"[^>]*>([^<]*)</relation>', text)}
    constraints = [(m.group(1), m.group(2).split())
                   for m in re.finditer(r'<constraint [^>]*reference="([^"]+)" scope="([^"]+)"', text)]
    # One Boolean per (variable, value other than -1).
    var_of, features, clauses, n = {}, {}, [], 0
    for name, dom in variables:
        lits = []
        for x in dom:
            if x == -1:
                continue
            n += 1
            var_of[(name, x)] = n
            features[n] = f"{name}.{x}"
            lits.append(n)
        if -1 not in dom:
            clauses.append(lits)
        for i in range(len(lits)):
            for j in range(i + 1, len(lits)):
                clauses.append([-lits[i], -lits[j]])
    values = {name: dom for name, dom in variables}
    for ref, scope in constraints:
        sels = []
        for tup in relations[ref]:
            ok, body = True, []
            for v, x in zip(scope, tup):
                if x == -1:
                    body += [-var_of[(v, y)] for y in values[v] if y != -1]
                elif (v, x) in var_of:
                    body.append(var_of[(v, x)])
                else:
                    ok = False
            if not ok:
                continue
            n += 1
            sels.append(n)
            clauses += [[-n, l] for l in body]
        clauses.append(sels)
    return n, clauses, features


def domains(solver, features, assumptions):
    """selected / excluded / free for every feature under the assumptions (two SAT calls each)."""
    if not solver.solve(assumptions=assumptions):
        return None
    out = {}
    for v, name in features.items():
        can_true = solver.solve(assumptions=assumptions + [v])
        can_false = solver.solve(assumptions=assumptions + [-v])
        out[name] = "free" if (can_true and can_false) else ("selected" if can_true else "excluded")
    return out


def check(path, kind):
    nvars, clauses, features = read_dimacs(path) if kind == "dimacs" else read_xcsp(path)
    rng = random.Random(SEED)
    with Solver(name="minisat22", bootstrap_with=clauses) as s:
        base = domains(s, features, [])
        result = {
            "model": str(path.relative_to(ROOT)),
            "tool": "python-sat (MiniSat 2.2), two SAT calls per feature",
            "command": "scripts/crosscheck/run.sh",
            "dead": sorted(n for n, st in base.items() if st == "excluded"),
            "forced": sorted(n for n, st in base.items() if st == "selected"),
            "clicks": [],
        }
        by_name = {n: v for v, n in features.items()}
        assumptions, current = [], base
        for _ in range(CLICKS):
            free = sorted(n for n, st in current.items() if st == "free")
            if not free:
                break
            name = rng.choice(free)
            select = rng.random() < 0.7
            assumptions.append(by_name[name] if select else -by_name[name])
            current = domains(s, features, assumptions)
            result["clicks"].append({
                "select" if select else "deselect": name,
                "selected": sorted(n for n, st in current.items() if st == "selected"),
                "excluded": sorted(n for n, st in current.items() if st == "excluded"),
            })
    return result


MODELS = [
    ("models/fm-benchmark-dimacs/small/berkeleydb_Hierons2020.dimacs", "dimacs"),
    ("models/fm-benchmark-dimacs/small/e_shop_Lau2006.dimacs", "dimacs"),
    ("models/fm-benchmark-dimacs/small/tankwar_Schulze2012.dimacs", "dimacs"),
    ("models/fm-benchmark-dimacs/hardware/pc-richmond_Sprey2020.dimacs", "dimacs"),
    ("models/fm-benchmark-dimacs/systems_software/busybox-1.18.0_Knueppel2017.dimacs", "dimacs"),
    ("models/renault-br4cp/medium_domainsorted.xml", "xcsp"),
]

if __name__ == "__main__":
    for rel, kind in MODELS:
        path = ROOT / rel
        res = check(path, kind)
        out = path.parent / "expected" / (path.name + ".json")
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
        print(f"{rel}: {len(res['dead'])} dead, {len(res['forced'])} forced, {len(res['clicks'])} clicks -> {out.relative_to(ROOT)}")
