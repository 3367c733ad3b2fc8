#!/usr/bin/env python3
"""Property test of core/decimal.c against an independent reference: Python's decimal module.

Generates random cases per operation with a fixed seed (operands of random precision and scale,
biased towards edges: values near 10^38, 2^63 and 2^127, zeros, negatives, long scales, exponent
forms, invalid text), computes the expected answer here with `decimal` (200 digits, ROUND_HALF_UP,
which is half away from zero) and the result-type rules of docs/sql/types.md re-implemented, runs
the C driver tests/tools/decimal_oracle.c once with every case on stdin and compares line by line.

Usage: python3 tests/property/decimal_property.py build/decimal_oracle [--cases N] [--seed S]
"""
import argparse
import random
import re
import subprocess
import sys
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal, setcontext

MAXP = 38
CTX = Context(prec=200, rounding=ROUND_HALF_UP, Emax=10**9, Emin=-(10**9))
# Division is computed truncated at 200 digits, then rounded once to the result scale: truncation
# never moves a value across a rounding midpoint (a midpoint has far fewer than 200 digits), so
# the single ROUND_HALF_UP step is exact. Rounding twice half-up could be off by one.
DIV_CTX = Context(prec=200, rounding=ROUND_DOWN, Emax=10**9, Emin=-(10**9))
setcontext(CTX)

# The accepted text grammar (ASCII digits only; Python's Decimal() also takes NaN, Infinity,
# underscores and non-ASCII digits, which the engine rejects).
NUMBER_RE = re.compile(r"[ \t\n\r\f\v]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\f\v]*")

OVERFLOW, DIV_ZERO, CAST = "ERR OVERFLOW", "ERR DIV_ZERO", "ERR CAST"


class Err(Exception):
    pass


def canon(u, s):
    t = str(abs(u))
    if s > 0:
        t = t.rjust(s + 1, "0")
        t = t[:-s] + "." + t[-s:]
    return ("-" if u < 0 else "") + t


EXPONENT_RE = re.compile(r"([eE][+-]?)([0-9]+)")


def to_decimal(text):
    """The value of accepted text. Exponents beyond 10^6 are clamped (the answer is 0, or overflow,
    either way) because Decimal() refuses exponents beyond its limits."""
    if not NUMBER_RE.fullmatch(text):
        raise Err(CAST)
    text = EXPONENT_RE.sub(lambda m: m.group(1) + str(min(int(m.group(2)), 10**6)), text)
    return Decimal(text.strip(" \t\n\r\f\v"))


def parse(text):
    """Exact parse: (Decimal value, precision, scale), or raises Err."""
    d = to_decimal(text)
    _, digits, exp = d.as_tuple()
    scale = max(0, -exp)
    coeff = int("".join(map(str, digits)))
    ndig = 1 if coeff == 0 else len(str(coeff)) + exp + scale  # digits of the unscaled value
    prec = max(ndig, scale, 1)
    if prec > MAXP:
        raise Err(OVERFLOW)
    return d, prec, scale


def round_to(d, p, s):
    """d rounded half away from zero to s decimals; raises Err(OVERFLOW) unless it fits DECIMAL(p,s)."""
    if d.is_zero():
        return 0
    if d.adjusted() > 40:
        raise Err(OVERFLOW)
    if d.adjusted() < -s - 2:  # below half a unit of the last place
        return 0
    q = d.quantize(Decimal(1).scaleb(-s), rounding=ROUND_HALF_UP)
    u = int(q.scaleb(s))
    if abs(u) >= 10**p:
        raise Err(OVERFLOW)
    return u


def result_type(op, p1, s1, p2, s2):
    i1, i2 = p1 - s1, p2 - s2
    if op in ("add", "sub"):
        s = max(s1, s2)
        p = min(MAXP, max(i1, i2) + s + 1)
    elif op == "mul":
        p, s = p1 + p2, s1 + s2
    elif op == "div":
        s = max(6, s1 + p2 + 1)
        p = i1 + s2 + s
    else:
        s = max(s1, s2)
        p = min(i1, i2) + s
    if p > MAXP:
        intdigits = p - s
        s = min(s, max(MAXP - intdigits, 6))
        p = MAXP
    return p, s


def expect_arith(op, ta, tb):
    a, pa, sa = parse(ta)
    b, pb, sb = parse(tb)
    p, s = result_type(op, pa, sa, pb, sb)
    if op in ("div", "mod") and b.is_zero():
        raise Err(DIV_ZERO)
    if op == "add":
        r = a + b
    elif op == "sub":
        r = a - b
    elif op == "mul":
        r = a * b
    elif op == "div":
        r = DIV_CTX.divide(a, b)
    else:
        r = a % b  # sign of the dividend, like SQL
    return f"{canon(round_to(r, p, s), s)} DECIMAL({p},{s})"


def expect(line):
    try:
        return expect_line(line)
    except Err as e:
        return str(e)


def expect_line(line):
    op, _, rest = line.partition(" ")
    if op in ("add", "sub", "mul", "div", "mod"):
        ta, tb = rest.split(" ")
        return expect_arith(op, ta, tb)
    if op == "cmp":
        ta, tb = rest.split(" ")
        a, b = parse(ta)[0], parse(tb)[0]
        return str((a > b) - (a < b))
    if op == "parse":
        d, p, s = parse(rest)
        return f"{canon(round_to(d, p, s), s)} DECIMAL({p},{s})"
    if op == "parse_as":
        p, s, text = rest.split(" ", 2)
        p, s = int(p), int(s)
        return canon(round_to(to_decimal(text), p, s), s)
    if op == "rescale":
        ta, p, s = rest.split(" ")
        p, s = int(p), int(s)
        return canon(round_to(parse(ta)[0], p, s), s)
    if op == "to_i64":
        u = round_to(parse(rest)[0], MAXP, 0)
        if not -(2**63) <= u < 2**63:
            raise Err(OVERFLOW)
        return str(u)
    if op == "from_i64":
        v, p, s = map(int, rest.split(" "))
        return canon(round_to(Decimal(v), p, s), s)
    if op == "from_double":
        p, s, x = rest.split(" ")
        p, s, f = int(p), int(s), float.fromhex(x)
        if f != f or f in (float("inf"), float("-inf")):
            raise Err(CAST)
        return canon(round_to(Decimal(repr(f)), p, s), s)  # repr: shortest round-trip text
    if op == "to_double":
        return "%.17g" % float(parse(rest)[0])
    raise AssertionError(op)


# ---- generation ---------------------------------------------------------------------------------

EDGE_INTS = [
    0, 1, 9, 10, 2**63 - 1, 2**63, 2**63 + 1, 2**64, 2**126, 2**127 - 1, 2**127, 10**18, 10**19 - 1,
    10**37, 10**38 - 1, 10**38, 5 * 10**37,
]


def gen_unscaled(rng, p):
    r = rng.random()
    if r < 0.40:
        nd = rng.randint(1, p)
        u = rng.randrange(10 ** (nd - 1) if nd > 1 else 0, 10**nd)
    elif r < 0.50:
        u = 10**p - 1 - rng.randrange(3)
    elif r < 0.56:
        u = 0
    elif r < 0.66:
        u = 2**63 + rng.randint(-3, 3)
    elif r < 0.71:
        u = rng.choice([2**126, 2**127, 2**125 * 3]) + rng.randint(-3, 3)
    elif r < 0.80:
        u = 10**38 - 1 - rng.randrange(10**rng.randint(0, 5))
    elif r < 0.85:
        u = 10 ** rng.randint(0, 38)
    elif r < 0.90:
        u = rng.choice(EDGE_INTS)
    else:
        u = rng.randrange(0, 1000)
    return -u if rng.random() < 0.45 else u


def gen_scale(rng, p):
    r = rng.random()
    if r < 0.15:
        return p
    if r < 0.30:
        return rng.randint(min(p, 30), p)
    if r < 0.45:
        return 0
    return rng.randint(0, p)


def gen_type(rng):
    """A random target type, written "p s"."""
    p = rng.randint(1, MAXP)
    return f"{p} {gen_scale(rng, p)}"


def gen_operand(rng):
    """A valid decimal literal as written by a user (same value and type in any of its forms)."""
    p = rng.randint(1, MAXP)
    s = gen_scale(rng, p)
    u = gen_unscaled(rng, p)
    text = canon(u, s)
    r = rng.random()
    if r < 0.08:  # exponent form with the same written scale
        k = rng.randint(-s, 6)
        text = canon(u, s + k) + rng.choice("eE") + rng.choice(["", "+"] if k >= 0 else [""]) + str(k)
    elif r < 0.12 and u >= 0:
        text = "+" + text
    elif r < 0.16:
        sign = "-" if u < 0 else ""
        text = sign + "0" * rng.randint(1, 5) + text.lstrip("-")
    return text


def gen_parse_text(rng):
    r = rng.random()
    if r < 0.45:
        text = gen_operand(rng)
    elif r < 0.65:  # integers and fractions with exponents that change the type
        digits = str(rng.randrange(10 ** rng.randint(1, 40)))
        if rng.random() < 0.5:
            cut = rng.randint(0, len(digits))
            digits = digits[:cut] + "." + digits[cut:]
            if digits in (".",):
                digits = "0."
        text = digits + rng.choice("eE") + rng.choice(["", "+", "-"]) + str(rng.randint(0, 60))
    elif r < 0.75:  # many digits: trailing zeros count, leading zeros do not
        text = "0" * rng.randint(0, 4) + str(rng.randrange(10**39)) + "." + "0" * rng.randint(0, 10)
    elif r < 0.85:
        text = rng.choice(INVALID)
    else:  # a valid literal with one character inserted, replaced or deleted
        text = list(gen_operand(rng))
        i = rng.randrange(len(text) + 1)
        c = rng.choice(".eE+- x0_9")
        m = rng.random()
        if m < 0.4:
            text.insert(i, c)
        elif m < 0.7 and i < len(text):
            text[i] = c
        elif i < len(text):
            del text[i]
        text = "".join(text)
    if rng.random() < 0.1:
        text = rng.choice([" ", "  ", "\t"]) + text + rng.choice(["", " ", "\t "])
    return text


INVALID = ["", ".", "1.2.3", "abc", "1e", "NaN", "nan", "Infinity", "inf", "+", "-", "e5", "1e+", "1e-",
           "--1", "+-1", "1..2", "0x10", "1,5", "1_000", ". 5", "1 2", "1e5.5", "1.5e", "E", ".e1", "-.",
           "+.", "1e++5", "12a"]


def gen_double(rng):
    r = rng.random()
    if r < 0.3:
        return rng.uniform(-1, 1) * 10 ** rng.randint(-20, 40)
    if r < 0.5:
        return rng.randint(-(10**6), 10**6) / rng.choice([1, 2, 4, 8, 10, 100, 1000, 3, 7])
    if r < 0.55:
        return rng.choice([float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 5e-324, 1.7976931348623157e308,
                           0.5, -2.5, 9.223372036854776e18, 1e38, 0.1])
    import struct

    while True:
        x = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if x == x and abs(x) != float("inf") and (abs(x) < 1e45 or rng.random() < 0.1):
            return x


def gen_case(rng, op):
    if op in ("add", "sub", "mul", "div", "mod", "cmp"):
        a, b = gen_operand(rng), gen_operand(rng)
        if op == "cmp" and rng.random() < 0.3:  # same value, another scale: 1.5 = 1.50
            b = a + ("" if "e" in a.lower() else ("0" * rng.randint(1, 3) if "." in a else ".0"))
        return f"{op} {a} {b}"
    if op == "parse":
        return "parse " + gen_parse_text(rng)
    if op == "parse_as":
        return f"parse_as {gen_type(rng)} {gen_parse_text(rng)}"
    if op == "rescale":
        return f"rescale {gen_operand(rng)} {gen_type(rng)}"
    if op == "to_i64":
        if rng.random() < 0.3:
            edge = rng.choice([2**63 - 1, 2**63, -(2**63), -(2**63) - 1])
            frac = rng.choice(["", ".4", ".5", ".49999", ".5000", ".0", ".99"])
            return f"to_i64 {edge}{frac}"
        return "to_i64 " + gen_operand(rng)
    if op == "from_i64":
        v = rng.choice([rng.randint(-(2**63), 2**63 - 1), -(2**63), 2**63 - 1, 0, rng.randint(-999, 999)])
        return f"from_i64 {v} {gen_type(rng)}"
    if op == "from_double":
        return f"from_double {gen_type(rng)} {gen_double(rng).hex()}"
    if op == "to_double":
        return "to_double " + gen_operand(rng)
    raise AssertionError(op)


OPS = ["add", "sub", "mul", "div", "mod", "cmp", "parse", "to_i64", "from_i64", "parse_as", "rescale",
       "from_double", "to_double"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("oracle", help="path to the decimal_oracle executable")
    ap.add_argument("--cases", type=int, default=100_000, help="cases per operation")
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    lines = [gen_case(rng, op) for op in OPS for _ in range(args.cases)]
    assert not any("\n" in line for line in lines)
    proc = subprocess.run([args.oracle], input="\n".join(lines) + "\n", capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"decimal property: oracle exited with {proc.returncode}\n{proc.stderr}", file=sys.stderr)
        return 1
    got = proc.stdout.split("\n")[:-1]
    if len(got) != len(lines):
        print(f"decimal property: {len(lines)} cases but {len(got)} output lines", file=sys.stderr)
        return 1
    mismatches = []
    for line, out in zip(lines, got):
        want = expect(line)
        if want != out:
            mismatches.append((line, want, out))
    print(f"decimal property: {len(lines)} cases, {len(mismatches)} mismatches")
    for line, want, out in mismatches[:20]:
        print(f"  {line!r}\n    expected {want}\n    got      {out}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
