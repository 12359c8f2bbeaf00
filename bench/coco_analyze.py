#!/usr/bin/python3
"""Detection Q@T at scale (issue 16): COCO AP for every round and deadline of a sweep.

    /usr/bin/python3 bench/coco_analyze.py --tailq build/tailq [--rounds 1000] [--images 500]
        [--detections 100] [--repeats 3] [--keep DIR]

Generates COCO-like data (80 categories, about 7 ground-truth boxes and exactly --detections
detections per image, a share of them near a truth), writes it as COCO annotations and results
files with a times CSV of --rounds rounds, imports it, and times `tailq analyze --json --sweep
100` (104 deadlines: p90, p95, p99, p99.9 and the sweep), the whole process, as the median of
--repeats runs. The goal is under 10 s for 1,000 rounds x 104 deadlines on 500 images with 100
detections each, on 2 cores. The evaluations per second it implies are printed beside
tailq_coco_bench's straightforward evaluation (every subset matched again), for the ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np


def make_data(rng, images, per_image):
    categories = 80
    annotations, results = [], []
    for image in range(1, images + 1):
        truths = []
        for _ in range(rng.integers(2, 13)):
            w, h = rng.uniform(10, 200, 2)
            x, y = rng.uniform(0, 440, 2)
            truths.append((int(rng.integers(1, categories + 1)), [x, y, w, h]))
            annotations.append({"id": len(annotations) + 1, "image_id": image,
                                "category_id": truths[-1][0], "bbox": [x, y, w, h],
                                "area": w * h * rng.uniform(0.6, 1.0),
                                "iscrowd": int(rng.random() < 0.02)})
        for k in range(per_image):
            if k < 3 * len(truths):
                category, (x, y, w, h) = truths[k % len(truths)]
                box = [x + rng.normal(0, 0.1 * w), y + rng.normal(0, 0.1 * h),
                       w * rng.uniform(0.8, 1.2), h * rng.uniform(0.8, 1.2)]
                score = rng.uniform(0.3, 1.0)
            else:
                category = int(rng.integers(1, categories + 1))
                w, h = rng.uniform(10, 200, 2)
                box = [*rng.uniform(0, 440, 2), w, h]
                score = rng.uniform(0.0, 0.6)
            results.append({"image_id": image, "category_id": category,
                            "bbox": [round(v, 2) for v in box], "score": round(score, 3)})
    truth = {"images": [{"id": i} for i in range(1, images + 1)], "annotations": annotations,
             "categories": [{"id": c} for c in range(1, categories + 1)]}
    return truth, results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tailq", default="build/tailq")
    ap.add_argument("--rounds", type=int, default=1000)
    ap.add_argument("--images", type=int, default=500)
    ap.add_argument("--detections", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="coco_analyze_")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(5)
    truth, results = make_data(rng, args.images, args.detections)
    with open(os.path.join(work, "instances.json"), "w") as f:
        json.dump(truth, f)
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f)
    # Each image has its own typical time; rounds add noise and a round-wide slowdown.
    base = rng.lognormal(-5, 0.3, args.images)
    times = base[None, :] * rng.lognormal(0, 0.15, (args.rounds, args.images)) \
        * rng.lognormal(0, 0.05, (args.rounds, 1))
    with open(os.path.join(work, "times.csv"), "w") as f:
        f.write("round,instance,inference,total\n")
        for r in range(args.rounds):
            f.writelines(f"{r},{i + 1},{t * 0.9!r},{t!r}\n" for i, t in enumerate(times[r]))
    trace = os.path.join(work, "det.trace")
    start = time.perf_counter()
    subprocess.run([args.tailq, "import", "--times", os.path.join(work, "times.csv"),
                    "--coco-annotations", os.path.join(work, "instances.json"),
                    "--coco-detections", os.path.join(work, "results.json"), "-o", trace,
                    "--force"], check=True, capture_output=True)
    print(f"import: {time.perf_counter() - start:.2f} s")
    cmd = [args.tailq, "analyze", "--json", "--thresholds", "p90,p95,p99,p99.9", "--sweep", "100",
           trace]
    walls = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        walls.append(time.perf_counter() - start)
    result = json.loads(out)
    deadlines = len(result["thresholds"])
    evaluations = args.rounds * deadlines
    wall = statistics.median(walls)
    print(f"analyze --sweep 100: {args.rounds} rounds x {deadlines} deadlines = {evaluations} AP "
          f"evaluations on {args.images} images x {args.detections} detections: "
          f"median {wall:.2f} s of {args.repeats} ({', '.join(f'{w:.2f}' for w in walls)}), "
          f"{1e3 * wall / evaluations:.3f} ms per evaluation; nominal AP "
          f"{result['nominal_quality']:.4f}")
    print("goal: under 10 s for 1,000 x 104 on 500 x 100" +
          (f" -> {'met' if wall < 10 else 'NOT met'}" if args.rounds == 1000 else ""))


if __name__ == "__main__":
    main()
