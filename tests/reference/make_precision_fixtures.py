#!/usr/bin/python3
"""Reference values for tailq's intervals under dependent rounds (tests/precision_test.cpp).

Run with Debian's python3 (python3-numpy, python3-scipy) and commit the output:
    /usr/bin/python3 tests/reference/make_precision_fixtures.py > tests/fixtures/precision.json

Written from the definitions in docs/precision.md, independently of the C++ code:
- overlapping batch means with batch size b, written out as a loop over all n - b + 1 batches:
  n b / ((n - b)(n - b + 1)) sum_j (batch mean_j - mean)^2 (Flegal & Jones 2010, eq. 2);
- lugsail: 2 OBM(b) - OBM(floor(b / 3)) (Vats & Flegal 2022, r = 3, c = 1/2), floored at the
  sample variance (ddof 1); degrees of freedom max(1, 0.36 * 1.5 (n / b - 1));
- batch size: ceil((1.5 n)^(1/3) (2 phi / (1 - phi^2))^(2/3)) within [3, max(3, n // 4)], phi
  the lag-1 autocorrelation clamped to [0, 0.95];
- mean interval: mean +- t.ppf(0.5 + confidence / 2, df) sqrt(variance / n);
- quantile: numpy's inverted_cdf; tau = max(1, lugsail variance of 1{x <= estimate} / its
  sample variance (ddof 1)) (t.ppf(1 - tail, df) / norm.ppf(1 - tail))^2, tail = (1 -
  confidence) / 2, df of that lugsail estimate, with the batch size given; m = n / tau; low
  order = the largest l with betainc(k, m - k + 1, q) >= 1 - (1 - confidence) / 2, k = max(1, l m / n);
  high order = the smallest u with 1 - betainc(j + 1, m - j, q) >= the same, j = (u - 1) m / n
  or 0 when that is below 1.
"""
import json
import math

import numpy as np
from scipy import special, stats


def obm(x, b):
    n = len(x)
    m = x.mean()
    means = [x[j:j + b].mean() for j in range(n - b + 1)]
    return n * b / ((n - b) * (n - b + 1)) * sum((v - m) ** 2 for v in means)


def lag1(x):
    c = x - x.mean()
    s = c @ c
    return 0.0 if s == 0 else float(c[:-1] @ c[1:] / s)


def batch_size(n, phi):
    phi = min(max(phi, 0.0), 0.95)
    ratio = 2 * phi / (1 - phi * phi)
    b = math.ceil((1.5 * n) ** (1 / 3) * ratio ** (2 / 3))
    return min(max(b, 3), max(3, n // 4))


def lrv(x, b=0):
    n = len(x)
    phi = lag1(x)
    b = batch_size(n, phi) if b == 0 else min(max(b, 3), max(3, n // 4))
    iid = float(x.var(ddof=1))
    lug = 2 * obm(x, b) - obm(x, b // 3)
    return {"variance": max(lug, iid), "iid_variance": iid, "batch_size": b,
            "degrees_of_freedom": max(1.0, 0.36 * 1.5 * (n / b - 1)), "lag1": phi}


def inflation(ind, b, tail):
    """tau of an indicator series, scaled by (t_df / z)^2 at the one-sided `tail`."""
    v = lrv(ind, b)
    tau = max(1.0, v["variance"] / ind.var(ddof=1))
    t = stats.t.ppf(1 - tail, v["degrees_of_freedom"])
    z = stats.norm.ppf(1 - tail)
    return tau * (t / z) ** 2


def inverted_cdf(x, q):
    return float(np.percentile(x, 100 * q, method="inverted_cdf"))


def quantile_interval(x, q, confidence, b):
    n = len(x)
    xs = np.sort(x)
    est = inverted_cdf(x, q)
    ind = (x <= est).astype(float)
    s = ind.mean()
    tail = (1 - confidence) / 2
    tau = inflation(ind, b, tail) if n >= 12 and 0 < s < 1 else 1.0
    m = n / tau
    low = 0
    for l in range(1, n + 1):
        k = max(1.0, l * m / n)
        if special.betainc(k, m - k + 1, q) >= 1 - tail:
            low = l
        else:
            break
    high = 0
    for u in range(1, n + 1):
        j = (u - 1) * m / n
        j = 0.0 if j < 1 else j
        if 1 - special.betainc(j + 1, m - j, q) >= 1 - tail:
            high = u
            break
    return {"value": est, "low_order": low, "high_order": high,
            "low": float(xs[low - 1]) if low else None,
            "high": float(xs[high - 1]) if high else None,
            "effective_rounds": m}


def ar1(rng, n, phi, sd=1.0):
    x = np.empty(n)
    z = rng.normal() * sd
    for i in range(n):
        z = phi * z + math.sqrt(1 - phi * phi) * sd * rng.normal()
        x[i] = z
    return x


def main():
    rng = np.random.default_rng(20261130)
    series = [
        ("iid normal 50", rng.normal(0.97, 0.01, 50)),
        ("iid normal 400", rng.normal(0.97, 0.01, 400)),
        ("ar1 0.5 200", 0.97 + 0.01 * ar1(rng, 200, 0.5)),
        ("ar1 0.9 600", 0.97 + 0.01 * ar1(rng, 600, 0.9)),
        ("ar1 -0.5 100", 0.97 + 0.01 * ar1(rng, 100, -0.5)),
        ("lattice 360 ar1 0.7 300", np.round((0.97 + 0.01 * ar1(rng, 300, 0.7)) * 360) / 360),
        ("few 12", rng.normal(0.9, 0.02, 12)),
        ("ties 90", np.repeat([0.95, 0.96, 0.97], 30)[rng.permutation(90)]),
    ]
    cases = []
    for name, x in series:
        v = lrv(x)
        n = len(x)
        case = {"name": name, "series": x.tolist(), "lrv": v,
                "obm": {str(b): obm(x, b) for b in (3, 4, max(3, n // 4))}}
        for confidence in (0.95, 0.99):
            t = stats.t.ppf(0.5 + confidence / 2, v["degrees_of_freedom"])
            half = t * math.sqrt(v["variance"] / n)
            case[f"mean_{confidence}"] = {"value": float(x.mean()), "low": float(x.mean() - half),
                                          "high": float(x.mean() + half),
                                          "effective_rounds": n / (v["variance"] / v["iid_variance"])
                                          if v["iid_variance"] > 0 else n}
            for q in (0.05, 0.5):
                case[f"quantile_{q}_{confidence}"] = quantile_interval(x, q, confidence,
                                                                       v["batch_size"])
        cases.append(case)

    batch_sizes = [{"n": n, "phi": phi, "b": batch_size(n, phi)}
                   for n in (12, 20, 100, 1000, 100000) for phi in (-0.3, 0.0, 0.1, 0.5, 0.8, 0.95,
                                                                   0.99)]
    print(json.dumps({"cases": cases, "batch_sizes": batch_sizes}))


if __name__ == "__main__":
    main()
