#!/usr/bin/python3
"""What bracketing a batch with tailq.Recorder costs a Python program, in ns per batch.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_recorder_overhead.py [--repeats 7]

Each run is one round of --batches batches of one instance (ids as a plain int) or of
--batch-size instances (ids as a range, a list, or a numpy array); only the batch loop inside
the round is timed (the round's commit, one fsync, is per round, not per batch). Paths:
  with:      with r.batch(ids) as b: b.pre(); b.infer(); b.post()
  add_batch: r.add_batch(ids, inference_s, total_s)
  empty:     the same loop doing nothing, subtracted to give the net cost.
Prints the median over --repeats runs as JSON: {"path/ids": {"gross_ns": .., "net_ns": ..}}.
"inside_intervals" is the other half of the cost: what the calls add to the times they measure,
i.e. the median inference and total time the recorder stores for a batch whose phases are empty
(`with r.batch(i) as b: b.pre(); b.infer(); b.post()`), read back from the trace.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import tailq


def time_round(rec, batches, body):
    with rec.round() as r:
        start = time.perf_counter_ns()
        body(r, batches)
        elapsed = time.perf_counter_ns() - start
    return elapsed / len(batches)


def with_block(r, batches):
    for ids in batches:
        with r.batch(ids) as b:
            b.pre()
            b.infer()
            b.post()


def add_batch(r, batches):
    for ids in batches:
        r.add_batch(ids, 0.001, 0.002)


def empty(r, batches):
    for ids in batches:
        pass


def measure(folder, name, batches, instances, repeats):
    results = {}
    with tailq.Recorder(Path(folder) / f"{name}.trace", instances=instances,
                        warmup_rounds=0) as rec:
        time_round(rec, batches, add_batch)  # sizes the recorder's buffers once
        for path, body in (("with", with_block), ("add_batch", add_batch)):
            gross, net = [], []
            for _ in range(repeats):
                base = time_round(rec, batches, body)
                loop = _empty_ns(batches)
                gross.append(base)
                net.append(base - loop)
            results[f"{path}/{name}"] = {"gross_ns": round(statistics.median(gross)),
                                         "net_ns": round(statistics.median(net))}
    return results


def _empty_ns(batches):
    start = time.perf_counter_ns()
    empty(None, batches)
    return (time.perf_counter_ns() - start) / len(batches)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    n, k = args.batches, args.batch_size
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results.update(measure(folder, "int", list(range(n)), n, args.repeats))
        groups = [range(first, first + k) for first in range(0, n * k, k)]
        results.update(measure(folder, f"range{k}", groups, n * k, args.repeats))
        results.update(measure(folder, f"list{k}", [list(g) for g in groups], n * k,
                               args.repeats))
        results.update(measure(folder, f"ndarray{k}", [np.arange(g.start, g.stop) for g in groups],
                               n * k, args.repeats))
        results["inside_intervals"] = inside_intervals(folder, n)
    print(json.dumps(results, indent=1))


def inside_intervals(folder, n):
    path = Path(folder) / "inside.trace"
    with tailq.Recorder(path, instances=n, warmup_rounds=1) as rec:
        for _ in range(2):
            with rec.round() as r:
                with_block(r, list(range(n)))
    with tailq.Trace(path) as trace:
        return {kind + "_ns": round(float(np.median(trace.times(kind))) * 1e9)
                for kind in ("inference", "total")}


if __name__ == "__main__":
    main()
