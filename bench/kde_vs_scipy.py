#!/usr/bin/env python3
"""Side-by-side: tailq's ISJ + FFT KDE against scipy.stats.gaussian_kde on the same job.

    python3 bench/kde_vs_scipy.py --bench build/bench/density_bench \
        [--sizes 100000,1000000] [--repeats 5] [--budget 120]

The job, per size n (lognormal latency-like times, as in the benchmark binary): choose a
bandwidth, fit, and evaluate the density on 1,000 evenly spaced points from min to max, which
is what a convergence check does per fit.
  * scipy: gaussian_kde(data) (Scott's rule; scipy has no ISJ, and the rule costs nothing next
    to the O(n x 1000) evaluation) and kde(grid), timed in this process;
  * tailq: BM_IsjKdeFitEval/n of the benchmark binary (--benchmark_format=json), i.e.
    isj_bandwidth + Kde + pdf on the same 1,000 points.
Each time is the median of --repeats runs. scipy at 10^6 points takes tens of seconds per run,
so within --budget seconds of scipy time it runs as often as fits, at least once where the
estimate from the smaller size fits, otherwise it is reported as an extrapolation (n x time per
point of the largest measured size, since the evaluation is O(n)) with "measured": false.
Prints one JSON object.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np
from scipy.stats import gaussian_kde


def scipy_once(data):
    start = time.perf_counter()
    kde = gaussian_kde(data)
    grid = np.linspace(data.min(), data.max(), 1000)
    kde(grid)
    return time.perf_counter() - start


def tailq_medians(bench, repeats):
    out = subprocess.run(
        [bench, "--benchmark_filter=BM_IsjKdeFitEval", "--benchmark_format=json",
         f"--benchmark_repetitions={repeats}", "--benchmark_report_aggregates_only=true"],
        check=True, capture_output=True, text=True).stdout
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            n = int(b["run_name"].split("/")[1])
            medians[n] = b["real_time"] * scale[b["time_unit"]]
    return medians


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", required=True, help="the density_bench binary")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds of scipy time")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    ours = tailq_medians(args.bench, args.repeats)
    rng = np.random.default_rng(1)
    results = {}
    spent = 0.0
    per_point = None  # scipy seconds per data point at the largest measured size
    for n in sizes:
        data = rng.lognormal(np.log(0.004), 0.25, n)
        left = args.budget - spent
        estimate = per_point * n if per_point else 0.0
        runs = []
        if estimate <= left:
            while len(runs) < args.repeats:
                runs.append(scipy_once(data))
                spent += runs[-1]
                if spent + runs[-1] > args.budget:
                    break
        entry = {"n": n, "tailq_s": ours.get(n)}
        if runs:
            entry.update(scipy_s=statistics.median(runs), scipy_runs=len(runs), measured=True)
            per_point = entry["scipy_s"] / n
        else:
            entry.update(scipy_s=estimate, scipy_runs=0, measured=False)
        if entry["tailq_s"]:
            entry["ratio"] = entry["scipy_s"] / entry["tailq_s"]
        results[str(n)] = entry
    json.dump({"job": "bandwidth + fit + pdf on 1000 points, lognormal data",
               "repeats": args.repeats, "sizes": results}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
