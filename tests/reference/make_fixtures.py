#!/usr/bin/env python3
"""Reference values for tailq's unit tests, computed independently with numpy and scikit-learn.

Run once (Debian: python3-numpy python3-sklearn) and commit the output:
    python3 tests/reference/make_fixtures.py > tests/fixtures/reference.json
The C++ tests read the JSON and must reproduce every number.
"""
import json
import sys

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score


def pct(values, q):
    return float(np.percentile(np.asarray(values, dtype=np.float64), q, method="inverted_cdf"))


def percentile_cases(rng):
    cases = []
    qs = [0, 1, 5, 10, 12.5, 25, 33.333, 50, 60, 90, 95, 99, 99.9, 99.99, 100]
    # Sizes where n * q / 100 lands on or next to a whole number are where shortcuts go wrong.
    for n in [1, 2, 3, 4, 5, 7, 10, 20, 40, 100, 1000, 1001, 2000, 10000]:
        values = np.sort(rng.random(n))
        for q in qs:
            cases.append({"n": n, "q": q, "index": int(np.flatnonzero(values == pct(values, q))[0])})
    return cases


def summary(per_round):
    v = np.asarray(per_round, dtype=np.float64)
    return {
        "min": float(v.min()), "p1": pct(v, 1), "p5": pct(v, 5), "median": pct(v, 50),
        "mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else None,
        "max": float(v.max()),
    }


def classification_quality(metric, labels, predictions, on_time):
    top1 = np.array([p.split()[0] if p.split() else "<none>" for p in predictions])
    if metric == "accuracy" or metric.startswith("top"):
        k = 1 if metric == "accuracy" else int(metric[3:])
        hit = np.array([l in p.split()[:k] for l, p in zip(labels, predictions)])
        return float(np.mean(hit & on_time))
    classes = sorted(set(labels) | set(t for t in top1 if t != "<none>"))
    y_pred = np.where(on_time, top1, "<late>")
    kind, average = metric.split("-")
    fn = {"f1": f1_score, "precision": precision_score, "recall": recall_score}[kind]
    return float(fn(labels, y_pred, labels=classes, average=average, zero_division=0))


def trace_case(rng, name, rounds, batch_sizes, classes, metrics, thresholds, sweep, trim,
               with_ties=True):
    batch_of = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    n = len(batch_of)
    times = np.round(rng.lognormal(np.log(0.004), 0.25, size=(rounds, len(batch_sizes))), 6)
    if with_ties:
        times[:, ::3] = np.round(times[:, ::3], 3)  # many equal times: ties at deadlines
        times[rounds // 2, 0] = 0.05  # an outlier for the IQR rule
        # A deadline equal to a measured batch time: that batch must count as on time.
        thresholds += f",{float(times[min(2, rounds - 1), min(3, len(batch_sizes) - 1)])!r}"
    labels = [f"c{rng.integers(classes)}" for _ in range(n)]
    predictions = []
    for l in labels:
        ranked = [l] if rng.random() < 0.6 else []
        while len(ranked) < 3:
            c = f"c{rng.integers(classes + 1)}"  # one class only ever predicted
            if c not in ranked and (c != l or ranked):
                ranked.append(c)
        if rng.random() < 0.05:
            ranked = []  # no answer
        predictions.append(" ".join(ranked))
    scores = [float(x) for x in np.round(rng.random(n), 3)]

    pooled = times.ravel()
    deadlines = []
    for t in thresholds.split(","):
        if t.startswith("p"):
            deadlines.append(pct(pooled, float(t[1:])))
        else:
            units = {"ms": 1e-3, "us": 1e-6, "s": 1.0}
            unit = next((u for u in units if t.endswith(u)), None)
            deadlines.append(float(t[:-len(unit)]) * units[unit] if unit else float(t))
    if sweep:
        lo, hi = pooled.min(), pooled.max()
        if trim:
            q1, q3 = pct(pooled, 25), pct(pooled, 75)
            inside = pooled[(pooled >= q1 - 1.5 * (q3 - q1)) & (pooled <= q3 + 1.5 * (q3 - q1))]
            lo, hi = inside.min(), inside.max()
        deadlines += [float(x) for x in np.linspace(lo, hi, sweep)]

    expected = {}
    for metric in metrics:
        results = []
        for T in deadlines:
            per_round, late = [], []
            for r in range(rounds):
                on_time = times[r][batch_of] <= T
                late.append(float(1 - on_time.mean()))
                if metric == "score":
                    per_round.append(float(np.sum(np.where(on_time, scores, 0.0)) / n))
                else:
                    per_round.append(classification_quality(metric, labels, predictions, on_time))
            results.append({"seconds": T, "per_round": per_round, "quality": summary(per_round),
                            "late_mean": float(np.mean(late)), "late_max": float(np.max(late))})
        all_on = np.ones(n, dtype=bool)
        nominal = (float(np.mean(scores)) if metric == "score"
                   else classification_quality(metric, labels, predictions, all_on))
        expected[metric] = {"nominal": nominal, "thresholds": results}

    return {
        "name": name, "batch_of_instance": batch_of.tolist(), "times": times.tolist(),
        "labels": labels, "predictions": predictions, "scores": scores,
        "thresholds": thresholds, "sweep": sweep, "trim": trim,
        "latency": {"count": int(pooled.size), "min": float(pooled.min()),
                    "max": float(pooled.max()), "mean": float(pooled.mean()),
                    **{f"p{q:g}": pct(pooled, q) for q in (50, 90, 95, 99, 99.9)}},
        "expected": expected,
    }


def main():
    rng = np.random.default_rng(20221225)
    metrics = ["accuracy", "top2", "f1-weighted", "f1-macro", "precision-macro",
               "recall-macro", "score"]
    fixtures = {
        "percentile": percentile_cases(rng),
        "traces": [
            # Batches of several instances, ties, deadlines below the minimum (all late), above
            # the maximum (none late) and equal to a measured time (on time).
            trace_case(rng, "batched", 7, [1, 3, 2, 4, 1, 2, 3], 4, metrics,
                       "p50,p90,p99,p99.9,0.001,1s,0.004", 9, False),
            trace_case(rng, "single-instance batches, trimmed sweep", 12, [1] * 40, 6, metrics,
                       "p25,p95,4ms", 17, True),
            trace_case(rng, "one round", 1, [2, 2, 1], 3, ["accuracy", "f1-macro"],
                       "p50,p100", 3, False),
        ],
    }
    json.dump(fixtures, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
