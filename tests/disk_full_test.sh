#!/usr/bin/env bash
# A full disk during `tailq run`: the trace lives on a small filesystem made by the test (tmpfs
# with a size limit; a loop-mounted ext4 image where tmpfs cannot be mounted; a file-size limit,
# ulimit -f, where nothing can be mounted). The run must stop with one clear line and a
# non-zero exit, every round committed before must pass `tailq check`, and once space is freed
# `tailq run --resume` must continue. A run that cannot even create its trace leaves nothing.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: disk_full_test.sh path/to/tailq}")
source "$(dirname "$(realpath "$0")")/test_lib.sh"
mkdir small
mode=""
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=3m tmpfs small 2>/dev/null; then
  mode=tmpfs
elif [ "$(id -u)" -eq 0 ] && command -v mkfs.ext4 >/dev/null && truncate -s 8m fs.img &&
  mkfs.ext4 -q -F fs.img && mount -o loop fs.img small 2>/dev/null; then
  mode=ext4
else
  mode=ulimit
fi
trap 'umount "$work/small" 2>/dev/null; rm -rf "$work"' EXIT
echo "filesystem: $mode"
q() { sqlite3 -readonly "$1" "$2"; }
run=(--workload sleep --instances 3000 --sleep-dist const:1us --tau 0 --quiet)

# run_limited ARGS...: tailq run, with the file-size limit in ulimit mode (SIGXFSZ ignored, so
# that a write past the limit fails with EFBIG instead of killing the process).
run_limited() {
  if [ "$mode" = ulimit ]; then
    (trap '' XFSZ; ulimit -f 2048; exec "$TAILQ" run "$@")
  else
    "$TAILQ" run "$@"
  fi
}

if [ "$mode" != ulimit ]; then
  # Nothing left at all: the trace cannot be created, and no partial file stays.
  dd if=/dev/zero of=small/filler bs=64k 2>/dev/null
  run_limited "${run[@]}" --max-rounds 5 -o small/none.trace >none.log 2>&1
  rc=$?
  [ $rc -ne 0 ] && [ "$(wc -l <none.log)" -eq 1 ] && ok || bad "creating on a full disk: exit $rc: $(cat none.log)"
  [ -z "$(ls small | grep -v '^filler$')" ] && ok || bad "a partial trace was left: $(ls small)"
  rm -f small/filler
  # Leave room for a few rounds only, and a filler to free later.
  dd if=/dev/zero of=small/filler bs=64k count=8 2>/dev/null
fi

run_limited "${run[@]}" --max-rounds 100000 -o small/t.trace >full.log 2>&1
rc=$?
cat full.log
[ $rc -eq 2 ] && ok || bad "exit code $rc on a full disk (expected 2)"
[ "$(wc -l <full.log)" -eq 1 ] && ok || bad "not one line: $(cat full.log)"
grep -Eq "small/t.trace: .*(disk is full|I/O error).*was not stored.*--resume small/t.trace" full.log \
  && ok || bad "unclear message: $(cat full.log)"
"$TAILQ" check small/t.trace >check.log && ok || bad "committed rounds after a full disk: $(cat check.log)"
cat check.log
stored=$(q small/t.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')
[ "$stored" -ge 1 ] && ok || bad "no measured round was committed before the disk filled"
"$TAILQ" analyze small/t.trace >/dev/null && ok || bad "analyze after a full disk"

# Space again: resume continues to the rounds asked for.
if [ "$mode" != ulimit ]; then  # (in ulimit mode, the resume simply runs without the limit)
  rm -f small/filler
  mount -o remount,size=64m small 2>/dev/null || true
fi
"$TAILQ" run --resume small/t.trace --max-rounds $((stored + 3)) --tau 0 --quiet >resume.log 2>&1
rc=$?
[ $rc -eq 0 ] && ok || bad "resume after freeing space: exit $rc: $(cat resume.log)"
[ "$(q small/t.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')" = $((stored + 3)) ] && ok \
  || bad "resume did not reach $((stored + 3)) measured rounds"
"$TAILQ" check small/t.trace >check.log && ok || bad "check after the resume: $(cat check.log)"
finish
