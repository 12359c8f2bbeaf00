#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and UndefinedBehavior-
# Sanitizer (every library source instrumented, in build-fuzz/), then runs each target for
# SECONDS (default 60) from its committed seeds in fuzz/corpus/<target>/. New inputs go to
# build-fuzz/corpus/<target>/, crashes, leaks and timeouts to fuzz/findings/<target>/ (both
# ignored by git). Prints the executions of every target; exits 1 on any finding.
#   scripts/fuzz.sh [SECONDS] [TARGET...]      TAILQ_FUZZ_JOBS=2 runs two targets at a time
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
all=(times_csv outcomes_csv npy trace trace_sql sleep_model options digits v2_messages)
targets=("${@:-${all[@]}}")
jobs=${TAILQ_FUZZ_JOBS:-1}

# TAILQ_FUZZ_BUILD names a build folder configured the same way by scripts/sanitize.sh, which
# CI reuses instead of compiling the library a third time.
build=${TAILQ_FUZZ_BUILD:-build-fuzz}
if [ ! -f "$build/CMakeCache.txt" ]; then
  # LibTorch stays out: it is not instrumented, no target reaches it, and linking it into every
  # target would only slow their start. -O1 with assertions on (Debug), as libFuzzer advises.
  sanitize="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link"
  sanitize+=" -fno-sanitize-recover=all"
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS="$sanitize" -DTAILQ_FUZZ=ON -DTAILQ_WERROR=ON -DTAILQ_BUILD_TESTS=OFF \
    -DTAILQ_BUILD_BENCHMARKS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON >/dev/null
fi
cmake --build "$build" --target fuzz_all -j "${TAILQ_BUILD_JOBS:-$(nproc)}"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
run_one() {
  local t=$1
  mkdir -p "$build/corpus/$t" "fuzz/findings/$t"
  # -timeout: one input taking 10 s is a finding (a hang); -rss_limit_mb: so is 2 GB of memory.
  "$build/fuzz/fuzz_$t" "$build/corpus/$t" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz/findings/$t/" >"$build/fuzz-$t.log" 2>&1
  local rc=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$t.log" | tail -1)
  if [ $rc -eq 0 ]; then
    printf '%-14s %12s executions in %ss, no finding\n' "$t" "${runs:-?}" "$seconds"
  elif [ -z "$(ls -A "fuzz/findings/$t")" ]; then
    printf '%-14s FAILED to run (exit %s): %s\n' "$t" "$rc" "$(tail -1 "$build/fuzz-$t.log")"
  else
    printf '%-14s FINDING (exit %s); see %s/fuzz-%s.log and fuzz/findings/%s/\n' \
      "$t" "$rc" "$build" "$t" "$t"
    grep -m3 -E 'ERROR|runtime error|terminate|uncaught' "$build/fuzz-$t.log" || true
  fi
  return $rc
}
export -f run_one
export seconds build
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}' || status=1
exit $status
