#!/usr/bin/python3
"""Reference values for tailq::describe() and tailq::fit_line(), from numpy and scipy.

Run once with Debian's python3 (python3-numpy 1.24, python3-scipy 1.10) and commit the output:
    /usr/bin/python3 tests/reference/make_describe_fixtures.py
It writes tests/fixtures/describe.json; tests/describe_test.cpp must reproduce every number.

Definitions are numpy's and scipy's: numpy.median, std(ddof=1), percentile(method=
"inverted_cdf") for the quartiles, scipy.stats.skew(bias=False), scipy.stats.kurtosis(
bias=False) (excess), scipy.stats.linregress. Two deliberate differences, both for tailq's
NaN-when-undefined rule:
  * skew(bias=False) needs n >= 3 and kurtosis(bias=False) n >= 4 (their correction factors
    divide by n - 2 and (n - 2)(n - 3)); below that scipy silently returns the *biased* value,
    tailq (and this file) says null.
  * 3 MAD outliers: when MAD = 0 the fence has width 0 and would flag every value that is not
    the median, so tailq counts none.

Moments (mean, std, skewness, kurtosis) are written from exact rational arithmetic on the
doubles (then 50 significant digits for the square roots), not from scipy's floating-point
sums: for times ~1e-3 s with ~1e-9 s spread, numpy's mean carries an error of a few ulps that
moves scipy's skewness by ~1e-10 absolute, which would blur a 1e-9 relative check. The script
asserts that scipy agrees with the exact values, so the definitions are scipy's.
"""
import decimal
import json
import math
import pathlib
import warnings
from fractions import Fraction

import numpy as np
import scipy.stats

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "describe.json"
decimal.getcontext().prec = 50


def pct(v, q):
    return float(np.percentile(v, q, method="inverted_cdf"))


def dec(f):
    return decimal.Decimal(f.numerator) / decimal.Decimal(f.denominator)


def exact_moments(v):
    """mean, std (ddof=1), G1, G2 from exact arithmetic; None where undefined."""
    xs = [Fraction(float(x)) for x in v]
    n = len(xs)
    mean = sum(xs) / n
    d = [x - mean for x in xs]
    m2 = sum(e * e for e in d) / n
    m3 = sum(e ** 3 for e in d) / n
    m4 = sum(e ** 4 for e in d) / n
    std = float((dec(m2 * n / (n - 1))).sqrt()) if n > 1 else None
    skew = kurt = None
    if m2 != 0 and n >= 3:
        g1 = dec(m3) / dec(m2) ** decimal.Decimal(1.5)
        skew = float(decimal.Decimal(n * (n - 1)).sqrt() / (n - 2) * g1)
    if m2 != 0 and n >= 4:
        g2 = m4 / (m2 * m2) - 3
        kurt = float(((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)))
    return float(mean), std, skew, kurt


def close(a, b, rel, floor=0.0):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(rel * abs(b), floor)


def describe(name, values):
    v = np.asarray(values, dtype=np.float64)
    n = v.size
    mean, std, skew, kurt = exact_moments(v)
    with warnings.catch_warnings():
        # scipy warns about cancellation for the tiny-spread sample; the exact check covers it.
        warnings.simplefilter("ignore", RuntimeWarning)
        sp_skew = float(scipy.stats.skew(v, bias=False)) if n >= 3 else None
        sp_kurt = float(scipy.stats.kurtosis(v, fisher=True, bias=False)) if n >= 4 else None
        sp_std = float(v.std(ddof=1)) if n > 1 else None
    sp_skew = None if sp_skew is not None and math.isnan(sp_skew) else sp_skew
    sp_kurt = None if sp_kurt is not None and math.isnan(sp_kurt) else sp_kurt
    assert close(float(v.mean()), mean, 1e-13), name
    assert close(sp_std, std, 1e-9), name
    assert close(sp_skew, skew, 1e-6, 1e-8), (name, sp_skew, skew)
    assert close(sp_kurt, kurt, 1e-6, 1e-8), (name, sp_kurt, kurt)

    median = float(np.median(v))
    q1, q3 = pct(v, 25), pct(v, 75)
    iqr = q3 - q1
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    sigma = 0
    if std is not None:
        # The float mean/std, as tailq computes them (each within an ulp of the exact value).
        sigma = int(np.sum(np.abs(v - mean) > 3 * std))
        assert sigma == int(np.sum(np.abs(v - v.mean()) > 3 * v.std(ddof=1))), name
    dev = np.abs(v - median)
    mad = float(np.median(dev))
    return {
        "name": name, "values": v.tolist(), "count": int(n),
        "min": float(v.min()), "max": float(v.max()), "mean": mean, "median": median,
        "std": std, "skewness": skew, "kurtosis": kurt, "q1": q1, "q3": q3, "iqr": iqr,
        "outliers_iqr": int(np.sum((v < lo) | (v > hi))), "outliers_sigma": sigma,
        "outliers_mad": int(np.sum(dev > 3 * mad)) if mad > 0 else 0, "mad": mad,
    }


def line(name, x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    case = {"name": name, "x": x.tolist(), "y": y.tolist()}
    if x.size < 2 or x.min() == x.max():
        case["fit"] = None  # linregress raises (constant x) or divides by zero (n = 1)
        return case
    r = scipy.stats.linregress(x, y)
    case["fit"] = {"slope": float(r.slope), "intercept": float(r.intercept),
                   "r_squared": float(r.rvalue) ** 2, "count": int(x.size)}
    return case


def main():
    rng = np.random.default_rng(20240611)
    lognormal = rng.lognormal(np.log(0.004), 0.3, 301)
    lognormal[[7, 100, 250]] = [0.05, 0.08, 0.0005]  # outliers on both sides
    ties_some = np.round(rng.lognormal(np.log(0.004), 0.2, 120), 3)
    # Over half the values equal: MAD = 0 and IQR = 0.
    ties_most = np.concatenate([np.full(70, 0.004), np.round(rng.normal(0.004, 0.001, 30), 4)])
    rng.shuffle(ties_most)
    samples = [
        ("normal n=200", rng.normal(0.01, 0.001, 200)),
        ("lognormal n=301 with outliers", lognormal),
        ("one value", [0.0042]),
        ("two values", [0.004, 0.0047]),
        ("three values", [0.004, 0.0047, 0.0101]),
        ("four values", [0.0031, 0.004, 0.0047, 0.0101]),
        ("five values", [0.0101, 0.004, 0.0047, 0.0031, 0.0029]),
        ("constant", np.full(10, 0.1)),
        ("ties, some", ties_some),
        ("ties, most (MAD = 0)", ties_most),
        ("1e-3 with 1e-9 spread", 1e-3 + 1e-9 * rng.standard_normal(500)),
        ("1e-3 with 1e-9 spread and a 3 sigma tail",
         np.concatenate([1e-3 + 1e-9 * rng.standard_normal(400), [1e-3 + 9e-9, 1e-3 - 8e-9]])),
        ("mixed signs", rng.standard_t(3, 64)),
    ]
    sizes = np.arange(1, 21, dtype=np.float64) * 224.0
    lines = [
        ("exact line", [1, 2, 3, 4, 5], [5, 8, 11, 14, 17]),
        ("mean time vs input size", sizes, 1e-3 + 2e-8 * sizes + rng.normal(0, 1e-5, sizes.size)),
        ("variance vs input size (tiny)", sizes, 1e-9 * (1 + 0.01 * sizes)
         * rng.lognormal(0, 0.1, sizes.size)),
        ("negative slope", [0.5, 1.5, 2.0, 3.5, 4.0, 7.25], [10, 7.5, 8, 4, 3.5, -1]),
        ("two points", [2, 6], [0.004, 0.012]),
        ("constant y", [1, 2, 3, 4], [5, 5, 5, 5]),
        ("uncorrelated", [1, 2, 3, 4, 5, 6], [1, 3, 2, 2, 3, 1]),
        ("constant x", [3, 3, 3], [1, 2, 3]),
        ("one point", [1], [2]),
    ]
    fixtures = {
        "describe": [describe(name, v) for name, v in samples],
        "fit_line": [line(name, x, y) for name, x, y in lines],
    }
    OUT.write_text(json.dumps(fixtures, indent=1) + "\n")


if __name__ == "__main__":
    main()
