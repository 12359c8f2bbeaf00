#!/usr/bin/python3
"""Fixtures for the OpenCV DNN runner (tests/opencv_test.cpp): tiny ONNX models exported by
PyTorch and the scores PyTorch computes for them, independently of OpenCV.

  - onnx_tiny.onnx: the layer kinds of the digits CNN (Conv, Relu, MaxPool, Flatten, Gemm) on
    (N, 1, 6, 6) inputs, 4 scores per instance, seeded weights, a free batch axis;
  - onnx_rank3.onnx: a model whose output is (N, 2, 3), not (N, classes);
  - onnx_tiny.json: the input batch (N = 3) and the expected scores, computed in float64 from the
    same float32 weights and inputs.

Run with Debian's interpreter (python3-torch), from the repository root:

    /usr/bin/python3 tests/reference/make_onnx_fixture.py tests/fixtures
"""
import json
import sys
from pathlib import Path

import torch
from torch import nn

SEED = 7
OPSET = 11  # what workloads/digits/train.py exports; OpenCV 4.6 reads it


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2)  # 6x6 -> 3x3
        self.fc = nn.Linear(3 * 3 * 3, 4)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))


class Rank3(nn.Module):
    def forward(self, x):
        return torch.reshape(x, (-1, 2, 3)) * 2.0


def export(model, example, path):
    torch.onnx.export(model, (example,), str(path), opset_version=OPSET, input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
    torch.manual_seed(SEED)
    tiny = Tiny().eval()
    x = torch.randn(3, 1, 6, 6, dtype=torch.float32)
    with torch.no_grad():
        export(tiny, x, out / "onnx_tiny.onnx")
        export(Rank3().eval(), torch.zeros(2, 6), out / "onnx_rank3.onnx")
        # float64 from the float32 values: a reference that no float32 kernel's rounding shapes.
        scores = tiny.double()(x.double())
    fixture = {
        "model": "onnx_tiny.onnx",
        "shape": list(x.shape),
        "input": [float(v) for v in x.flatten()],
        "scores": [[float(v) for v in row] for row in scores],
        "torch": torch.__version__,
        "opset": OPSET,
    }
    (out / "onnx_tiny.json").write_text(json.dumps(fixture) + "\n")


if __name__ == "__main__":
    main()
