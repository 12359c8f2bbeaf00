#!/usr/bin/python3
"""COCO-format import end to end (docs/import-formats.md, "COCO detection").

    coco_import_test.py TAILQ

Writes generated data as COCO files (non-contiguous image and category ids, results not in
image order, score ties, crowds, an image without anything, a category without truth), imports
it with times, and checks that `tailq analyze --json` gives, for every round and deadline, the AP
(and AP50) that the independent numpy evaluator (tests/reference/coco_reference.py) computes with
the late images' detections removed. Then checks the import's refusals: one line, exit 2, no file.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "reference"))
import coco_reference  # noqa: E402
from make_coco_fixtures import make_case  # noqa: E402

TAILQ = sys.argv[1]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def write_coco(folder, case, image_ids, category_ids, results_order):
    images = [{"id": int(i), "file_name": f"{i}.jpg"} for i in image_ids]
    annotations = []
    for n, g in enumerate(case["ground_truths"]):
        annotations.append({"id": n + 1, "image_id": int(image_ids[g["image"]]),
                            "category_id": int(category_ids[g["category"]]), "bbox": g["box"],
                            "area": g["area"], "iscrowd": int(g["crowd"])})
    categories = [{"id": int(c), "name": f"c{c}"} for c in category_ids]
    with open(os.path.join(folder, "instances.json"), "w") as f:
        json.dump({"images": images[::-1], "annotations": annotations,
                   "categories": categories}, f)
    results = [{"image_id": int(image_ids[d["image"]]),
                "category_id": int(category_ids[d["category"]]), "bbox": d["box"],
                "score": d["score"]} for d in (case["detections"][k] for k in results_order)]
    with open(os.path.join(folder, "results.json"), "w") as f:
        json.dump(results, f)
    return annotations, results


def run(*args):
    return subprocess.run([TAILQ, *args], capture_output=True, text=True)


def main():
    case = make_case(7, 14, 3, no_truth=2)
    rng = np.random.default_rng(11)
    n = case["image_count"]
    image_ids = np.sort(rng.choice(np.arange(1, 100000), n, replace=False))
    category_ids = [3, 17, 90]
    # Results grouped by category, last image first: within an image and category the order of
    # the generated list stays, so ties in score resolve as in the reference's input.
    dets = case["detections"]
    results_order = sorted(range(len(dets)), key=lambda k: (dets[k]["category"], -dets[k]["image"], k))
    rounds = 9
    times = rng.lognormal(-6, 0.4, (rounds, n))
    with tempfile.TemporaryDirectory() as work:
        write_coco(work, case, image_ids, category_ids, results_order)
        with open(os.path.join(work, "times.csv"), "w") as f:
            f.write("round,instance,inference,total\n")
            for r in range(rounds):
                for i in rng.permutation(n):
                    f.write(f"{r},{image_ids[i]},{times[r, i] * 0.8!r},{times[r, i]!r}\n")
        trace = os.path.join(work, "det.trace")
        base = ["import", "--times", os.path.join(work, "times.csv"),
                "--coco-annotations", os.path.join(work, "instances.json"),
                "--coco-detections", os.path.join(work, "results.json")]
        p = run(*base, "-o", trace)
        check(p.returncode == 0, f"import: {p.stderr.strip()}")
        if p.returncode != 0:
            return
        deadlines = np.quantile(times, [0.3, 0.6, 0.9])
        spec = ",".join(f"{d * 1e6!r}us" for d in deadlines)
        for metric, index in (("ap", 0), ("ap50", 1), ("ar100", 8)):
            p = run("analyze", "--json", "--metric", metric, "--thresholds", spec, trace)
            check(p.returncode == 0, f"analyze {metric}: {p.stderr.strip()}")
            if p.returncode != 0:
                continue
            result = json.loads(p.stdout)
            nominal = coco_reference.evaluate(n, 3, case["ground_truths"], dets, [1] * n)
            check(abs(result["nominal_quality"] - nominal[index]) < 1e-9,
                  f"{metric} nominal {result['nominal_quality']} vs {nominal[index]}")
            checked = 0
            for t in result["thresholds"]:
                for r, got in enumerate(t["per_round"]):
                    on_time = [int(v <= t["seconds"]) for v in times[r]]
                    want = coco_reference.evaluate(n, 3, case["ground_truths"], dets, on_time)
                    check(abs(got - want[index]) < 1e-9,
                          f"{metric} round {r} at {t['seconds']}: {got} vs {want[index]}")
                    checked += 1
            check(checked == 3 * rounds, f"{metric}: checked {checked} values")
        refusals(work, base)
    print(f"{len(failures)} failures")
    sys.exit(1 if failures else 0)


def refusals(work, base):
    good_truth = json.load(open(os.path.join(work, "instances.json")))
    good_results = json.load(open(os.path.join(work, "results.json")))

    def refused(name, truth, results, expect):
        t, r = os.path.join(work, "bad_truth.json"), os.path.join(work, "bad_results.json")
        with open(t, "w") as f:
            f.write(truth if isinstance(truth, str) else json.dumps(truth))
        with open(r, "w") as f:
            f.write(results if isinstance(results, str) else json.dumps(results))
        out = os.path.join(work, "bad.trace")
        p = run("import", "--times", os.path.join(work, "times.csv"), "--coco-annotations", t,
                "--coco-detections", r, "-o", out)
        lines = p.stderr.strip().splitlines()
        check(p.returncode == 2, f"{name}: exit {p.returncode}")
        check(len(lines) == 1 and lines[0].startswith("tailq: error: ") and expect in lines[0],
              f"{name}: stderr {p.stderr.strip()!r} lacks {expect!r}")
        check(not os.path.exists(out), f"{name}: left {out}")

    def edited(obj, edit):
        copy = json.loads(json.dumps(obj))
        edit(copy)
        return copy

    first = good_truth["annotations"][0]
    refused("unknown image in results", good_truth,
            edited(good_results, lambda r: r[0].update(image_id=999999)), "[0]: image_id 999999")
    refused("negative box", good_truth,
            edited(good_results, lambda r: r[1].update(bbox=[1, 2, -3, 4])), "negative width")
    refused("NaN score (not JSON)", good_truth,
            json.dumps(good_results).replace(str(good_results[0]["score"]), "NaN", 1),
            "not valid JSON")
    refused("duplicate annotation id",
            edited(good_truth, lambda t: t["annotations"][1].update(id=first["id"])),
            good_results, "appears twice")
    refused("annotation id 0", edited(good_truth, lambda t: t["annotations"][0].update(id=0)),
            good_results, "annotation id 0")
    refused("image without times",
            edited(good_truth, lambda t: t["images"].append({"id": 123456789})), good_results,
            "image id 123456789 has no times")
    refused("image missing from annotations",
            edited(good_truth, lambda t: t["images"].pop()), good_results, "is not an image of")
    refused("missing area", edited(good_truth, lambda t: t["annotations"][2].pop("area")),
            good_results, 'missing "area"')
    refused("results not an array", good_truth, {"image_id": 1}, "expected a JSON array")
    p = run(*base, "--outcomes", os.path.join(work, "times.csv"), "-o",
            os.path.join(work, "x.trace"))
    check(p.returncode == 2 and "either as a CSV or as COCO files" in p.stderr,
          f"--outcomes with COCO: {p.stderr.strip()}")
    p = run("import", "--times", os.path.join(work, "times.csv"), "--coco-annotations",
            os.path.join(work, "instances.json"), "-o", os.path.join(work, "x.trace"))
    check(p.returncode == 2 and "--coco-detections" in p.stderr,
          f"annotations alone: {p.stderr.strip()}")


if __name__ == "__main__":
    main()
