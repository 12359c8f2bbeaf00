#!/usr/bin/env bash
# ThreadSanitizer over tailq's multi-threaded parts: the engine's worker threads, Monte Carlo
# prediction, convergence, tailq fit's readers and tasks, the load scenarios (a generator
# thread and worker threads sharing a queue), the sharded analyses with their ranks as
# threads, and a trace's instances read on two connections, in build-tsan/ with clang. Any
# data race fails (halt_on_error). LibTorch stays out (its thread pool is not instrumented, so
# TSan would report races inside it that it cannot see the synchronisation of).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TAILQ_TSAN_BUILD:-build-tsan}
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-O1 -g -fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DTAILQ_WERROR=ON -DTAILQ_BUILD_BENCHMARKS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON \
  -DTAILQ_BUILD_PYTHON=OFF >/dev/null
# Only the library and the test files that hold these tests (tests/CMakeLists.txt).
cmake --build "$build" --target tailq_thread_tests -j "$(nproc)"
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
"$build/tests/tailq_thread_tests" \
  --gtest_filter='Engine*:Predict*:TimeModel*:RjsdMonitor*:InstanceRjsdMonitor*:Load*:Summary*:Fit.*:RunTasks*:Shards*:InstanceRows*'
