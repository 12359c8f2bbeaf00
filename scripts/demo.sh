#!/usr/bin/env bash
# The main job on the built-in default workload: a small CNN (trained here, in seconds, by
# workloads/digits/train.py with Debian's python3-torch) classifying the held-out handwritten
# digits, run by LibTorch round after round until its tail quality at the P99 deadline is known
# to +-1 point at 95% confidence (the precision rule, docs/precision.md; or 5,000 measured
# rounds), then analysed; it ends with the answer in plain words.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)" --target tailq_cli
# Both files come from one training run: a checkout trained before the ONNX export has only the
# .pt, and retraining gives the same weights (seeded), so the pair always matches.
if [ ! -f workloads/digits/model/digits_cnn.pt ] ||
   [ ! -f workloads/digits/model/digits_cnn.onnx ]; then
  /usr/bin/python3 workloads/digits/train.py
fi
mkdir -p out
rm -f out/digits.trace
./build/tailq run -o out/digits.trace
./build/tailq analyze out/digits.trace --csv > out/digits-curve.csv
./build/tailq report out/digits.trace -o out/digits-report.html
echo "trace: out/digits.trace; quality-time curve: out/digits-curve.csv"
echo "report: $(pwd)/out/digits-report.html"
echo
./build/tailq analyze out/digits.trace --thresholds p99 --answer
