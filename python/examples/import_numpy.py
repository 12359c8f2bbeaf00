#!/usr/bin/python3
"""Turns times that another harness already saved as numpy arrays into a tailq trace.

Input: one .npz file with
  inference, total   float arrays (rounds, instances), seconds
  labels             (instances,) true labels
  predictions        (instances,) or (instances, k) predicted labels, best first
  warmup             optional int: how many leading rounds were warm-up
--demo writes such a file first (lognormal times, a classifier that is right 90% of the time),
so the example runs on its own:

    /usr/bin/python3 python/examples/import_numpy.py --demo times.npz -o imported.trace
    tailq analyze imported.trace
"""

import argparse
from pathlib import Path

import numpy as np

import tailq


def write_demo(path, rounds, instances, seed=1):
    rng = np.random.default_rng(seed)
    per_instance = rng.lognormal(np.log(2e-3), 0.3, size=instances)  # some instances are slow
    inference = per_instance * rng.lognormal(0, 0.05, size=(rounds, instances))
    total = inference + rng.exponential(3e-4, size=(rounds, instances))
    labels = rng.integers(0, 10, size=instances)
    wrong = rng.random(instances) >= 0.9
    predictions = np.where(wrong, (labels + 1) % 10, labels)
    np.savez(path, inference=inference, total=total, labels=labels, predictions=predictions,
             warmup=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("npz", type=Path, help="arrays saved with numpy.savez")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--demo", action="store_true", help="write a demo .npz first")
    parser.add_argument("--rounds", type=int, default=100, help="with --demo")
    parser.add_argument("--instances", type=int, default=1000, help="with --demo")
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    if args.demo:
        write_demo(args.npz, args.rounds, args.instances)

    with np.load(args.npz) as arrays:
        inference, total = arrays["inference"], arrays["total"]
        warmup = int(arrays["warmup"]) if "warmup" in arrays else 0
        tailq.import_arrays(args.output, inference, total, labels=arrays["labels"],
                            predictions=arrays["predictions"], warmup_rounds=range(warmup),
                            model="demo classifier", dataset=args.npz.name,
                            backend="imported from numpy", overwrite=args.overwrite)

    result = tailq.analyze(args.output)
    print(f"{result['rounds']} rounds x {result['instances']} instances, nominal accuracy "
          f"{100 * result['nominal_quality']:.2f}%")
    for t in result["thresholds"]:
        print(f"  {t['label']:>6} {t['seconds'] * 1e3:8.3f} ms  worst {100 * t['quality']['min']:6.2f}%"
              f"  median {100 * t['quality']['median']:6.2f}%")
    print(f"trace: {args.output}")


if __name__ == "__main__":
    main()
