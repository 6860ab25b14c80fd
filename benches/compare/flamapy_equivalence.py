#!/usr/bin/env python3
"""Shows how flamapy's `FmToPysat` encodes a UVL equivalence, `A <=> B`, on a two-feature model.

With flamapy-fm/flamapy-sat 2.x the clauses are [-A, B] and [-B, -A, B] (the second is always
true): only A => B is kept. The CNF that CP-SAT probing and the exact check of `compare.py` solve
for UVL models comes from this encoding, so on models with equivalences it is looser than the
model, and options the model rules out look free there (automotive2_4: 6 options, each excluded
by an equivalence). Run with the comparison's virtual environment:
`benches/compare/.venv/bin/python benches/compare/flamapy_equivalence.py`.
"""
import tempfile
from pathlib import Path

from flamapy.metamodels.fm_metamodel.transformations import UVLReader
from flamapy.metamodels.pysat_metamodel.transformations import FmToPysat
from pysat.solvers import Solver

UVL = """features
    R
        optional
            A
            B
constraints
    A <=> B
"""

with tempfile.TemporaryDirectory() as d:
    path = Path(d) / "equivalence.uvl"
    path.write_text(UVL)
    sat = FmToPysat(UVLReader(str(path)).transform()).transform()
    names = sat.features
    clauses = [list(c) for c in sat.get_all_clauses().clauses]
    print("variables:", names)
    print("clauses:", clauses)
    a, b = (next(v for v, n in names.items() if n == x) for x in "AB")
    with Solver(name="minisat22", bootstrap_with=clauses) as solver:
        print("a product with B and without A (the model has none):",
              solver.solve(assumptions=[b, -a]))
