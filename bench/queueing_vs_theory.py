#!/usr/bin/env python3
"""Queueing delay of `tailq run --scenario server` against M/M/1 and M/M/c (Erlang C) theory.

The sleep backend serves each query in an exponentially distributed time (mean 1/mu) and the
load generator issues Poisson arrivals at lambda = rho * W * mu. FIFO queue, W workers: the
mean wait is C / (W mu - lambda) and P(wait > t) = C exp(-(W mu - lambda) t), where C is Erlang
C (C = rho for one worker). Usage: queueing_vs_theory.py path/to/tailq [--quick]
"""
import json
import math
import os
import subprocess
import sys
import tempfile

MEAN_SERVICE_S = 0.0005


def erlang_c(workers, offered):
    rho = offered / workers
    top = offered**workers / math.factorial(workers) / (1 - rho)
    return top / (sum(offered**k / math.factorial(k) for k in range(workers)) + top)


def measure(tailq, workers, rho, queries, folder):
    mu = 1 / MEAN_SERVICE_S
    lam = rho * workers * mu
    instances = 5000
    rounds = max(2, queries // instances)
    trace = os.path.join(folder, f"w{workers}-rho{rho}.trace")
    subprocess.run([tailq, "run", "--workload", "sleep", "--instances", str(instances),
                    "--sleep-dist", f"exp:{MEAN_SERVICE_S * 1e6:g}us", "--scenario", "server",
                    "--qps", f"{lam:g}", "--workers", str(workers), "--max-rounds", str(rounds),
                    "--warmup-rounds", "1", "--tau", "0", "--quiet", "-o", trace],
                   check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([tailq, "analyze", trace, "--thresholds", "1s", "--json"], check=True,
                         capture_output=True, text=True).stdout
    level = json.loads(out)["levels"][0]
    c = erlang_c(workers, lam / mu)
    rate = workers * mu - lam
    theory_mean = c / rate
    theory_p99 = math.log(100 * c) / rate if c > 0.01 else 0.0
    return {
        "workers": workers, "rho": rho, "queries": rounds * instances,
        "theory_mean_ms": theory_mean * 1e3, "mean_ms": level["queue_wait"]["mean"] * 1e3,
        "theory_p99_ms": theory_p99 * 1e3, "p99_ms": level["queue_wait"]["p99"] * 1e3,
        "service_ms": level["service"]["mean"] * 1e3,
        "issue_p50_us": level["issue_delay"]["p50"] * 1e6,
        "issue_p99_us": level["issue_delay"]["p99"] * 1e6,
    }


def main():
    tailq = sys.argv[1]
    quick = "--quick" in sys.argv
    scale = 0.1 if quick else 1.0
    cases = [(1, 0.3, 60000), (1, 0.6, 100000), (1, 0.9, 400000),
             (2, 0.3, 60000), (2, 0.6, 100000), (2, 0.9, 300000)]
    print(f"exponential service, mean {MEAN_SERVICE_S * 1e3} ms; wait = start - scheduled arrival")
    print(f"{'W':>2} {'rho':>4} {'queries':>8} {'mean wait ms':>13} {'theory':>8} {'err %':>6}"
          f" {'P99 wait ms':>12} {'theory':>8} {'err %':>6} {'service ms':>10}"
          f" {'issue p50/p99 us':>17}")
    with tempfile.TemporaryDirectory() as folder:
        for workers, rho, queries in cases:
            r = measure(tailq, workers, rho, int(queries * scale), folder)
            err_mean = 100 * (r["mean_ms"] / r["theory_mean_ms"] - 1)
            err_p99 = 100 * (r["p99_ms"] / r["theory_p99_ms"] - 1) if r["theory_p99_ms"] else 0
            print(f"{workers:>2} {rho:>4} {r['queries']:>8} {r['mean_ms']:>13.4f}"
                  f" {r['theory_mean_ms']:>8.4f} {err_mean:>6.1f} {r['p99_ms']:>12.4f}"
                  f" {r['theory_p99_ms']:>8.4f} {err_p99:>6.1f} {r['service_ms']:>10.4f}"
                  f" {r['issue_p50_us']:>8.1f}/{r['issue_p99_us']:<8.1f}", flush=True)


if __name__ == "__main__":
    main()
