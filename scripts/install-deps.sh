#!/usr/bin/env bash
# Installs everything tailq needs to build, test and benchmark, from Debian 12 packages only.
# Safe to run again; run as root or with sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libsqlite3-dev sqlite3          # trace store
  libxxhash-dev                   # the trace's checksums (XXH3-64, header-only)
  libfmt-dev                      # formatting of tables
  nlohmann-json3-dev              # JSON metadata and --json output
  libcli11-dev                    # command line
  libgtest-dev libgmock-dev       # unit tests
  libbenchmark-dev                # benchmarks
  libeigen3-dev                   # FFT module for the KDE (MPL-2.0)
  libboost-math-dev               # TOMS 748 root finder, erf_inv
  libpcg-cpp-dev                  # PCG random streams for Monte Carlo
  libtorch-dev zlib1g-dev         # the LibTorch backend and the digits data
  libopencv-dnn-dev               # the OpenCV DNN backend (ONNX models; core and dnn only)
  python3-torch python3-sklearn   # training the digits CNN; the digits data set
  libtesseract-dev tesseract-ocr-eng  # the ocr workload: Tesseract's LSTM and its English model
  libleptonica-dev                # Tesseract's images; the blur of the generated text lines
  libpango1.0-dev libcairo2-dev   # rendering the generated text lines
  fonts-dejavu-core fonts-dejavu-extra fonts-liberation2  # their fonts
  wamerican                       # their words (/usr/share/dict/american-english)
  chromium                        # the HTML report's browser test
  clang libclang-rt-14-dev        # fuzzing (libFuzzer) and the ASan/UBSan/TSan builds
  llvm-14                         # llvm-symbolizer: source lines in sanitizer reports
  e2fsprogs util-linux            # disk-full test: mkfs.ext4 and mount for a small filesystem
  python3 python3-numpy python3-scipy  # reference checks and side-by-side benchmarks
  pybind11-dev python3-dev        # the Python module tailq (pybind11 extension)
  python3-pytest                  # the Python module's tests
  openmpi-bin libopenmpi-dev      # mpirun -np K tailq run: collection across nodes (libtailq-mpi.so)
  libcpp-httplib-dev              # tailq run --server, tailq serve: KServe v2 over HTTP (libtailq-remote.so)
  libgrpc++-dev protobuf-compiler protobuf-compiler-grpc  # ... and over gRPC
  python3-pip python3-venv python3-setuptools python3-wheel  # pip install ./python in a venv
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js from Debian when the machine has none; then the charting libraries that reports
# inline (and the browser test's driver) from the npm registry, pinned by web/package-lock.json.
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
here=$(cd "$(dirname "$0")/.." && pwd)
# The packages Node.js itself runs (the browser test's driver, web/package.json's
# devDependencies) must accept this Node.js; the charting libraries only run in the browser.
# Debian 12 ships Node.js 18, so they are pinned to releases whose engines field allows it.
node "$here/scripts/check-node-engines.mjs" "$here/web" || true
# A web/node_modules that is a link to another checkout's install is left alone: npm ci would
# empty the folder it points to (a fresh clone's package-lock.json is always newer).
if [ ! -L "$here/web/node_modules" ] && { [ ! -f "$here/web/node_modules/.package-lock.json" ] ||
   [ "$here/web/package-lock.json" -nt "$here/web/node_modules/.package-lock.json" ]; }; then
  (cd "$here/web" && npm ci --no-audit --no-fund --loglevel=error)
fi
