#!/usr/bin/env bash
# The library, the CLI and the tests built with clang's AddressSanitizer and UndefinedBehavior-
# Sanitizer (any report fails the test: -fno-sanitize-recover=all, halt_on_error), in
# build-asan/, then every test but these: the report's headless-Chromium run (the browser is not
# tailq's code, and its page is exercised by the other report tests), and three tests that assert
# real-time margins of the load scenarios (every query on time at a low load, full dynamic
# batches): the sanitizers slow the harness several times, which is what those margins measure.
# They run in the normal build, and the Load tests also under ThreadSanitizer (scripts/tsan.sh). The build also carries the fuzz
# targets' coverage instrumentation, so scripts/fuzz.sh can run from it (TAILQ_FUZZ_BUILD).
# LibTorch stays out (-DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON): it is a large library that is not
# instrumented, LeakSanitizer reports the allocations its static state keeps for the process's
# life, and loading it would dominate every test's start; the digits backend it serves is
# tested in the normal build. The Python module stays out too (-DTAILQ_BUILD_PYTHON=OFF): an
# instrumented extension cannot load into an uninstrumented interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TAILQ_ASAN_BUILD:-build-asan}
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link"
flags+=" -fno-sanitize-recover=all"
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DTAILQ_WERROR=ON -DTAILQ_FUZZ=ON -DTAILQ_BUILD_BENCHMARKS=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DTAILQ_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
timing='Load\.SweepStoresOneSeriesPerLoadAndAnalysesQualityAgainstLoad|Load\.OfflineIssuesEverythingAtOnceAndBatches'
# The MPI run tests start OpenMPI inside the sanitized command: OpenMPI's own allocations left at
# MPI_Finalize read as leaks, and its memory hooks are not meant to run under ASan. Our side of
# it (rank protocol, node tags, resume) is covered here by node_tags_test and the run tests.
mpi='mpi_run_test|mpi_absent_test'
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -E "^(report_test|load_test|$timing|$mpi)\$" "$@"
