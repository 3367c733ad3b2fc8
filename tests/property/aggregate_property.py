#!/usr/bin/env python3
"""Property test of the DECIMAL aggregates of core/aggregate.c against Python's decimal module.

Random groups of DECIMAL(38,S) values (fixed seed; digit counts biased towards 38 so running sums
overflow now and then) go to tests/tools/aggregate_oracle.c, which feeds each group in two merged
halves; the expected answers are computed here: SUM exact with an error as soon as a running sum
leaves 38 digits, AVG rounded half away from zero (ROUND_HALF_UP) to max(S, 6), MEDIAN and
PERCENTILE_CONT interpolated exactly and rounded once to S + 1.

Usage: python3 tests/property/aggregate_property.py build/aggregate_oracle [--cases N] [--seed S]
"""
import argparse
import random
import subprocess
import sys
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, setcontext

from decimal_property import canon  # canonical text of an unscaled value, as the engine prints it

CTX = Context(prec=200, rounding=ROUND_HALF_UP)
DIV_CTX = Context(prec=200, rounding=ROUND_DOWN)  # truncate far past the result, then round once
setcontext(CTX)
LIMIT = 10**38
FRACTIONS = ["0", "0.1", "0.15", "0.25", "0.333", "0.5", "0.9", "0.99", "1"]


def quantize(d, s):
    """d rounded half away from zero to scale s, or an overflow when that does not fit 38 digits."""
    u = int((d * (Decimal(10) ** s)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return canon(u, s) if abs(u) < LIMIT else "ERR OVERFLOW"


def expected(op, s, f, us):
    if not us:
        return "NULL"
    if op in ("sum", "avg"):
        half = len(us) // 2
        total = 0
        # the oracle folds the first half into one state and the second into another, then merges
        for part in (us[:half], us[half:]):
            run = 0
            for u in part:
                run += u
                if abs(run) >= LIMIT:
                    return "ERR OVERFLOW"
            total += run
        if abs(total) >= LIMIT:
            return "ERR OVERFLOW"
        if op == "sum":
            return canon(total, s)
        avg = DIV_CTX.divide(Decimal(total), Decimal(len(us))) / (Decimal(10) ** s)
        return quantize(avg, max(s, 6))
    vals = sorted(Decimal(u) / (Decimal(10) ** s) for u in us)
    frac = Decimal("0.5") if op == "median" else Decimal(f)
    pos = frac * (len(vals) - 1)
    lo = int(pos)
    rest = pos - lo
    v = vals[lo] if rest == 0 else vals[lo] + rest * (vals[lo + 1] - vals[lo])
    return quantize(v, s + 1 if s < 38 else s)


def random_unscaled(rng):
    digits = rng.choice([1, 2, 5, 10, 18, 19, 30, 37, 38, 38])
    return rng.choice([-1, 1]) * rng.randrange(10 ** (digits - 1), 10**digits)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("oracle")
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=20261127)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    lines, wants = [], []
    for _ in range(a.cases):
        op = rng.choice(["sum", "avg", "median", "pct"])
        s = rng.choice([0, 1, 2, 6, 8, 18, 30])
        n = rng.randrange(0, 12)
        big = rng.random() < 0.3
        us = [random_unscaled(rng) if big else rng.randrange(-10**6, 10**6) for _ in range(n)]
        if op in ("median", "pct"):  # interpolation needs vhi - vlo to fit 38 digits
            us = [u // 10 for u in us]
        f = rng.choice(FRACTIONS)
        text = " ".join(canon(u, s) for u in us)
        lines.append(f"{op} {s} {f + ' ' if op == 'pct' else ''}{text}".rstrip())
        wants.append(expected(op, s, f, us))
    out = subprocess.run([a.oracle], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
    got = out.stdout.splitlines()
    failed = 0
    for line, want, have in zip(lines, wants, got):
        if have != want:
            failed += 1
            if failed <= 10:
                print(f"MISMATCH {line}\n  want {want}\n  got  {have}")
    if len(got) != len(lines):
        print(f"oracle printed {len(got)} lines for {len(lines)} cases")
        failed += 1
    print(f"{len(lines)} cases, {failed} mismatches")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
