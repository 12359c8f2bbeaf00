#!/usr/bin/env bash
# tailq run under load, end to end with the sleep workload: a server sweep analysed as quality
# against load, a sweep killed mid-way and resumed at the load where it stopped, and the
# errors of a bad set-up.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: load_test.sh path/to/tailq}")
here=$(dirname "$(realpath "$0")")
source "$here/test_lib.sh"
q() { sqlite3 "$1" "$2"; }
# Measured rounds per offered load, from one-round blocks (docs/trace-format.md, "Round blocks":
# the offered load is the last 8 bytes of a round's metadata).
per_load="SELECT group_concat(n) FROM (SELECT count(*) AS n FROM round_blocks WHERE measured = 1
  GROUP BY substr(info, -8))"

sweep=(--workload sleep --instances 60 --sleep-dist const:2ms --scenario server
       --qps-sweep 100:400:150 --max-rounds 3 --warmup-rounds 1 --tau 0 --quiet)
"$TAILQ" run "${sweep[@]}" -o sweep.trace >sweep.log 2>&1 && ok || bad "sweep run: $(cat sweep.log)"
[ "$(q sweep.trace "$per_load")" = "3,3,3" ] && ok \
  || bad "3 measured rounds at each of 3 loads"
[ "$(q sweep.trace 'SELECT count(*) FROM query_times WHERE length(seconds) = 60 * 32')" = 12 ] \
  && ok || bad "a query timeline per round (warm-up included)"
grep -q "load generator: 540 queries" sweep.log && ok || bad "jitter line: $(cat sweep.log)"
grep -q "quality-preserving capacity" sweep.log && ok || bad "summary at the end of the run"

"$TAILQ" analyze sweep.trace --thresholds 50ms,p99 >table.txt && ok || bad "analyze the sweep"
grep -Eq "^ +100 .* 100\.00 " table.txt && ok || bad "all on time at the lowest load: $(cat table.txt)"
grep -q "worst%@50ms" table.txt && ok || bad "a column per deadline"
"$TAILQ" analyze sweep.trace --thresholds 50ms --max-drop 20 --json >sweep.json && ok || bad "analyze --json"
/usr/bin/python3 - sweep.json <<'PY' && ok || bad "JSON: three loads, waits grow, capacity"
import json, sys
a = json.load(open(sys.argv[1]))
loads = [l["offered_qps"] for l in a["levels"]]
assert loads == [100, 250, 400], loads
waits = [l["queue_wait"]["mean"] for l in a["levels"]]
assert waits[0] < waits[2], waits
assert a["capacity"][0]["label"] == "50ms" and a["capacity"][0]["capacity_qps"] >= 100
PY
"$TAILQ" analyze sweep.trace --load 250 --json >one.json && ok || bad "analyze one load"
expect_error "a guarantee across loads" "--load" "$TAILQ" analyze sweep.trace --guarantee 90%:90%
/usr/bin/python3 -c "import json,sys; assert json.load(open('one.json'))['rounds'] == 3" && ok \
  || bad "--load picks that load's 3 rounds"
"$TAILQ" report sweep.trace -o sweep.html >/dev/null && grep -q "Quality under load" sweep.html \
  && ok || bad "the report has a load section"
shot=${TAILQ_SCREENSHOT_DIR:-$work}/load-report.png
node "$here/report_browser_test.mjs" sweep.html "$shot" 2 >browser.log 2>&1 && ok \
  || bad "the load report renders in a browser: $(cat browser.log)"

# Compared with the same sweep on two workers: one deadline for both, less queueing with two.
"$TAILQ" run "${sweep[@]}" --workers 2 -o sweep2.trace >sweep2.log 2>&1 && ok \
  || bad "two-worker sweep: $(cat sweep2.log)"
"$TAILQ" compare sweep.trace sweep2.trace --thresholds p99,50ms --json >cmp.json && ok \
  || bad "compare load traces: $(cat cmp.json)"
/usr/bin/python3 - cmp.json <<'PY' && ok || bad "compare JSON: $(cat cmp.json)"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["kind"] == "load" and [d["label"] for d in c["deadlines"]] == ["p99", "50ms"], c
one, two = c["traces"]
assert (one["name"], two["name"]) == ("workers 1", "workers 2"), (one["name"], two["name"])
# Both held to the first trace's deadlines, in seconds.
for t in (one, two):
    assert [x["seconds"] for x in t["capacity"]] == [d["seconds"] for d in c["deadlines"]], t
    assert [l["offered_qps"] for l in t["levels"]] == [100, 250, 400], t
    assert all(len(l["worst"]) == 2 and l["rounds"] == 3 for l in t["levels"]), t
assert two["levels"][2]["latency_p99"] < one["levels"][2]["latency_p99"], (one, two)
PY
"$TAILQ" compare sweep.trace sweep2.trace -o cmp.html >/dev/null && grep -q "capacity @p99" cmp.html \
  && ok || bad "compare page of load traces"
node "$here/report_browser_test.mjs" cmp.html "$work/compare-load.png" 2 >browser2.log 2>&1 && ok \
  || bad "the load comparison renders in a browser: $(cat browser2.log)"
"$TAILQ" generate -o plain.trace --rounds 5 --instances 60 >/dev/null
expect_error "compare load with single-stream" "compare load traces with load traces" \
  "$TAILQ" compare sweep.trace plain.trace --json
expect_error "compare single-stream with load" "compare load traces with load traces" \
  "$TAILQ" compare plain.trace sweep.trace --json
"$TAILQ" run --workload sleep --instances 20 --sleep-dist const:1ms --scenario server --qps 200 \
  --max-rounds 1 --warmup-rounds 0 --tau 0 --quiet -o other.trace >/dev/null 2>&1
expect_error "compare load traces of other data" "only like can be compared" \
  "$TAILQ" compare sweep.trace other.trace --json

# Killed during the sweep, resumed: it finishes every load once.
"$TAILQ" run "${sweep[@]}" -o killed.trace >/dev/null 2>&1 &
pid=$!
sleep 2.5
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -f killed.trace ]; then
  "$TAILQ" run --resume killed.trace --max-rounds 3 --tau 0 --quiet >resume.log 2>&1 && ok \
    || bad "resume the sweep: $(cat resume.log)"
  [ "$(q killed.trace "$per_load")" = "3,3,3" ] && ok \
    || bad "resumed sweep: 3 measured rounds per load"
else
  bad "the killed sweep left no trace"
fi
"$TAILQ" run --resume killed.trace --qps-sweep 100:300:100 --quiet >mismatch.log 2>&1
[ $? -eq 2 ] && grep -q "does not match" mismatch.log && ok || bad "resume with other loads: $(cat mismatch.log)"

# Bad set-ups: one line, exit 2, no trace left behind.
bad_run=("$TAILQ" run --workload sleep --quiet -o out.trace)
expect_error "server without a rate" "--qps" "${bad_run[@]}" --scenario server
expect_error "a rate without server" "--qps" "${bad_run[@]}" --qps 100
expect_error "a bad sweep" "--qps-sweep" "${bad_run[@]}" --scenario server --qps-sweep 400:100:50
expect_error "an unknown scenario" "--scenario" "${bad_run[@]}" --scenario bursty
expect_error "a bad interval" "--interval" "${bad_run[@]}" --scenario multi-stream --interval soon
expect_error "a negative rate" "--qps" "${bad_run[@]}" --scenario server --qps -5
finish
