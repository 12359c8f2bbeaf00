#!/usr/bin/python3
"""Coverage of the precision rule's intervals where the truth is known (docs/precision.md).

Per lag-1 autocorrelation phi of the round speed, `tailq generate` writes traces of one fixed
test set (--seed) whose times come from a new stream each replication (--time-seed) and whose
round factor 1 + drift z_r follows an AR(1) process z; `tailq converge --stop precision`
replays each through the stop rule, and the intervals it reports at the stop are checked
against the truth. The truth comes from this script's own numpy simulation of the same
generative model (docs/precision.md states it), run for --truth-rounds rounds on the same
instances, read from the trace: the pooled percentile deadline, the mean and the bad-round
quantile of per-round Q@T there, and at the absolute deadlines.

    /usr/bin/python3 bench/precision_coverage.py --tailq build/tailq            # the README table
    /usr/bin/python3 bench/precision_coverage.py --tailq build/tailq --quick    # a smoke run
    /usr/bin/python3 bench/precision_coverage.py --tailq build/tailq --sleep --phis 0.8 \
        --thresholds p99,p90                                 # real runs of the sleep workload

With --sleep, each replication is a real `tailq run --workload sleep --round-effect
ar1:SD:PHI` over a per-instance sleep model (lognormal medians around 150 us, 90% right); the
truth comes from one long real run of the same set-up (--truth-rounds rounds), whose times and
outcomes this script reads from the trace and analyses with numpy (or, with --sleep-truth
simulation, from a simulation of the model, which leaves out the harness and the OS).

Prints one row per phi and deadline: replications, how many stopped, the median and range of
rounds at the stop, and the share of replications whose intervals held the true mean, the true
bad round, and both.
"""
import argparse
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile

import numpy as np

import trace_tables  # bench/trace_tables.py, next to this script


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def instances(trace):
    """Per instance: whether its top-1 prediction is right, and its input size."""
    db = sqlite3.connect(trace)
    rows = db.execute(
        "select i.input_size, i.label, o.prediction from instances i "
        "join outputs o on o.instance = i.idx order by i.idx").fetchall()
    size = np.array([r[0] for r in rows])
    correct = np.array([r[2].split(" ")[0] == r[1] for r in rows])
    return size, correct


def simulate(size, correct, rounds, phi, drift, stall, rng, chunk=5000):
    """The generator's time model (src/collect/synthetic.cpp), written again with numpy:
    inference = 4 ms (0.3 + 0.7 size) factor_r jitter stall, factor_r = max(0.5, 1 + drift z_r),
    z AR(1) of unit variance, jitter lognormal(0, 0.06), stall 1.5 + 3U with probability
    `stall`; total = inference + 0.8 ms lognormal(0, 0.15). Yields total times chunk by chunk."""
    base = 4e-3 * (0.3 + 0.7 * size)
    z = rng.normal()
    done = 0
    while done < rounds:
        m = min(chunk, rounds - done)
        e = rng.normal(size=m)
        zs = np.empty(m)
        for i in range(m):
            z = phi * z + math.sqrt(1 - phi * phi) * e[i]
            zs[i] = z
        factor = np.maximum(0.5, 1 + drift * zs)[:, None]
        jitter = np.exp(rng.normal(0, 0.06, (m, len(size))))
        stalls = np.where(rng.random((m, len(size))) < stall,
                          1.5 + 3 * rng.random((m, len(size))), 1.0)
        inference = base[None, :] * factor * jitter * stalls
        yield inference + 0.8e-3 * np.exp(rng.normal(0, 0.15, (m, len(size))))
        done += m


def truth(size, correct, phi, drift, stall, rounds, percentiles, absolutes, seed):
    """True deadline, mean and bad round of per-round Q@T at each deadline."""
    rng = np.random.default_rng(seed)
    chunks = list(simulate(size, correct, rounds, phi, drift, stall, rng))
    pooled = np.concatenate([c.ravel() for c in chunks]).astype(np.float64)
    deadlines = {}
    for p in percentiles:
        deadlines[f"p{p:g}"] = float(np.percentile(pooled, p, method="inverted_cdf"))
    del pooled
    for label, seconds in absolutes:
        deadlines[label] = seconds
    out = {}
    for label, t in deadlines.items():
        q = np.concatenate([((c <= t) & correct[None, :]).mean(axis=1) for c in chunks])
        out[label] = {"seconds": t, "mean": float(q.mean()),
                      "bad": float(np.percentile(q, 5, method="inverted_cdf")),
                      "sd": float(q.std())}
    return out


def sleep_truth(medians, sigma, correct, phi, sd, rounds, percentiles, seed, chunk=5000):
    """The sleep workload's model: instance i of round r waits medians[i] exp(sigma e) exp(s_r),
    s an AR(1) process with stationary sd `sd`. True deadlines, mean and bad round of Q@T."""
    rng = np.random.default_rng(seed)
    s = rng.normal() * sd
    chunks = []
    done = 0
    while done < rounds:
        m = min(chunk, rounds - done)
        e = rng.normal(size=m)
        speed = np.empty(m)
        for i in range(m):
            s = phi * s + math.sqrt(1 - phi * phi) * sd * e[i]
            speed[i] = s
        chunks.append(medians[None, :] * np.exp(sigma * rng.normal(size=(m, len(medians)))
                                                 + speed[:, None]))
        done += m
    pooled = np.concatenate([c.ravel() for c in chunks])
    out = {}
    for p in percentiles:
        t = float(np.percentile(pooled, p, method="inverted_cdf"))
        q = np.concatenate([((c <= t) & correct[None, :]).mean(axis=1) for c in chunks])
        out[f"p{p:g}"] = {"seconds": t, "mean": float(q.mean()),
                          "bad": float(np.percentile(q, 5, method="inverted_cdf")),
                          "sd": float(q.std())}
    return out


def trace_truth(trace, percentiles):
    """Deadlines, mean and bad round of per-round Q@T of a (long) trace, computed here with
    numpy from the stored times and outcomes (batch size 1), not by tailq."""
    db = sqlite3.connect(trace)
    rows = db.execute(
        "select i.label, o.prediction from instances i join outputs o on o.instance = i.idx "
        "order by i.idx").fetchall()
    correct = np.array([p.split(" ")[0] == label for label, p in rows])
    times = trace_tables.measured_times(db)
    out = {}
    for p in percentiles:
        t = float(np.percentile(times, p, method="inverted_cdf"))
        q = ((times <= t) & correct[None, :]).mean(axis=1)
        out[f"p{p:g}"] = {"seconds": t, "mean": float(q.mean()),
                          "bad": float(np.percentile(q, 5, method="inverted_cdf")),
                          "sd": float(q.std()), "rounds": len(q)}
    return out


def sleep_study(a, phis, tmp):
    """Real runs of the sleep workload with a round-speed process (tailq run --round-effect)."""
    rng = np.random.default_rng(3)
    n = a.sleep_instances
    medians = np.exp(rng.normal(math.log(150e-6), 0.35, n))
    correct = rng.random(n) < 0.9
    model = os.path.join(tmp, "model.csv")
    with open(model, "w") as f:
        f.write("law,correct\n")
        for m, c in zip(medians, correct):
            f.write(f"lognormal:{m * 1e6:.3f}us:{a.sleep_sigma},{int(c)}\n")
    medians = np.array([float(f"{m * 1e6:.3f}") * 1e-6 for m in medians])
    percentiles = [float(x[1:]) for x in a.thresholds.split(",")]
    rows, records = [], []
    for phi in phis:
        if a.sleep_truth == "simulation":
            true = sleep_truth(medians, a.sleep_sigma, correct, phi, a.sleep_sd, a.truth_rounds,
                               percentiles, seed=int(1000 * phi) + 11)
        else:
            # A long real run of the same set-up: the truth includes what the model leaves out
            # (the harness's own microseconds, the OS), which decides who is late at a P99.
            long = os.path.join(tmp, "long.trace")
            run([a.tailq, "run", "--workload", "sleep", "--sleep-model", model, "--sleep-seed",
                 "99", "--round-effect", f"ar1:{a.sleep_sd}:{phi}", "--stop", "rjsd", "--tau",
                 "0", "--max-rounds", str(a.truth_rounds), "--quiet", "-o", long])
            true = trace_truth(long, percentiles)
            os.remove(long)
        hits = {label: [0, 0, 0] for label in true}
        stops, walls = [], []
        for rep in range(a.reps):
            trace = os.path.join(tmp, f"s{rep}.trace")
            out = run([a.tailq, "run", "--workload", "sleep", "--sleep-model", model,
                       "--sleep-seed", str(100 + rep), "--round-effect",
                       f"ar1:{a.sleep_sd}:{phi}", "--epsilon", a.epsilon, "--confidence",
                       a.confidence, "--thresholds", a.thresholds, "--max-rounds",
                       str(a.rounds), "--quiet", "-o", trace])
            walls.append(float(out.split(" inferences with warm-up, ")[1].split(" s)")[0]))
            replay = json.loads(run([a.tailq, "converge", trace, "--stop", "precision",
                                     "--epsilon", a.epsilon, "--confidence", a.confidence,
                                     "--thresholds", a.thresholds, "--json"]))
            os.remove(trace)
            stops.append(replay["stopped_at_round"])
            tally(replay, true, hits, records, phi, rep)
        rows += summarise(phi, hits, true, stops, a.reps, walls)
    return rows, records


def tally(out, true, hits, records, phi, rep):
    for d in out["deadlines"]:
        t = true[d["label"]]
        lo_m, hi_m = d["mean"]["low"], d["mean"]["high"]
        lo_b, hi_b = d["p5"]["low"], d["p5"]["high"]
        # Qualities sit on a lattice (k / n): an end equal to the truth must not fail by a
        # rounding in the last bit.
        tol = 1e-9
        in_mean = lo_m is not None and hi_m is not None and lo_m - tol <= t["mean"] <= hi_m + tol
        in_bad = lo_b is not None and hi_b is not None and lo_b - tol <= t["bad"] <= hi_b + tol
        hits[d["label"]][0] += in_mean
        hits[d["label"]][1] += in_bad
        hits[d["label"]][2] += in_mean and in_bad
        records.append({"phi": phi, "rep": rep, "label": d["label"],
                        "stopped_at": out["stopped_at_round"], "truth": t, "mean": d["mean"],
                        "p5": d["p5"]})


def summarise(phi, hits, true, stops, reps, walls=None):
    rows = []
    stopped = [s for s in stops if s is not None]
    for label, (m, b, both) in hits.items():
        t = true[label]
        rows.append((phi, label, reps, len(stopped),
                     int(np.median(stopped)) if stopped else None,
                     min(stopped) if stopped else None, max(stopped) if stopped else None,
                     m / reps, b / reps, both / reps, t))
        wall = f", median {np.median(walls):.1f} s" if walls else ""
        print(f"phi {phi}: {label}: {len(stopped)}/{reps} stopped, median {rows[-1][4]} rounds"
              f"{wall}; coverage mean {m / reps:.2f}, bad round {b / reps:.2f}, both "
              f"{both / reps:.2f} (truth {t})", file=sys.stderr)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tailq", default="build/tailq")
    ap.add_argument("--phis", default="0,0.5,0.8,0.95")
    ap.add_argument("--reps", type=int, default=60)
    ap.add_argument("--instances", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=3000, help="rounds per replication (cap)")
    ap.add_argument("--drift", type=float, default=0.05)
    ap.add_argument("--stall", type=float, default=0.002)
    ap.add_argument("--epsilon", default="1")
    ap.add_argument("--confidence", default="95%")
    ap.add_argument("--thresholds", default="p99,6.5ms")
    ap.add_argument("--truth-rounds", type=int, default=100000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sleep", action="store_true",
                    help="real runs of the sleep workload instead of generated traces "
                         "(percentile deadlines only)")
    ap.add_argument("--sleep-instances", type=int, default=100)
    ap.add_argument("--sleep-sigma", type=float, default=0.1)
    ap.add_argument("--sleep-sd", type=float, default=0.05)
    ap.add_argument("--sleep-truth", choices=["long-run", "simulation"], default="long-run",
                    help="the truth of --sleep: a long real run (--truth-rounds rounds, "
                         "analysed with numpy here) or a simulation of the model")
    ap.add_argument("--json", help="write every replication's outcome here")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.truth_rounds, a.phis = 10, 20000, "0.5"
    phis = [float(p) for p in a.phis.split(",")]
    specs = a.thresholds.split(",")
    percentiles = [float(s[1:]) for s in specs if s.startswith("p")]
    absolutes = []
    for s in specs:
        if not s.startswith("p"):
            unit = {"ms": 1e-3, "us": 1e-6, "s": 1.0}
            for suffix, scale in unit.items():
                if s.endswith(suffix):
                    absolutes.append((s, float(s[:-len(suffix)]) * scale))
                    break
    rows, records = [], []
    with tempfile.TemporaryDirectory() as tmp:
        if a.sleep:
            rows, records = sleep_study(a, phis, tmp)
        trace = os.path.join(tmp, "r.trace")
        common = [a.tailq, "generate", "--seed", "1", "--instances", str(a.instances),
                  "--round-drift", str(a.drift), "--stall-probability", str(a.stall), "--force",
                  "-o", trace]
        run(common + ["--rounds", "1", "--time-seed", "0"])
        size, correct = instances(trace)
        for phi in [] if a.sleep else phis:
            true = truth(size, correct, phi, a.drift, a.stall, a.truth_rounds, percentiles,
                         absolutes, seed=int(1000 * phi) + 7)
            hits = {label: [0, 0, 0] for label in true}
            stops = []
            for rep in range(a.reps):
                run(common + ["--rounds", str(a.rounds), "--round-phi", str(phi),
                              "--time-seed", str(1000 + rep)])
                out = json.loads(run([a.tailq, "converge", trace, "--stop", "precision",
                                      "--epsilon", a.epsilon, "--confidence", a.confidence,
                                      "--thresholds", a.thresholds, "--json"]))
                stops.append(out["stopped_at_round"])
                tally(out, true, hits, records, phi, rep)
            rows += summarise(phi, hits, true, stops, a.reps)
    print("| phi | deadline | true mean % | true bad round % | stopped | rounds at stop: "
          "median [min, max] | mean covered | bad round covered | both |")
    print("|---|---|---|---|---|---|---|---|---|")
    for phi, label, reps, stopped, med, lo, hi, cm, cb, cboth, t in rows:
        span = f"{med} [{lo}, {hi}]" if med is not None else "-"
        print(f"| {phi:g} | {label} | {100 * t['mean']:.2f} | {100 * t['bad']:.2f} | "
              f"{stopped}/{reps} | {span} | {cm:.0%} | {cb:.0%} | {cboth:.0%} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(records, f)


if __name__ == "__main__":
    main()
