#!/usr/bin/env python3
"""Queueing delay of `tailq run --scenario server` against M/M/1 and M/M/c (Erlang C) theory.

The sleep backend serves each query in an exponentially distributed time (mean 1/mu) and the
load generator issues Poisson arrivals at lambda = rho * W * mu. FIFO queue, W workers: the
mean wait is C / (W mu - lambda) and P(wait > t) = C exp(-(W mu - lambda) t), where C is Erlang
C (C = rho for one worker).

Three waits per case: theory; "ideal", an instantaneous FIFO dispatcher replayed on the
measured scheduled arrivals and measured service times (checks the Poisson schedule, the service
law and the queue discipline); and measured (start - scheduled arrival). Measured minus ideal
is what tailq's own dispatch adds (a sleeping worker waking up, the generator's lateness).
Usage: queueing_vs_theory.py path/to/tailq [--quick] [--busy-poll] [--workers W]
(--busy-poll: workers spin on the queue instead of sleeping on it; --workers: only the cases with
W workers.) Run it under `chrt -f 20` on a quiet machine.
"""
import sqlite3

import numpy as np
import json
import math
import os
import subprocess
import sys
import tempfile

import trace_tables  # bench/trace_tables.py, next to this script

MEAN_SERVICE_S = 0.0005


def erlang_c(workers, offered):
    rho = offered / workers
    top = offered**workers / math.factorial(workers) / (1 - rho)
    return top / (sum(offered**k / math.factorial(k) for k in range(workers)) + top)


def replay(trace, workers):
    """Waits of an instantaneous FIFO dispatcher on the measured arrivals and service times."""
    db = sqlite3.connect(trace)
    ideal, overhead = [], []
    for t in trace_tables.measured_timelines(db):  # scheduled, issued, started, finished
        order = np.argsort(t[:, 0], kind="stable")
        t = t[order]
        service = t[:, 3] - t[:, 2]
        # Servers free when the round's first query was started (carry-over from the last round).
        free = [t[0, 2]] * workers
        waits = np.empty(len(t))
        for n in range(len(t)):
            k = min(range(workers), key=free.__getitem__)
            start = max(t[n, 0], free[k])
            waits[n] = start - t[n, 0]
            free[k] = start + service[n]
        ideal.append(waits)
        overhead.append((t[:, 2] - t[:, 0]) - waits)
    return np.concatenate(ideal), np.concatenate(overhead)


def measure(tailq, workers, rho, queries, folder, extra):
    mu = 1 / MEAN_SERVICE_S
    lam = rho * workers * mu
    instances = 5000
    rounds = max(2, queries // instances)
    trace = os.path.join(folder, f"w{workers}-rho{rho}.trace")
    subprocess.run([tailq, "run", "--workload", "sleep", "--instances", str(instances),
                    "--sleep-dist", f"exp:{MEAN_SERVICE_S * 1e6:g}us", "--scenario", "server",
                    "--qps", f"{lam:g}", "--workers", str(workers), "--max-rounds", str(rounds),
                    "--warmup-rounds", "1", "--tau", "0", "--quiet", "-o", trace, *extra],
                   check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([tailq, "analyze", trace, "--thresholds", "1s", "--json"], check=True,
                         capture_output=True, text=True).stdout
    level = json.loads(out)["levels"][0]
    ideal, overhead = replay(trace, workers)
    c = erlang_c(workers, lam / mu)
    rate = workers * mu - lam
    theory_mean = c / rate
    theory_p99 = math.log(100 * c) / rate if c > 0.01 else 0.0
    return {
        "workers": workers, "rho": rho, "queries": rounds * instances,
        "theory_mean_ms": theory_mean * 1e3, "mean_ms": level["queue_wait"]["mean"] * 1e3,
        "theory_p99_ms": theory_p99 * 1e3, "p99_ms": level["queue_wait"]["p99"] * 1e3,
        "service_ms": level["service"]["mean"] * 1e3,
        "ideal_mean_ms": ideal.mean() * 1e3, "ideal_p99_ms": np.percentile(ideal, 99) * 1e3,
        "dispatch_p50_us": np.percentile(overhead, 50) * 1e6,
        "dispatch_p99_us": np.percentile(overhead, 99) * 1e6,
        "issue_p50_us": level["issue_delay"]["p50"] * 1e6,
        "issue_p99_us": level["issue_delay"]["p99"] * 1e6,
    }


def main():
    tailq = sys.argv[1]
    quick = "--quick" in sys.argv
    scale = 0.1 if quick else 1.0
    extra = ["--busy-poll"] if "--busy-poll" in sys.argv else []
    cases = [(1, 0.3, 60000), (1, 0.6, 100000), (1, 0.9, 400000),
             (2, 0.3, 60000), (2, 0.6, 100000), (2, 0.9, 300000)]
    if "--workers" in sys.argv:
        only = int(sys.argv[sys.argv.index("--workers") + 1])
        cases = [c for c in cases if c[0] == only]
    print(f"exponential service, mean {MEAN_SERVICE_S * 1e3} ms; wait = start - scheduled arrival"
          f"{'; busy-polling workers' if extra else ''}")
    print("mean / P99 wait in ms: theory, ideal dispatcher on the measured arrivals and services"
          " (error vs theory), measured (error vs theory); dispatch = measured - ideal")
    print(f"{'W':>2} {'rho':>4} {'queries':>8} | {'mean: theory':>12} {'ideal':>7} {'err%':>5}"
          f" {'measured':>8} {'err%':>5} | {'P99: theory':>11} {'ideal':>7} {'err%':>5}"
          f" {'measured':>8} {'err%':>5} | {'service':>7} | {'dispatch us p50/p99':>19}"
          f" | {'issue us p50/p99':>16}")
    with tempfile.TemporaryDirectory() as folder:
        for workers, rho, queries in cases:
            r = measure(tailq, workers, rho, int(queries * scale), folder, extra)
            def err(value, theory):
                return 100 * (value / theory - 1) if theory else 0.0
            print(f"{workers:>2} {rho:>4} {r['queries']:>8} | {r['theory_mean_ms']:>12.4f}"
                  f" {r['ideal_mean_ms']:>7.4f} {err(r['ideal_mean_ms'], r['theory_mean_ms']):>5.1f}"
                  f" {r['mean_ms']:>8.4f} {err(r['mean_ms'], r['theory_mean_ms']):>5.1f} |"
                  f" {r['theory_p99_ms']:>11.4f} {r['ideal_p99_ms']:>7.4f}"
                  f" {err(r['ideal_p99_ms'], r['theory_p99_ms']):>5.1f} {r['p99_ms']:>8.4f}"
                  f" {err(r['p99_ms'], r['theory_p99_ms']):>5.1f} | {r['service_ms']:>7.4f} |"
                  f" {r['dispatch_p50_us']:>9.1f}/{r['dispatch_p99_us']:<9.1f} |"
                  f" {r['issue_p50_us']:>7.1f}/{r['issue_p99_us']:<8.1f}", flush=True)


if __name__ == "__main__":
    main()
