#!/usr/bin/python3
"""Trains the small CNN of tailq's built-in "digits" workload; exports it as TorchScript and ONNX.

Data: the UCI optical handwritten digits as Debian's python3-sklearn ships them, 1,797 rows of
64 pixel values (0..16) and the label. The file is read directly (gzip + numpy), not through
sklearn.datasets.load_digits, so that this script and tailq's C++ loader
(src/collect/digits_dataset.cpp) provably see the same bytes, split and pre-processing:

  - row i (0-based, file order) is in the held-out TEST split iff i % 5 == 0 (360 rows);
  - pixels / 16.0 as float32, shape (N, 1, 8, 8).

Training is seeded, single-threaded and uses deterministic kernels, so every run gives the same
weights and the same test accuracy. Writes the TorchScript model to --out, the same model as ONNX
beside it (--out with the suffix .onnx, for the OpenCV DNN runner) and a JSON summary to
--out.json; each is written to a temporary name first and renamed, so a failed run leaves no
partial file. The exported files are byte-identical between runs for the same --out file name.

Run with Debian's interpreter: /usr/bin/python3 workloads/digits/train.py
"""

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

DEFAULT_DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
DEFAULT_OUT = Path(__file__).resolve().parent / "model" / "digits_cnn.pt"
TEST_EVERY = 5  # row i is a test row iff i % TEST_EVERY == 0
SEED = 20240517
EPOCHS = 30
BATCH_SIZE = 32
LEARNING_RATE = 2e-3
# An opset that OpenCV 4.6's ONNX importer (Debian 12) reads for these layers (Conv, Relu, MaxPool,
# Flatten, Gemm); tests/onnx_run_test.sh checks that it answers as LibTorch does.
ONNX_OPSET = 11


def fail(message):
    """One line on stderr and exit status 2, as tailq's commands do for bad input."""
    print(message, file=sys.stderr)
    sys.exit(2)


def load_digits(path):
    """Returns (pixels float32 (N, 1, 8, 8) in [0, 1], labels int64 (N,), row indices)."""
    try:
        with gzip.open(path, "rt", encoding="ascii") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError, UnicodeDecodeError) as error:
        fail(f"{path}: {' '.join(str(error).split())}")
    if table.shape[1] != 65:
        fail(f"{path}: expected 65 columns, found {table.shape[1]}")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        fail(f"{path}: a pixel outside 0..16 or a label outside 0..9")
    # Dividing in float32 matches the C++ loader's float(pixel) / 16.0f bit for bit (exact: 16
    # is a power of two).
    x = (pixels.astype(np.float32) / np.float32(16.0)).reshape(-1, 1, 8, 8)
    return x, labels, np.arange(len(table))


class DigitsCnn(nn.Module):
    """Two 3x3 convolutions and a linear layer: ~10k parameters, > 95% on the test split."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8 -> 4x4
        )
        self.classifier = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Returns logits of shape (N, 10); class index == digit.
        return self.classifier(torch.flatten(self.features(x), 1))


def accuracy(model, x, y):
    with torch.inference_mode():
        predicted = model(x).argmax(dim=1)
    correct = int((predicted == y).sum())
    return correct, correct / len(y)


def write_atomically(path, write):
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def export_onnx(model, example, path):
    """The eager model traced to ONNX, its batch axis left free (tailq runs any --batch-size)."""
    with torch.no_grad():
        torch.onnx.export(model, (example,), str(path), opset_version=ONNX_OPSET,
                          input_names=["pixels"], output_names=["logits"],
                          dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}})


def main():
    # TorchScript writes a module's constants in the order of a Python set, which depends on the
    # string hash seed. A fixed seed makes the exported file byte-identical between runs (same
    # --out name), so its fingerprint, which tailq keeps to detect a changed model, is too.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="digits.csv.gz (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="TorchScript output; PATH with the suffix .onnx gets the ONNX model, "
                        "PATH.json the summary (default: %(default)s)")
    args = parser.parse_args()
    onnx_path = args.out.with_suffix(".onnx")
    if onnx_path == args.out:
        fail(f"--out: {args.out} is where the ONNX model goes; give the TorchScript file (.pt)")

    # Determinism: one thread (no reduction-order changes between runs), fixed seeds, and an
    # error rather than a silently non-deterministic kernel.
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)

    x, y, rows = load_digits(args.data)
    test = rows % TEST_EVERY == 0
    x_train, y_train = torch.from_numpy(x[~test]), torch.from_numpy(y[~test])
    x_test, y_test = torch.from_numpy(x[test]), torch.from_numpy(y[test])

    model = DigitsCnn()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(SEED)

    start = time.perf_counter()
    model.train()
    for _ in range(EPOCHS):
        order = torch.randperm(len(y_train), generator=shuffle)
        for first in range(0, len(order), BATCH_SIZE):
            batch = order[first:first + BATCH_SIZE]
            optimizer.zero_grad()
            loss_fn(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
    train_seconds = time.perf_counter() - start
    model.eval()

    # Scripted (not traced) so that the exported graph has no batch size baked in.
    scripted = torch.jit.script(model)
    # The accuracy reported is that of the exported module, the one tailq's C++ backend runs.
    correct, test_accuracy = accuracy(scripted, x_test, y_test)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(args.out, lambda p: scripted.save(str(p)))
    write_atomically(onnx_path, lambda p: export_onnx(model, x_test[:1], p))
    summary = {
        "test_accuracy": test_accuracy,
        "test_correct": correct,
        "test_instances": int(len(y_test)),
        "seed": SEED,
        "epochs": EPOCHS,
        "torch": torch.__version__,
        "onnx": onnx_path.name,
        "onnx_opset": ONNX_OPSET,
    }
    json_path = args.out.with_name(args.out.name + ".json")
    write_atomically(json_path, lambda p: p.write_text(json.dumps(summary, indent=2) + "\n"))

    print(f"test accuracy {test_accuracy:.4f} ({correct}/{len(y_test)}), "
          f"trained {EPOCHS} epochs in {train_seconds:.2f} s; wrote {args.out}, {onnx_path} and "
          f"{json_path}")


if __name__ == "__main__":
    main()
