#!/usr/bin/env python3
"""Side-by-side benchmark: `tailq analyze --json` against vectorised numpy on the same trace.

    python3 bench/analyze_vs_numpy.py --tailq build/tailq --bench build/bench/tailq_bench \
        [--rounds 1000] [--instances 50000] [--repeats 5]

Generates a synthetic trace (rounds x instances, batch size 1), then times, each as the median
of --repeats runs in this one script:
  * tailq analyze --json --sweep 100 (thresholds p90,p95,p99,p99.9), the whole process;
  * numpy computing the same numbers from arrays already in memory (two implementations, the
    faster one is the reference): pooled percentiles (inverted_cdf), min/max/mean, and for every
    round and deadline the accuracy with late answers wrong;
  * reading the times alone from the store (tailq_bench's BM_ReadStore), the floor;
  * the same analysis in process on the times already in memory, as numpy has them, without
    the precision estimate (tailq_bench's BM_AnalyzeTraceInMemory).
It checks that tailq and numpy agree on every number before it reports.
"""
import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import trace_tables  # bench/trace_tables.py, next to this script


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def load(trace):
    db = sqlite3.connect(f"file:{trace}?mode=ro", uri=True)
    times = trace_tables.measured_times(db)
    labels, preds = zip(*db.execute(
        "SELECT i.label, o.prediction FROM instances i JOIN outputs o ON o.instance = i.idx "
        "ORDER BY i.idx"))
    correct = np.array([p.split()[0] == l if p else False for l, p in zip(labels, preds)])
    return times, correct


def deadlines_of(times):
    pooled = times.ravel()
    pct = np.percentile(pooled, [50, 90, 95, 99, 99.9], method="inverted_cdf")
    lo, hi = pooled.min(), pooled.max()
    requested = list(pct[1:])
    sweep = np.linspace(lo, hi, 100)
    return pct, lo, hi, pooled.mean(), requested + list(sweep)


def numpy_sort_based(times, correct):
    """Per round: sort times, cumulative count of correct answers, searchsorted the deadlines."""
    pct, lo, hi, mean, deadlines = deadlines_of(times)
    d = np.asarray(deadlines)
    order = np.argsort(times, axis=1, kind="stable")
    sorted_times = np.take_along_axis(times, order, axis=1)
    cum = np.concatenate([np.zeros((times.shape[0], 1)), np.cumsum(correct[order], axis=1)], 1)
    quality = np.empty((times.shape[0], d.size))
    for r in range(times.shape[0]):
        on_time = np.searchsorted(sorted_times[r], d, side="right")
        quality[r] = cum[r, on_time] / times.shape[1]
    return pct, lo, hi, mean, d, quality


def numpy_bucket_based(times, correct):
    """All rounds at once: bucket every time into the sorted deadlines, bincount, cumsum."""
    pct, lo, hi, mean, deadlines = deadlines_of(times)
    d = np.asarray(deadlines)
    order = np.argsort(d)
    sorted_d = d[order]
    bucket = np.searchsorted(sorted_d, times, side="left")  # first deadline >= t
    r_count, k = times.shape[0], sorted_d.size
    flat = (bucket + np.arange(r_count)[:, None] * (k + 1)).ravel()
    weights = np.broadcast_to(correct, times.shape).ravel().astype(np.float64)
    counts = np.bincount(flat, weights=weights, minlength=r_count * (k + 1)).reshape(r_count, k + 1)
    quality_sorted = np.cumsum(counts[:, :k], axis=1) / times.shape[1]
    quality = np.empty_like(quality_sorted)
    quality[:, order] = quality_sorted
    return pct, lo, hi, mean, d, quality


def median_time(fn, repeats):
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tailq", default="build/tailq")
    ap.add_argument("--bench", default="build/bench/tailq_bench")
    ap.add_argument("--rounds", type=int, default=1000)
    ap.add_argument("--instances", type=int, default=50000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--trace", help="reuse this trace instead of generating one")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        trace = args.trace or os.path.join(tmp, "bench.trace")
        if not args.trace:
            start = time.perf_counter()
            run([args.tailq, "generate", "-o", trace, "--rounds", str(args.rounds),
                 "--instances", str(args.instances), "--warmup-rounds", "0"])
            print(f"generated {args.rounds} x {args.instances} in "
                  f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
        cmd = [args.tailq, "analyze", trace, "--json", "--sweep", "100"]
        run(cmd)  # warm the page cache
        t_tailq, s_tailq, out = median_time(lambda: run(cmd).stdout, args.repeats)
        result = json.loads(out)

        times, correct = load(trace)
        t_sort, s_sort, ref_sort = median_time(lambda: numpy_sort_based(times, correct),
                                               max(1, args.repeats // 2))
        t_bucket, s_bucket, ref = median_time(lambda: numpy_bucket_based(times, correct),
                                              args.repeats)
        load_time, _, _ = median_time(lambda: load(trace), 1)

        # Same numbers?
        pct, lo, hi, mean, d, quality = ref
        lat = result["latency"]
        assert [lat["p50"], lat["p90"], lat["p95"], lat["p99"], lat["p99.9"]] == list(pct)
        assert lat["min"] == lo and lat["max"] == hi and abs(lat["mean"] - mean) < 1e-12 * mean
        got = np.array([t["per_round"] for t in result["thresholds"]]).T
        assert np.array_equal(np.array([t["seconds"] for t in result["thresholds"]]), d)
        assert np.allclose(got, quality, rtol=0, atol=1e-12)
        assert np.allclose(ref_sort[5], quality, rtol=0, atol=1e-12)

        bench = run([args.bench, "--benchmark_filter=BM_ReadStore|BM_AnalyzeTraceInMemory",
                     "--benchmark_format=json", "--benchmark_repetitions=3",
                     "--benchmark_report_aggregates_only=true"],
                    env={**os.environ, "TAILQ_BENCH_TRACE": trace})

        def bench_median_ms(name):
            return next(b["real_time"] for b in json.loads(bench.stdout)["benchmarks"]
                        if b["name"].split("/")[0] == name and b["name"].endswith("_median"))
        read_ms = bench_median_ms("BM_ReadStore")
        in_memory_ms = bench_median_ms("BM_AnalyzeTraceInMemory")
        numpy_best = min(t_sort, t_bucket)
        report = {
            "rounds": times.shape[0], "instances": times.shape[1], "deadlines": int(d.size),
            "tailq_analyze_s": t_tailq, "tailq_samples_s": s_tailq,
            "numpy_sort_based_s": t_sort, "numpy_bucket_based_s": t_bucket,
            "numpy_load_from_store_s": load_time,
            "read_store_s": read_ms / 1e3,
            # The analysis alone on the times in memory, as numpy has them (no precision
            # estimate, which numpy does not compute).
            "tailq_in_memory_s": in_memory_ms / 1e3,
            "in_memory_vs_numpy_sort_based": t_sort / (in_memory_ms / 1e3),
            "speedup_vs_numpy": numpy_best / t_tailq,
            "analyze_over_read": t_tailq / (read_ms / 1e3),
            "cores": os.cpu_count(),
        }
        print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
