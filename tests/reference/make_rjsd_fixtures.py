#!/usr/bin/env python3
"""Reference rJSD series for tailq's convergence monitor, computed independently: exact KDEs
(scipy.stats.gaussian_kde with the kernel sd set to the ISJ bandwidth of the numpy port in
make_density_fixtures.py) on all times so far, scipy's jensenshannon, docs/method.md 4a's formula.

    /usr/bin/python3 tests/reference/make_rjsd_fixtures.py > tests/fixtures/rjsd.json
"""
import json
import os
import sys

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import gaussian_kde

sys.path.insert(0, os.path.dirname(__file__))
from make_density_fixtures import isj  # noqa: E402


def series(rounds, fit_every, window, points=1000):
    out, fits = [], []
    for r in range(fit_every, len(rounds) + 1, fit_every):
        data = np.concatenate(rounds[:r])
        h = isj(data)
        kde = gaussian_kde(data, bw_method=h / np.std(data, ddof=1))
        fits.append(kde)
        if len(fits) <= window:
            continue
        x = np.linspace(data.min(), data.max(), points)
        p = kde(x) + 1e-8
        d = [jensenshannon(p, f(x) + 1e-8) for f in fits[-window - 1:-1]]
        out.append({"round": r, "rjsd": float(np.sqrt(np.sum(d) / window)), "bandwidth": h})
    return out


def main():
    rng = np.random.default_rng(4)
    cases = []
    # Stationary lognormal times, and times that slow down round after round.
    for name, drift in (("stationary", 0.0), ("drifting", 0.004)):
        rounds = [np.exp(rng.normal(np.log(0.004), 0.2, 300)) * (1 + drift * r)
                  for r in range(24)]
        cases.append({"name": name, "fit_every": 2, "window": 5,
                      "rounds": [r.tolist() for r in rounds],
                      "expected": series(rounds, 2, 5)})
    json.dump(cases, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
