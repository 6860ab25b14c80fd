#!/usr/bin/env python3
"""Calibrates how simulated customers deviate (`configurator simulate`, `--deviation-skew`).

Reads real sales (the Renault BR4CP format: a header of variable names, then one sold product
per line), groups them into k clusters by k-modes (Hamming distance, the same distance the
learned presets use), and measures, per variable, how often a sale differs from its cluster's
mode: the real counterpart of a simulated customer deviating from its profile's best product.
Prints the mean rate and how unevenly the deviations fall on the variables (the share held by
the top 10 / 25 / 50 % of them), then fits the Zipf exponent s of per-group deviation rates
(rate of the r-th group proportional to r^-s) that reproduces that unevenness (the same Lorenz
curve) on a catalog of G visible groups.

Standard library only. Usage:
    python3 benches/guided/deviation_skew.py SALES_FILE [--groups G] [--clusters K] [--seed S]
"""
import argparse
import collections
import random


def kmodes(data, k, seed, rounds=20):
    rng = random.Random(seed)
    width = len(data[0])
    centers = [data[i] for i in rng.sample(range(len(data)), k)]
    assign = [0] * len(data)
    for _ in range(rounds):
        assign = [
            min(range(k), key=lambda c: sum(a != b for a, b in zip(row, centers[c])))
            for row in data
        ]
        new = []
        for c in range(k):
            members = [row for row, a in zip(data, assign) if a == c]
            if not members:
                new.append(centers[c])
                continue
            new.append(
                [collections.Counter(m[g] for m in members).most_common(1)[0][0] for g in range(width)]
            )
        if new == centers:
            break
        centers = new
    return assign, centers


def lorenz(shares):
    """Cumulative share held by the top fraction q of groups, as a function (linear between)."""
    shares = sorted(shares, reverse=True)
    total = sum(shares)
    cum = [0.0]
    for s in shares:
        cum.append(cum[-1] + s / total)
    n = len(shares)

    def at(q):
        x = q * n
        i = min(int(x), n - 1)
        return cum[i] + (cum[i + 1] - cum[i]) * (x - i)

    return at


def zipf_shares(groups, s):
    w = [1.0 / (r**s) for r in range(1, groups + 1)]
    t = sum(w)
    return [x / t for x in w]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("sales")
    p.add_argument("--groups", type=int, default=10, help="visible groups of the simulated catalog")
    p.add_argument("--clusters", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    lines = [l.split() for l in open(a.sales) if l.strip()]
    header, data = lines[0], [l for l in lines[1:] if len(l) == len(lines[0])]
    assign, centers = kmodes(data, a.clusters, a.seed)
    deviations = [0] * len(header)
    for row, c in zip(data, assign):
        for g, (x, y) in enumerate(zip(row, centers[c])):
            deviations[g] += x != y
    rates = [d / len(data) for d in deviations]
    print(f"{len(data)} sales, {len(header)} variables, {a.clusters} clusters")
    print(f"mean deviation rate per variable: {sum(rates) / len(rates):.3f} "
          f"({sum(rates):.2f} deviating variables per sale)")
    real = lorenz(rates)
    for q in (0.1, 0.25, 0.5):
        print(f"top {q:.0%} of the variables hold {real(q):.0%} of the deviations")
    best = min(
        (sum((real(j / a.groups) - lorenz(zipf_shares(a.groups, s / 100))(j / a.groups)) ** 2
             for j in range(1, a.groups)), s / 100)
        for s in range(0, 401)
    )
    s = best[1]
    fit = lorenz(zipf_shares(a.groups, s))
    print(f"Zipf exponent for {a.groups} groups with the same Lorenz curve: {s:.2f} "
          f"(top {1 / a.groups:.0%}, 50 % of the groups: {fit(1 / a.groups):.0%}, {fit(0.5):.0%})")


if __name__ == "__main__":
    main()
