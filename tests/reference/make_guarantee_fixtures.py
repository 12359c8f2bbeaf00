#!/usr/bin/python3
"""Reference values for tailq's distribution-free Q@T guarantee (tests/guarantee_test.cpp).

Run with Debian's python3 (python3-numpy, python3-scipy) and commit the output:
    /usr/bin/python3 tests/reference/make_guarantee_fixtures.py > tests/fixtures/guarantee.json

Definitions (Wilks 1941): the r-th lowest of n independent rounds is a lower bound that at
least a share p of rounds reach, with confidence P(Binomial(n, 1 - p) >= r) = binom.sf(r - 1,
n, 1 - p); the bound uses the largest r that reaches the confidence; the worst round (r = 1) is
a bound from the smallest n with binom.sf(0, n, 1 - p) >= confidence. Lag-1 autocorrelation:
sum((x[t] - m)(x[t+1] - m)) / sum((x - m)^2), the estimator of statsmodels' acf.
"""
import json

import numpy as np
from scipy.stats import binom

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
for name, x, p, g in [
        ("iid normal 300", rng.normal(0.95, 0.01, 300), 0.99, 0.95),
        ("iid uniform 1000", rng.uniform(0.5, 1.0, 1000), 0.95, 0.95),
        ("iid beta 2000", rng.beta(50, 2, 2000), 0.99, 0.99),
        ("drifting 400", np.linspace(0.9, 0.99, 400) + rng.normal(0, 0.002, 400), 0.9, 0.9),
        ("too few 100", rng.normal(0.9, 0.02, 100), 0.99, 0.95)]:
    n = len(x)
    orders = [r for r in range(1, n + 1) if binom.sf(r - 1, n, 1 - p) >= g]
    m = x.mean()
    r1 = float(np.sum((x[:-1] - m) * (x[1:] - m)) / np.sum((x - m) ** 2))
    case = {"name": name, "quality": x.tolist(), "coverage": p, "confidence": g,
            "lag1": r1}
    if orders:
        r = max(orders)
        case.update(order=r, bound=float(np.sort(x)[r - 1]),
                    attained=float(binom.sf(r - 1, n, 1 - p)))
    else:
        case.update(order=None, bound=None, attained=float(binom.sf(0, n, 1 - p)))
    bounds.append(case)

print(json.dumps({"confidence": confidence, "needed": needed, "bounds": bounds}))
