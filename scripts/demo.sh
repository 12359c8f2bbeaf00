#!/usr/bin/env bash
# The main job on the built-in default workload. Until `tailq run` collects from a real model,
# the workload is a synthetic trace that tailq generates itself (200 rounds x 10,000 instances
# of a simulated classifier); it is then analysed exactly as a measured trace would be.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)" --target tailq_cli
mkdir -p out
./build/tailq generate -o out/demo.trace --force
./build/tailq analyze out/demo.trace
./build/tailq analyze out/demo.trace --csv > out/demo-curve.csv
echo "quality-time curve: out/demo-curve.csv"
