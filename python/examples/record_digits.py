#!/usr/bin/python3
"""Evaluates the digits CNN with PyTorch from Python, recording every round with tailq.Recorder.

The same model and held-out split as tailq's built-in digits workload (workloads/digits/train.py
trains it): the UCI handwritten digits of scikit-learn, row i held out iff i % 5 == 0 (360
images), pixels / 16. Each batch is timed in three phases by the recorder's monotonic clock:
pre-processing (gather the raw pixels, scale, make a tensor), inference (the model call) and
post-processing (top-5 classes). Rounds run until the time distribution has converged (rJSD
<= tau for inference and total time) or --max-rounds; the trace is then ready for
`tailq analyze`, `tailq report` or tailq.analyze.

    /usr/bin/python3 python/examples/record_digits.py -o out/digits-python.trace
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits

import tailq

REPO = Path(__file__).resolve().parents[2]
TEST_EVERY = 5  # as workloads/digits/train.py


def held_out_digits():
    """Raw pixels (N, 64) uint8 in 0..16 and labels of the held-out split."""
    digits = load_digits()
    test = np.arange(len(digits.target)) % TEST_EVERY == 0
    return digits.data[test].astype(np.uint8), digits.target[test]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=REPO / "out" / "digits-python.trace")
    parser.add_argument("--model", type=Path,
                        default=REPO / "workloads" / "digits" / "model" / "digits_cnn.pt")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--warmup-rounds", type=int, default=2)
    parser.add_argument("--max-rounds", type=int, default=500)
    parser.add_argument("--tau", type=float, default=0.02)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    if not args.model.exists():
        sys.exit(f"{args.model}: no model; train it with /usr/bin/python3 workloads/digits/train.py")

    torch.set_num_threads(args.threads)
    model = torch.jit.load(str(args.model))
    model.eval()
    pixels, labels = held_out_digits()
    raw = torch.from_numpy(pixels)
    count, size = len(labels), args.batch_size

    started = time.perf_counter()
    with tailq.Recorder(args.output, labels=labels, batch_size=size,
                        warmup_rounds=args.warmup_rounds, tau=args.tau, model=str(args.model),
                        dataset="UCI digits (scikit-learn), held-out split (row % 5 == 0)",
                        backend=f"PyTorch {torch.__version__} from Python, cpu, "
                                f"{args.threads} intra-op threads",
                        overwrite=args.overwrite) as rec, torch.inference_mode():
        for warning in rec.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        while not rec.converged and rec.measured_rounds < args.max_rounds:
            with rec.round() as r:
                for first in range(0, count, size):
                    ids = range(first, min(first + size, count))
                    with r.batch(ids) as b:
                        x = raw[first:first + size].float().div_(16.0).view(-1, 1, 8, 8)
                        b.pre()
                        logits = model(x)
                        b.infer()
                        top5 = logits.topk(5, dim=1).indices.numpy()
                        b.post()
                    b.outputs(top5)
        measured, converged = rec.measured_rounds, rec.converged
    elapsed = time.perf_counter() - started

    result = tailq.analyze(args.output, thresholds="p99")
    worst = result["thresholds"][0]
    print(f"{measured} measured rounds in {elapsed:.1f} s, "
          f"{'converged' if converged else 'not converged'}; nominal accuracy "
          f"{100 * result['nominal_quality']:.2f}%, worst at p99 ({worst['seconds'] * 1e3:.3f} ms) "
          f"{100 * worst['quality']['min']:.2f}%")
    print(f"trace: {args.output}")


if __name__ == "__main__":
    main()
