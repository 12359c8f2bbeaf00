#!/usr/bin/python3
"""What a command costs end to end, against references in this same script (issue 14's checks).

    /usr/bin/python3 bench/command_costs.py --tailq build/tailq [--repeats 7]

Prints one JSON object:
  * startup: median wall time of `tailq --version` and `sqlite3 --version`, their ratio, and
    tailq's peak resident memory (ru_maxrss of the child) and shared libraries loaded;
  * fit: `tailq fit --json` of a generated 1,000 x 1,000 trace (10^6 times), the whole process,
    against scipy.stats.gaussian_kde fitted on 10^5 of those times and evaluated on 1,000 grid
    points (Scott's rule), scaled by 10 to 10^6 (its evaluation is O(n)).
Each time is the median of --repeats runs.
"""
import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time

import numpy as np
from scipy import stats

import trace_tables  # bench/trace_tables.py, next to this script


def wall(cmd, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def max_rss_kb(cmd):
    """Peak resident memory of `cmd` after exec, from GNU time (a child's ru_maxrss would count
    the forked copy of this Python process too)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], check=True, capture_output=True,
                         text=True).stderr
    return int(out.strip().splitlines()[-1])


def libraries(cmd):
    env = dict(os.environ, LD_DEBUG="files")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env).stderr
    return sum(1 for line in out.splitlines() if "calling init:" in line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tailq", default="build/tailq")
    ap.add_argument("--repeats", type=int, default=7)
    a = ap.parse_args()
    tailq = os.path.abspath(a.tailq)
    result = {}
    rss_kb = max_rss_kb([tailq, "--version"])
    t_tailq = wall([tailq, "--version"], a.repeats)
    t_sqlite = wall(["sqlite3", "--version"], a.repeats)
    result["startup"] = {"tailq_s": t_tailq, "sqlite3_s": t_sqlite, "ratio": t_tailq / t_sqlite,
                         "tailq_max_rss_mb": rss_kb / 1024,
                         "tailq_libraries": libraries([tailq, "--version"])}
    with tempfile.TemporaryDirectory() as tmp:
        trace = os.path.join(tmp, "fit.trace")
        subprocess.run([tailq, "generate", "--rounds", "1000", "--instances", "1000", "-o", trace],
                       check=True, capture_output=True)
        t_fit = wall([tailq, "fit", trace, "--json"], a.repeats)
        with sqlite3.connect(trace) as db:
            blob = trace_tables.measured_count(db)
        rng = np.random.default_rng(3)
        data = rng.lognormal(np.log(5e-3), 0.2, 100_000)
        grid = np.linspace(data.min(), data.max(), 1000)
        scipy_times = []
        for _ in range(max(3, a.repeats // 2)):
            start = time.perf_counter()
            stats.gaussian_kde(data)(grid)
            scipy_times.append(time.perf_counter() - start)
        t_scipy = statistics.median(scipy_times) * 10
        result["fit"] = {"rounds": blob, "tailq_fit_s": t_fit, "scipy_kde_1e6_s": t_scipy,
                         "ratio": t_scipy / t_fit}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
