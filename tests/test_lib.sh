# Sourced by the shell tests: a scratch folder, pass/fail counting, and the closing line.
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
# Passes when "$@" exits 2 with one line on stderr containing $want and leaves no out.trace.
expect_error() {
  local name=$1 want=$2; shift 2
  rm -f out.trace
  "$@" >/dev/null 2>err.txt
  local rc=$?
  if [ $rc -ne 2 ] || [ "$(wc -l < err.txt)" -ne 1 ] || ! grep -qF -- "$want" err.txt; then
    bad "$name: rc $rc: $(cat err.txt)"
  elif [ -e out.trace ]; then
    bad "$name: left a trace"
  else
    ok
  fi
}
# SQL on schema version 3 traces (docs/trace-format.md, "Round blocks"), as tailq run writes
# them, one round per block: the distinct output hashes of measured rounds (the hash follows
# the flag byte and the start time; flags 2 = has a hash, 1 = warm-up), and the rounds stored
# twice (blocks that overlap).
output_hashes="SELECT count(DISTINCT substr(info, 10, 8)) FROM round_blocks WHERE count = 1
  AND hex(substr(info, 1, 1)) IN ('02', '06', '0A', '0E')"
overlaps="SELECT count(*) FROM round_blocks a JOIN round_blocks b ON b.first > a.first
  AND b.first < a.first + a.count"
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
