#!/usr/bin/env bash
# tailq import notices data that is valid but wrong (docs/import-formats.md, "Warnings"): each
# warning is printed, kept in the trace and shown by analyze and report; total < inference is an
# error; a trace without outcomes is a latency-only trace that analyze, report and compare take.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: import_checks_test.sh path/to/tailq}")
PY=/usr/bin/python3
source "$(dirname "$(realpath "$0")")/test_lib.sh"

# times.csv with 4 instances over rounds 0-5 (round 0 warm-up); $1 scales the times.
write_times() {
  local scale=$1
  echo "round,instance,inference,total"
  for r in 0 1 2 3 4 5; do
    for i in 0 1 2 3; do
      echo "$r,$i,$("$PY" -c "print(($i + 1) * 0.001 * $scale)"),$("$PY" -c "print(($i + 2 + $r % 2) * 0.001 * $scale)")"
    done
  done
}
write_times 1 > s.csv
write_times 1000 > ms.csv
printf 'instance,label,prediction\n0,7,7\n1,3,3\n2,7,3\n3,1,1\n' > good.csv
printf 'instance,label,prediction\n0,7,7.0\n1,3,3.0\n2,7,3.0\n3,1,1.0\n' > floats.csv
printf 'instance,label,prediction\n0,0,0.1 0.7 0.2\n1,1,0.5 0.25 0.25\n2,2,0.2 0.2 0.6\n3,1,0.3 0.6 0.1\n' \
  > probs.csv

# imp NAME TIMES OUTCOMES [more import args]: stderr in NAME.err, the trace NAME.trace.
imp() {
  local name=$1 times=$2 outcomes=$3; shift 3
  "$TAILQ" import --times "$times" ${outcomes:+--outcomes "$outcomes"} --warmup-rounds 0 \
    -o "$name.trace" "$@" >/dev/null 2>"$name.err"
}
# analyze_json TRACE: the JSON of analyze in $json.
json_has() { "$PY" -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" <<<"$json"; }

# --- clean data: no warning anywhere
imp good s.csv good.csv && ok || bad "clean import: $(cat good.err)"
[ ! -s good.err ] && ok || bad "clean import printed: $(cat good.err)"
json=$("$TAILQ" analyze good.trace --json)
json_has 'd["warnings"] == [] and d["nominal_quality"] == 0.75' && ok || bad "clean analyze: $json"

# --- times in milliseconds: one warning line with the fix, kept and shown
imp ms ms.csv good.csv && ok || bad "ms import failed: $(cat ms.err)"
[ "$(wc -l < ms.err)" -eq 1 ] && ok || bad "ms: expected one warning line: $(cat ms.err)"
grep -q '^tailq: warning: the median total time is 4 s per batch, which looks like milliseconds: tailq reads seconds; divide the times by 1,000 and import again' ms.err \
  && ok || bad "ms warning text: $(cat ms.err)"
json=$("$TAILQ" analyze ms.trace --json)
json_has 'len(d["warnings"]) == 1 and d["warnings"][0].startswith("import: the median total time is 4 s") and "milliseconds" in d["warnings"][0]' \
  && ok || bad "ms warning not in analyze JSON: $json"
"$TAILQ" analyze ms.trace | grep -q '^warning: import: the median total time is 4 s per batch, which looks like milliseconds' \
  && ok || bad "ms warning not in the analyze table"
"$TAILQ" report ms.trace -o ms.html >/dev/null && ok || bad "report of ms trace"
grep -q 'id="warnings"' ms.html && grep -q 'warning: import: the median total time is 4 s' ms.html \
  && ok || bad "ms warning not in the report"
write_times 1000000 > us.csv
imp us us.csv good.csv && grep -q 'looks like microseconds: tailq reads seconds; divide the times by 1,000,000' us.err \
  && ok || bad "us warning: $(cat us.err)"

# --- "7" vs "7.0": the warning names the pair and the fix; --numeric-labels fixes it
imp floats s.csv floats.csv && ok || bad "floats import failed"
grep -qF "tailq: warning: only 0% of the predictions name a class that occurs among the labels (label '7', prediction '7.0'): they match as numbers; write labels and predictions the same way (whole numbers as integers), or import with numeric_labels (tailq import --numeric-labels)" floats.err \
  && ok || bad "7 vs 7.0 warning: $(cat floats.err)"
json=$("$TAILQ" analyze floats.trace --json)
json_has 'd["nominal_quality"] == 0 and "match as numbers" in d["warnings"][0]' && ok || bad "floats analyze: $json"
imp fixed s.csv floats.csv --numeric-labels && ok || bad "--numeric-labels import failed"
[ ! -s fixed.err ] && ok || bad "--numeric-labels still warns: $(cat fixed.err)"
json=$("$TAILQ" analyze fixed.trace --json)
json_has 'd["nominal_quality"] == 0.75 and d["warnings"] == []' && ok || bad "--numeric-labels analyze: $json"

# --- probability rows
imp probs s.csv probs.csv && ok || bad "probs import failed"
grep -qF "tailq: warning: 4 of 4 predictions look like probability rows (3 numbers summing to 1 for instance '0'): a prediction lists predicted labels, best first; write the label of the highest probability (the argmax), or the k best for top-k" probs.err \
  && ok || bad "probability warning: $(cat probs.err)"
[ "$(wc -l < probs.err)" -eq 1 ] && ok || bad "probability rows: one warning expected: $(cat probs.err)"

# --- total < inference: one error line naming file, line, round and instance; no trace
printf 'round,instance,inference,total\n0,0,0.001,0.002\n1,0,0.003,0.002\n' > swapped.csv
expect_error "total < inference" "swapped.csv:3: total: round 1, instance 0: total time 0.002 is less than inference time 0.003 (total includes inference: are the columns swapped?)" \
  "$TAILQ" import --times swapped.csv -o out.trace
"$PY" -c "
import numpy as np
np.save('inf.npy', np.array([[0.001, 0.002], [0.001, 0.004]]))
np.save('tot.npy', np.array([[0.002, 0.003], [0.002, 0.003]]))"
expect_error "npy total < inference" "tot.npy: element [1, 1] (round 1, instance 1): total time 0.003 is less than inference time 0.004 in inf.npy" \
  "$TAILQ" import --inference-npy inf.npy --total-npy tot.npy -o out.trace

# --- latency only: import, analyze (table and JSON), report, compare
imp lat s.csv "" && ok || bad "latency-only import failed: $(cat lat.err)"
[ ! -s lat.err ] && ok || bad "latency-only import printed: $(cat lat.err)"
# Round r total times: 2,3,4,5 ms (r even) or 3,4,5,6 ms (r odd); rounds 1-5 measured.
json=$("$TAILQ" analyze lat.trace --json --thresholds 4.5ms,p50)
json_has 'd["latency_only"] is True and d["metric"] == "on-time" and d["nominal_quality"] is None and d["rounds"] == 5' \
  && ok || bad "latency-only JSON header: $json"
json_has '"quality" not in d["thresholds"][0] and d["thresholds"][0]["per_round_late_fraction"] == [0.5, 0.25, 0.5, 0.25, 0.5]' \
  && ok || bad "latency-only per-round late fractions: $json"
json_has 'abs(d["thresholds"][0]["late_fraction"]["mean"] - 0.4) < 1e-12 and d["thresholds"][0]["late_fraction"]["max"] == 0.5 and d["thresholds"][0]["late_fraction"]["min"] == 0.25' \
  && ok || bad "latency-only late summary: $json"
table=$("$TAILQ" analyze lat.trace --thresholds 4.5ms)
grep -q '^5 rounds x 4 instances, total time, latency only (no outcomes recorded)$' <<<"$table" \
  && ok || bad "latency-only table header: $table"
grep -qE '^4.5ms +4.5 ms +40.00 +25.00 +50.00 +50.00 +50.00 +50.00$' <<<"$table" \
  && ok || bad "latency-only table row: $table"
! grep -q 'nominal quality' <<<"$table" && ok || bad "latency-only table shows a quality"
csv=$("$TAILQ" analyze lat.trace --csv --thresholds 4.5ms | head -1)
[ "$csv" = "label,threshold_s,on_time_min,on_time_p5,on_time_median,on_time_mean,on_time_max,late_fraction_mean" ] \
  && ok || bad "latency-only CSV header: $csv"
expect_error "latency-only --guarantee" "has no quality to guarantee" \
  "$TAILQ" analyze lat.trace --guarantee 99%:95%
expect_error "latency-only metric" "metric 'accuracy' does not apply to a latency-only trace" \
  "$TAILQ" analyze lat.trace --metric accuracy
"$TAILQ" report lat.trace -o lat.html >/dev/null && ok || bad "latency-only report"
grep -q 'Latency only: instances late at each deadline' lat.html && ok || bad "report lacks the late table"
imp lat2 ms.csv "" && ok || bad "second latency-only import"
json=$("$TAILQ" compare lat.trace lat2.trace --json)
json_has 'd["metric"] == "on-time" and len(d["traces"]) == 2' && ok || bad "latency-only compare: $json"
"$TAILQ" compare lat.trace lat2.trace -o cmp.html >/dev/null && [ -s cmp.html ] && ok || bad "compare page"
"$TAILQ" fit lat.trace >/dev/null && ok || bad "fit on a latency-only trace"

finish
