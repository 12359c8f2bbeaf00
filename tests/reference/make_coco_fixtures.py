#!/usr/bin/python3
"""Reference values for tailq's COCO bbox evaluation (tests/coco_test.cpp).

Run with Debian's python3 (python3-numpy) and commit the output:
    /usr/bin/python3 tests/reference/make_coco_fixtures.py > tests/fixtures/coco.json

The cases are generated: several categories, crowd regions with detections inside them, score
ties within and across images, images without detections, images without ground truth, a
category without detections, a category without ground truth, areas on both sides of (and
exactly at) 32^2 and 96^2, and one image with more than 100 detections. Each case is evaluated
by tests/reference/coco_reference.py on the full set and on random subsets of on-time images.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coco_reference  # noqa: E402


def round2(x):
    return float(round(float(x), 2))


def make_truth(rng, image, category, crowd=False):
    size = rng.choice([rng.uniform(8, 31), rng.uniform(33, 95), rng.uniform(97, 200)])
    w, h = round2(size * rng.uniform(0.6, 1.4)), round2(size * rng.uniform(0.6, 1.4))
    x, y = round2(rng.uniform(0, 400)), round2(rng.uniform(0, 400))
    # Polygon areas are below the box's; some sit exactly on a range boundary.
    area = round2(w * h * rng.uniform(0.6, 1.0))
    if rng.random() < 0.1:
        area = float(rng.choice([1024.0, 9216.0]))
    return {"image": image, "category": category, "box": [x, y, w, h], "area": area,
            "crowd": bool(crowd)}


def jitter(rng, box, amount):
    x, y, w, h = box
    return [round2(x + rng.normal(0, amount * w)), round2(y + rng.normal(0, amount * h)),
            round2(max(0.5, w * rng.uniform(1 - amount, 1 + amount))),
            round2(max(0.5, h * rng.uniform(1 - amount, 1 + amount)))]


def make_case(seed, images, categories, crowded=True, many=False, no_dets=None, no_truth=None):
    """no_dets / no_truth: a category that has no detections / no ground truth."""
    rng = np.random.default_rng(seed)
    gts, dets = [], []
    for i in range(images):
        if i % 7 == 3:
            continue  # neither ground truth nor detections
        for k in range(categories):
            if k != no_truth and not (i % 5 == 1 and k == 0):
                for _ in range(rng.integers(0, 5)):
                    gts.append(make_truth(rng, i, k))
                if crowded and rng.random() < 0.3:
                    gts.append(make_truth(rng, i, k, crowd=True))
            if k == no_dets or i % 6 == 2:
                continue
            for g in [g for g in gts if g["image"] == i and g["category"] == k]:
                for _ in range(rng.integers(0, 3)):
                    dets.append({"image": i, "category": k, "box": jitter(rng, g["box"], 0.07),
                                 "score": round2(rng.uniform(0, 1))})
            for _ in range(rng.integers(0, 4)):
                dets.append({"image": i, "category": k, "box": make_truth(rng, i, k)["box"],
                             "score": float(rng.choice([0.5, 0.25, round2(rng.uniform(0, 1))]))})
    if many:
        for _ in range(130):
            g = gts[int(rng.integers(0, len(gts)))]
            dets.append({"image": g["image"], "category": g["category"],
                         "box": jitter(rng, g["box"], 0.2),
                         "score": float(rng.choice([0.9, round2(rng.uniform(0, 1))]))})
        # Over 100 in one image and category: the lowest scores are cut.
        for _ in range(120):
            dets.append({"image": 0, "category": 0, "box": jitter(rng, [50, 50, 60, 60], 0.3),
                         "score": round2(rng.uniform(0, 1))})
    subsets = [[1] * images, [0] * images]
    for p in (0.9, 0.6, 0.3):
        subsets.append([int(v) for v in (rng.random(images) < p)])
    return {"name": f"seed{seed}", "image_count": images, "category_count": categories,
            "ground_truths": gts, "detections": dets,
            "subsets": [{"on_time": s,
                         "summary": coco_reference.evaluate(images, categories, gts, dets, s)}
                        for s in subsets]}


def main():
    cases = [make_case(1, 12, 3, no_dets=2), make_case(2, 20, 4, no_dets=3, no_truth=1),
             make_case(3, 8, 1, crowded=False), make_case(4, 16, 2, many=True),
             make_case(5, 25, 3, no_truth=2)]
    json.dump({"cases": cases}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
