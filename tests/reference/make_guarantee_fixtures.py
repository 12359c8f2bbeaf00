#!/usr/bin/python3
"""Reference values for tailq's distribution-free Q@T guarantee (tests/guarantee_test.cpp).

Run with Debian's python3 (python3-numpy, python3-scipy) and commit the output:
    /usr/bin/python3 tests/reference/make_guarantee_fixtures.py > tests/fixtures/guarantee.json

Definitions (Wilks 1941): the r-th lowest of n independent rounds is a lower bound that at
least a share p of rounds reach, with confidence P(Binomial(n, 1 - p) >= r) = binom.sf(r - 1,
n, 1 - p); the bound uses the largest r that reaches the confidence; the worst round (r = 1) is
a bound from the smallest n with binom.sf(0, n, 1 - p) >= confidence. Lag-1 autocorrelation:
sum((x[t] - m)(x[t+1] - m)) / sum((x - m)^2), the estimator of statsmodels' acf.

Dependence (docs/precision.md): tau = max(1, lugsail long-run variance of 1{x <= q} / its
sample variance) (t_df / z)^2 at the one-sided tail 1 - confidence, q the inverted_cdf (1 - p)
quantile, with the batch size of the AR(1) rule
(make_precision_fixtures.py) taken from the lag-1 autocorrelation of x itself; m = n / tau; when tau > 1 the confidence of order r is
betainc(k, m - k + 1, 1 - p) with k = max(1, r m / n), else binom.sf(r - 1, n, 1 - p).
"""
import json
import os
import sys

import numpy as np
from scipy import special
from scipy.stats import binom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_precision_fixtures import batch_size  # noqa: E402
from make_precision_fixtures import inflation as tau_of  # noqa: E402


def inflation(x, p, confidence):
    q = np.percentile(x, 100 * (1 - p), method="inverted_cdf")
    ind = (x <= q).astype(float)
    s = ind.mean()
    if len(x) < 12 or not 0 < s < 1:
        return 1.0
    c = x - x.mean()
    phi = float(c[:-1] @ c[1:] / (c @ c)) if c @ c > 0 else 0.0
    return tau_of(ind, batch_size(len(x), phi), 1 - confidence)


def attained(n, r, p, tau):
    if tau > 1:
        m = n / tau
        k = max(1.0, r * m / n)
        return float(special.betainc(k, m - k + 1, 1 - p))
    return float(binom.sf(r - 1, n, 1 - p))

confidence = []
for n, p in [(10, 0.9), (59, 0.95), (266, 0.99), (299, 0.99), (1000, 0.99), (5000, 0.999),
             (50, 0.5), (3, 0.2)]:
    for r in sorted({1, 2, 3, 5, 10, n // 2, n}):
        if 1 <= r <= n:
            confidence.append({"n": n, "order": r, "coverage": p,
                               "confidence": float(binom.sf(r - 1, n, 1 - p))})

needed = []
for p, g in [(0.99, 0.95), (0.95, 0.95), (0.9, 0.9), (0.999, 0.99), (0.5, 0.5), (0.9, 0.99),
             (0.99, 0.999)]:
    n = 1
    while binom.sf(0, n, 1 - p) < g:
        n += 1
    needed.append({"coverage": p, "confidence": g, "rounds": n})

bounds = []
rng = np.random.default_rng(20261129)
ar = np.empty(600)
z = rng.normal()
for i in range(600):
    z = 0.9 * z + np.sqrt(1 - 0.81) * rng.normal()
    ar[i] = 0.95 + 0.01 * z
for name, x, p, g in [
        ("iid normal 300", rng.normal(0.95, 0.01, 300), 0.99, 0.95),
        ("iid uniform 1000", rng.uniform(0.5, 1.0, 1000), 0.95, 0.95),
        ("iid beta 2000", rng.beta(50, 2, 2000), 0.99, 0.99),
        ("drifting 400", np.linspace(0.9, 0.99, 400) + rng.normal(0, 0.002, 400), 0.9, 0.9),
        ("too few 100", rng.normal(0.9, 0.02, 100), 0.99, 0.95),
        ("ar1 0.9 600", ar, 0.95, 0.95)]:
    n = len(x)
    tau = inflation(x, p, g)
    orders = [r for r in range(1, n + 1) if attained(n, r, p, tau) >= g]
    m = x.mean()
    r1 = float(np.sum((x[:-1] - m) * (x[1:] - m)) / np.sum((x - m) ** 2))
    case = {"name": name, "quality": x.tolist(), "coverage": p, "confidence": g,
            "lag1": r1, "effective_rounds": n / tau}
    if orders:
        r = max(orders)
        case.update(order=r, bound=float(np.sort(x)[r - 1]), attained=attained(n, r, p, tau))
    else:
        case.update(order=None, bound=None, attained=attained(n, 1, p, tau))
    bounds.append(case)

print(json.dumps({"confidence": confidence, "needed": needed, "bounds": bounds}))
