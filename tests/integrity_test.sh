#!/usr/bin/env bash
# One writer, many readers, and no computing on bad data, end to end: a second writer is
# refused at once while analyze, report and check read the trace being written; every command
# that reads a trace refuses a corrupt one with one line (exit 2), and tailq check lists what is
# wrong.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: integrity_test.sh path/to/tailq}")
source "$(dirname "$(realpath "$0")")/test_lib.sh"
q() { sqlite3 -readonly "$1" "$2"; }

# --- The lock: a run in progress, a second writer, and readers meanwhile.
"$TAILQ" run --workload sleep --instances 20 --sleep-dist const:1ms --max-rounds 100000 --tau 0 \
  --quiet -o live.trace >live.log 2>&1 &
writer=$!
for _ in $(seq 150); do
  [ "$(q live.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks' 2>/dev/null || echo 0)" -ge 3 ] && break
  sleep 0.1
done
"$TAILQ" run --resume live.trace --quiet >second.log 2>&1
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <second.log)" -eq 1 ] && grep -q "another process is writing this trace" second.log \
  && ok || bad "second writer: exit $rc: $(cat second.log)"
"$TAILQ" analyze live.trace --json >live.json 2>live.err && ok || bad "analyze while writing: $(cat live.err)"
"$TAILQ" report live.trace -o live.html >/dev/null 2>live.err && ok || bad "report while writing: $(cat live.err)"
"$TAILQ" check live.trace >check.log && grep -q ": ok:" check.log && ok || bad "check while writing: $(cat check.log)"
kill -0 "$writer" 2>/dev/null && ok || bad "the writer died while being read"
kill -INT "$writer"
wait "$writer"
[ $? -eq 130 ] && ok || bad "writer did not stop on SIGINT: $(cat live.log)"
before=$(q live.trace 'SELECT coalesce(sum(count), 0) FROM round_blocks')
"$TAILQ" run --resume live.trace --max-rounds "$(( $(q live.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks') + 2 ))" \
  --tau 0 --quiet >resume.log 2>&1 && ok || bad "resume once the writer is gone: $(cat resume.log)"
[ "$(q live.trace 'SELECT coalesce(sum(count), 0) FROM round_blocks')" -gt "$before" ] && ok || bad "resume appended nothing"

# --- Corruption: every reading command refuses, check lists.
"$TAILQ" run --workload sleep --instances 10 --sleep-dist const:100us --max-rounds 6 --tau 0 \
  --quiet -o good.trace >/dev/null 2>&1 || bad "making good.trace"
"$TAILQ" check good.trace >check.log && ok || bad "check of a good trace: $(cat check.log)"
"$TAILQ" check good.trace --json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
assert d['ok'] and d['rounds'] == 8 and d['measured_rounds'] == 6 and d['problems'] == [], d" \
  && ok || bad "check --json of a good trace"

# Every command that reads a trace; TRACE stands for the corrupt one.
readers=(
  "analyze TRACE" "analyze TRACE --json" "fit TRACE" "converge TRACE"
  "predict TRACE --holdout 2 --simulations 10" "report TRACE -o r.html"
  "compare good.trace TRACE -o c.html" "run --resume TRACE --quiet"
)
# corrupt NAME SQL: a copy of good.trace changed by SQL (as a disk or a person might).
corrupt() {
  cp good.trace "$1.trace"
  sqlite3 "$1.trace" "$2"
}
expect_refused() {
  local name=$1 want=$2 r rc
  for r in "${readers[@]}"; do
    # shellcheck disable=SC2086
    "$TAILQ" ${r//TRACE/$name.trace} >out.txt 2>err.txt
    rc=$?
    if [ $rc -ne 2 ] || [ "$(wc -l <err.txt)" -ne 1 ] || ! grep -qF -- "$want" err.txt; then
      bad "$name: tailq ${r//TRACE/$name.trace}: exit $rc: $(cat err.txt)"
      return
    fi
  done
  "$TAILQ" check "$name.trace" >check.txt
  rc=$?
  [ $rc -eq 2 ] && grep -qF -- "$want" check.txt && ok || bad "$name: check exit $rc: $(cat check.txt)"
}
# The first batch time of round 4 overwritten (with 0.0001).
corrupt flipped "UPDATE total_times SET seconds = CAST(x'2D431CEBE2361A3F' || substr(seconds, 9) AS BLOB) WHERE first = 4"
expect_refused flipped "round 4: total times do not match their checksum"
corrupt short "UPDATE inference_times SET seconds = substr(seconds, 1, 16) WHERE first = 3"
expect_refused short "round 3: inference times hold 16 bytes"
corrupt lost "DELETE FROM total_times WHERE first = 5"
expect_refused lost "round 5: no total times"
# Round 6 made a warm-up round: its flag byte (docs/trace-format.md, "Round blocks") gains the
# warm-up bit (1).
corrupt edited "UPDATE round_blocks SET measured = 0, info = CAST(CASE hex(substr(info, 1, 1))
  WHEN '02' THEN x'03' ELSE x'01' END || substr(info, 2) AS BLOB) WHERE first = 6"
expect_refused edited "round 6: the block does not match its checksum"
corrupt label "UPDATE instances SET label = 'wrong' WHERE idx = 0"
expect_refused label "instances or outputs tables do not match their checksum"
corrupt view "CREATE VIEW v AS SELECT 1"
expect_refused view "unexpected view 'v'"
corrupt version "PRAGMA user_version = 7"
expect_refused version "trace schema version 7"
# A packed block (an import stores many rounds per block): a damaged byte names its rounds.
/usr/bin/python3 -c "import numpy as np; t = np.full((40000, 1), 0.001); np.save('inf.npy', t)
np.save('tot.npy', 2 * t)"
printf 'instance,score\n0,1\n' >outcomes.csv
"$TAILQ" import --inference-npy inf.npy --total-npy tot.npy --outcomes outcomes.csv -o tiny.trace \
  >import.log 2>&1 || bad "import of tiny rounds: $(cat import.log)"
[ "$(q tiny.trace 'SELECT group_concat(count) FROM round_blocks')" = "32768,7232" ] && ok \
  || bad "blocks of tiny rounds: $(q tiny.trace 'SELECT group_concat(count) FROM round_blocks')"
cp tiny.trace packed.trace
sqlite3 packed.trace "UPDATE total_times SET seconds = CAST(substr(seconds, 1, 800) || x'00' ||
  substr(seconds, 802) AS BLOB) WHERE first = 32768"
"$TAILQ" check packed.trace >check.txt
[ $? -eq 2 ] && grep -qF "rounds 32768 to 39999: total times do not match their checksum" check.txt \
  && ok || bad "check of a damaged packed block: $(cat check.txt)"
"$TAILQ" analyze packed.trace >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -qF "rounds 32768 to 39999: total times do not match" err.txt && ok \
  || bad "analyze of a damaged packed block: $(cat err.txt)"
"$TAILQ" check tiny.trace >/dev/null && ok || bad "check of the intact tiny trace"

head -c 70000 good.trace >truncated.trace
for r in analyze fit "check"; do
  "$TAILQ" $r truncated.trace >out.txt 2>err.txt
  rc=$?
  [ $rc -eq 2 ] && ok || bad "truncated: tailq $r exit $rc: $(cat err.txt out.txt)"
done
head -c 5000 /dev/urandom >random.trace
"$TAILQ" analyze random.trace >/dev/null 2>err.txt
[ $? -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && ok || bad "random bytes: $(cat err.txt)"
"$TAILQ" check random.trace >/dev/null; [ $? -eq 2 ] && ok || bad "check of random bytes"
"$TAILQ" check missing.trace >check.txt; [ $? -eq 2 ] && grep -q "no such trace file" check.txt \
  && ok || bad "check of a missing file: $(cat check.txt)"
finish
