#!/usr/bin/python3
"""A model that is not the digits CNN, its data, and what python3-torch says it answers.

    /usr/bin/python3 tests/reference/make_model_fixture.py OUT_DIR

Writes to OUT_DIR, for tests/model_run_test.sh:
  mlp.pt        a seeded random MLP on (3, 5) inputs with 4 output classes, as TorchScript
  mlp.onnx      the same model as ONNX (only when torch.onnx can export; the OpenCV runner's)
  x.npy         60 float32 inputs, shape (60, 3, 5)
  x_u8.npy      the inputs rounded to uint8 (0..255), shape (60, 3, 5)
  y.npy         int64 labels: the model's own top class, with every 4th changed, so that the
                accuracy is 0.75 and any runner that mixes up rows or classes shows it
  y.txt         the same labels, one per line; names.txt class names; y_names.txt labels as names
  sizes.txt     one input size per input
  expected.json accuracy of the model on x.npy and on x_u8.npy, by torch on the CPU
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(11)
rng = np.random.default_rng(11)

model = nn.Sequential(nn.Flatten(), nn.Linear(15, 16), nn.ReLU(), nn.Linear(16, 4)).eval()
x = rng.normal(0, 1, size=(60, 3, 5)).astype(np.float32)
x_u8 = np.clip(np.round(rng.uniform(0, 255, size=(60, 3, 5))), 0, 255).astype(np.uint8)
with torch.no_grad():
    top = model(torch.from_numpy(x)).argmax(1).numpy()
    top_u8 = model(torch.from_numpy(x_u8.astype(np.float32))).argmax(1).numpy()
labels = top.copy()
labels[::4] = (labels[::4] + 1) % 4
names = ["cat", "dog,small", "owl", "fox"]

torch.jit.script(model).save(str(out / "mlp.pt"))
try:
    torch.onnx.export(model, torch.from_numpy(x[:1]), str(out / "mlp.onnx"), opset_version=11,
                      input_names=["x"], output_names=["scores"],
                      dynamic_axes={"x": {0: "batch"}, "scores": {0: "batch"}})
except Exception as error:  # no ONNX exporter in this torch: the .pt runs still test
    print(f"no ONNX export: {error}", file=sys.stderr)
np.save(out / "x.npy", x)
np.save(out / "x_u8.npy", x_u8)
np.save(out / "y.npy", labels.astype(np.int64))
(out / "y.txt").write_text("".join(f"{v}\n" for v in labels))
(out / "names.txt").write_text("".join(f"{n}\n" for n in names))
(out / "y_names.txt").write_text("".join(f"{names[v]}\n" for v in labels))
(out / "sizes.txt").write_text("".join(f"{10 + i}\n" for i in range(len(x))))
(out / "expected.json").write_text(json.dumps({
    "accuracy": float(np.mean(top == labels)),
    "accuracy_u8": float(np.mean(top_u8 == labels)),
    "instances": len(x)}))
