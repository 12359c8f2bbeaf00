#!/usr/bin/env bash
# End-to-end tests of the tailq command line: import, analyze, and every bad-input case
# (one clear line naming file, line and field; exit code 2; no output file left behind).
set -uo pipefail
TAILQ=$(realpath "${1:?usage: cli_test.sh path/to/tailq}")
# Debian's python3 has numpy (scripts/install-deps.sh); another python3 on PATH may not.
PY=/usr/bin/python3
source "$(dirname "$(realpath "$0")")/test_lib.sh"

# expect_error NAME EXPECTED_SUBSTRINGS... -- COMMAND...
expect_error() {
  local name=$1; shift
  local wants=()
  while [ "$1" != "--" ]; do wants+=("$1"); shift; done
  shift
  rm -f out.trace
  "$@" >stdout.txt 2>stderr.txt
  local rc=$?
  if [ $rc -ne 2 ]; then bad "$name: exit code $rc, expected 2"; cat stderr.txt; return; fi
  if [ "$(wc -l < stderr.txt)" -ne 1 ]; then bad "$name: expected one line"; cat stderr.txt; return; fi
  for w in "${wants[@]}"; do
    grep -qF -- "$w" stderr.txt || { bad "$name: message lacks '$w': $(cat stderr.txt)"; return; }
  done
  if ls out.trace* >/dev/null 2>&1; then bad "$name: left $(ls out.trace*)"; return; fi
  ok
}

# --- a valid import: 3 rounds, 4 instances in batches {a,b}, {c}, {d}; round 0 is warm-up.
cat > times.csv <<'CSV'
round,instance,batch,inference,total
0,a,x,0.010,0.020
0,b,x,0.010,0.020
0,c,y,0.011,0.021
0,d,z,0.012,0.022
1,a,x,0.001,0.002
1,b,x,0.001,0.002
1,c,y,0.003,0.004
1,d,z,0.002,0.003
2,d,z,0.002,0.0025
2,c,y,0.001,0.0015
2,a,x,0.003,0.005
2,b,x,0.003,0.005
CSV
cat > outcomes.csv <<'CSV'
instance,label,prediction
a,cat,cat dog
b,dog,cat dog
c,"tench,Tinca","tench,Tinca"
d,cat,cat
CSV
if "$TAILQ" import --times times.csv --outcomes outcomes.csv --warmup-rounds 0 -o exp.trace \
    --model m --dataset d >/dev/null; then ok; else bad "valid import failed"; fi
json=$("$TAILQ" analyze exp.trace --json --thresholds 2ms,0.003s,p50 --metric accuracy)
check_json() {
  "$PY" -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" <<<"$json"
}
# Answers: a right, b wrong (right in top 2), c right, d right. Total times in round 1:
# x (a, b) 2 ms, c 4 ms, d 3 ms; in round 2: x 5 ms, c 1.5 ms, d 2.5 ms.
check_json 'd["rounds"]==2 and d["instances"]==4 and d["time"]=="total"' && ok || bad "json header: $json"
check_json 'd["thresholds"][0]["per_round"]==[0.25,0.25]' && ok || bad "2ms per round: $json"
check_json 'd["thresholds"][1]["per_round"]==[0.5,0.5] and d["thresholds"][1]["late_fraction"]["max"]==0.5' \
  && ok || bad "3ms per round: $json"
check_json 'd["nominal_quality"]==0.75 and d["latency"]["count"]==6 and d["latency"]["max"]==0.005' \
  && ok || bad "nominal/latency: $json"
json=$("$TAILQ" analyze exp.trace --json --time inference --thresholds 1ms --metric top2)
check_json 'd["time"]=="inference" and d["thresholds"][0]["per_round"]==[0.5,0.25]' && ok || bad "inference top2: $json"
# --rounds counts measured rounds from 0, warm-up rounds aside: 1: is the second measured round.
json=$("$TAILQ" analyze exp.trace --json --rounds 1: --thresholds 2ms)
check_json 'd["rounds"]==1 and d["thresholds"][0]["per_round"]==[0.25]' && ok || bad "--rounds: $json"
json=$("$TAILQ" analyze exp.trace --json --rounds 0:1 --time inference --thresholds 1ms --metric top2)
check_json 'd["rounds"]==1 and d["thresholds"][0]["per_round"]==[0.5]' && ok || bad "--rounds 0:1: $json"
"$TAILQ" analyze exp.trace | grep -q "nominal quality" && ok || bad "table output"
lines=$("$TAILQ" analyze exp.trace --csv --sweep 5 | wc -l)
[ "$lines" -eq 10 ] && ok || bad "csv has $lines lines, expected header + 4 + 5"

# --- the same experiment from .npy files
"$PY" - <<'PY'
import numpy as np
inf = np.array([[0.001, 0.002, 0.003], [0.002, 0.001, 0.004]], dtype=np.float32)
np.save("inf.npy", inf)
np.save("tot.npy", (inf * 2).astype(np.float64))
np.save("short.npy", np.zeros((2, 2)))
np.save("nan.npy", np.array([[0.1, np.nan, 0.1], [0.1, 0.1, 0.1]]))
np.save("threed.npy", np.zeros((2, 3, 1)))
with open("npy-outcomes.csv", "w") as f:
    f.write("instance,score\n0,1\n1,0.5\n2,0.25\n")
PY
if "$TAILQ" import --inference-npy inf.npy --total-npy tot.npy --outcomes npy-outcomes.csv \
    -o npy.trace >/dev/null; then ok; else bad "npy import failed"; fi
json=$("$TAILQ" analyze npy.trace --json --thresholds 4.1ms)
# total = 2 x inference: round 0 (2,4,6 ms) -> 1.5/3; round 1 (4,2,8 ms) -> 1.5/3. (4 ms would
# be too tight: float32 0.002 is 0.0020000000949949026.)
check_json 'd["metric"]=="score" and d["thresholds"][0]["per_round"]==[0.5,0.5]' && ok || bad "npy score: $json"

# --- bad input: each names file, line and field, exits 2, leaves nothing
import_times() { "$TAILQ" import --times "$1" --outcomes outcomes.csv -o out.trace; }
printf 'round,instance,inference,total\n0,a,0.1,0.2\n0,b,nan,0.2\n' > t_nan.csv
expect_error "NaN time" t_nan.csv ":3" inference -- import_times t_nan.csv
printf 'round,instance,inference,total\n0,a,0.1,0.2\n0,b,0.1,-0.2\n' > t_neg.csv
expect_error "negative time" t_neg.csv ":3" total -- import_times t_neg.csv
printf 'round,instance,inference,total\n0,a,0.1,0.2\n0,a,0.1,0.2\n' > t_dup.csv
expect_error "duplicate row" t_dup.csv ":3" -- import_times t_dup.csv
printf 'round,instance,inference,total\n0,a,0.1,0.2\n0,b,0.1,0.2\n1,a,0.1,0.2\n' > t_missing.csv
expect_error "missing instance" t_missing.csv "round 1" "b" -- import_times t_missing.csv
printf 'round,instance,inference,total\n0,a,0.1,abc\n' > t_text.csv
expect_error "not a number" t_text.csv ":2" total -- import_times t_text.csv
printf 'round,instance,latency,total\n0,a,0.1,0.2\n' > t_header.csv
expect_error "bad header" t_header.csv latency -- import_times t_header.csv
printf 'round,instance,batch,inference,total\n0,a,x,0.1,0.2\n0,b,x,0.2,0.2\n' > t_batch.csv
expect_error "batch disagrees" t_batch.csv ":3" inference -- import_times t_batch.csv
expect_error "unknown instance in outcomes" outcomes.csv ":2" instance -- \
  "$TAILQ" import --times <(printf 'round,instance,inference,total\n0,b,0.1,0.2\n0,c,0.1,0.2\n0,d,0.1,0.2\n') \
  --outcomes outcomes.csv -o out.trace
expect_error "wrong npy shape" short.npy tot.npy -- \
  "$TAILQ" import --inference-npy short.npy --total-npy tot.npy --outcomes npy-outcomes.csv -o out.trace
expect_error "3-D npy" threed.npy -- \
  "$TAILQ" import --inference-npy threed.npy --total-npy threed.npy --outcomes npy-outcomes.csv -o out.trace
expect_error "NaN in npy" nan.npy "[0, 1]" -- \
  "$TAILQ" import --inference-npy nan.npy --total-npy tot.npy --outcomes npy-outcomes.csv -o out.trace
expect_error "missing file" nope.csv -- import_times nope.csv
expect_error "unknown warm-up round" "--warmup-rounds" "7" -- \
  "$TAILQ" import --times times.csv --outcomes outcomes.csv --warmup-rounds 7 -o out.trace
expect_error "unknown option" "--frobnicate" -- "$TAILQ" analyze exp.trace --frobnicate
expect_error "bad threshold" "threshold 'p200'" -- "$TAILQ" analyze exp.trace --thresholds p200
expect_error "bad time kind" "--time" -- "$TAILQ" analyze exp.trace --time wall
expect_error "unknown metric" "metric 'bleu'" -- "$TAILQ" analyze exp.trace --metric bleu
expect_error "not a trace" "times.csv" "not a tailq trace" -- "$TAILQ" analyze times.csv
expect_error "no such trace" "missing.trace" -- "$TAILQ" analyze missing.trace
expect_error "empty round range" "selected range" -- "$TAILQ" analyze exp.trace --rounds 5:6
cp exp.trace keep.trace
expect_error "existing output" "exists" -- \
  "$TAILQ" import --times times.csv --outcomes outcomes.csv -o exp.trace
cmp -s exp.trace keep.trace && ok || bad "an existing trace was modified by a refused import"

# --- time models: converge, fit, predict on a small generated trace
"$TAILQ" generate -o gen.trace --rounds 60 --instances 300 --seed 3 >/dev/null && ok || bad "generate"
json=$("$TAILQ" converge gen.trace --json --tau 0.05)
check_json 'd["rounds"]==60 and len(d["rjsd"])==25 and d["rjsd"][0]["round"]==12 and
  set(d["rjsd"][0])>={"round","inference","total"} and
  (d["converged_at_round"] is None or d["converged_at_round"]%2==0)' && ok || bad "converge json: $json"
json=$("$TAILQ" converge gen.trace --json --instances 10)
check_json 'd["instances_sampled"]==10 and 0<=d["rjsd"][-1]["instances_converged"]["total"]<=1' \
  && ok || bad "converge instances: $json"
json=$("$TAILQ" converge gen.trace --json --schedule paper)
check_json '[p["round"] for p in d["rjsd"]]==[20,30,40,50,60]' && ok || bad "converge paper: $json"
# A window past any trace's length once wrapped window + 1 to 0 and crashed (found by
# cli_fuzz_test).
expect_error "huge window" "--window" "1,000,000" -- "$TAILQ" converge gen.trace --window 99999999999999999999
json=$("$TAILQ" fit gen.trace --json)
check_json 'd["pooled"]["bandwidth"]>0 and d["pooled"]["selector"]=="isj" and
  d["pooled"]["count"]==18000 and len(d["slowest"])==10 and d["mean_vs_input_size"]["slope"]>0' \
  && ok || bad "fit json: $json"
json=$("$TAILQ" predict gen.trace --json --holdout 20 --simulations 100 --thresholds p90,p99)
check_json 'len(d["thresholds"])==2 and d["thresholds"][1]["label"]=="p99" and
  all(k in t["measured"] for t in d["thresholds"] for k in ("min","mean","std")) and
  all("median" in t["predicted"]["min_of_holdout"] and "mean" in t["predicted"] for t in d["thresholds"]) and
  d["training_rounds"]==40 and len(d["models"])==2' && ok || bad "predict json: $json"
json1=$("$TAILQ" predict gen.trace --json --holdout 20 --simulations 50 --model independent --threads 1)
json2=$("$TAILQ" predict gen.trace --json --holdout 20 --simulations 50 --model independent --threads 2)
[ "$json1" = "$json2" ] && ok || bad "predict depends on the thread count"
"$TAILQ" converge gen.trace | grep -q "rJSD" && ok || bad "converge table"
"$TAILQ" fit gen.trace | grep -q "slowest instances" && ok || bad "fit table"
"$TAILQ" predict gen.trace --holdout 20 --simulations 50 | grep -q "held-out" && ok || bad "predict table"
expect_error "holdout too large" "--holdout: 59 held out" -- "$TAILQ" predict gen.trace --holdout 59
# The verdict: a model is called best only when the held-out rounds resolve the difference, and
# a measured worst outside a model's interval is said; both are in the JSON too.
json=$("$TAILQ" predict gen.trace --json --holdout 20 --simulations 100 --thresholds p90,p99)
check_json 'd["error_resolution"]>0 and isinstance(d["best_is_clear"], bool) and
  d["best_is_clear"]==(abs(d["models"][0]["mean_abs_error"]-d["models"][1]["mean_abs_error"])>d["error_resolution"]) and
  all(t["worst_inside_interval"]==(t["predicted"]["min_of_holdout"]["p5"]<=t["measured"]["min"]<=t["predicted"]["min_of_holdout"]["p95"])
      for m in d["models"] for t in m["thresholds"])' && ok || bad "predict verdict json: $json"
"$TAILQ" predict gen.trace --holdout 20 --simulations 100 --thresholds p90,p99 | grep -Eq "^verdict: (model|neither)" \
  && ok || bad "predict verdict line"
# A short trace: the default holdout is a third of it (20 rounds -> 6), not 30.
"$TAILQ" generate -o short.trace --rounds 20 --instances 50 --seed 4 >/dev/null
json=$("$TAILQ" predict short.trace --json --simulations 50)
check_json 'd["holdout_rounds"]==6 and d["training_rounds"]==14' && ok || bad "predict short trace: $json"
# One way of printing times: fit and predict print units, never raw seconds like 1.5e-06.
out=$("$TAILQ" fit gen.trace; "$TAILQ" predict gen.trace --holdout 20 --simulations 50)
if grep -Eq "[0-9]e-0[0-9]" <<<"$out"; then bad "raw seconds printed: $out"; else ok; fi
grep -Eq "^mean +[0-9.]+ (ms|us)" <<<"$out" && ok || bad "fit per-instance mean without a unit: $out"
expect_error "bad schedule" "--schedule" -- "$TAILQ" converge gen.trace --schedule weekly
expect_error "bad model" "--model" -- "$TAILQ" predict gen.trace --model magic

# --- the distribution-free guarantee: 450 independent rounds make the worst a 99%/95% bound
# (299 would do if independence were assumed; tailq counts what they are worth), 100 do not
"$TAILQ" generate -o many.trace --rounds 450 --instances 100 --seed 5 >/dev/null && ok || bad "generate"
"$TAILQ" analyze many.trace --thresholds p99 --guarantee 99%:95% >g.txt && ok || bad "guarantee"
grep -q "with 95.00% confidence, at least 99.00% of rounds" g.txt && ok || bad "guarantee table: $(cat g.txt)"
json=$("$TAILQ" analyze many.trace --json --thresholds p99,p90 --guarantee 99%:95%)
check_json 'd["guarantee"]["rounds"]==450 and d["guarantee"]["rounds_needed"]==299 and
  all(x["order"] is not None and x["order"] <= 2 for x in d["guarantee"]["deadlines"]) and
  all(x["bound"] <= y["quality"]["p1"] for x,y in zip(d["guarantee"]["deadlines"],d["thresholds"])) and
  all(x["confidence"] >= 0.95 and 299 <= x["effective_rounds"] <= 450 for x in d["guarantee"]["deadlines"])' && ok \
  || bad "guarantee json: $json"
json=$("$TAILQ" analyze many.trace --json --rounds :100 --thresholds p99 --guarantee 99%:95%)
check_json 'd["guarantee"]["deadlines"][0]["bound"] is None and d["guarantee"]["deadlines"][0]["order"] is None' \
  && ok || bad "too few rounds: $json"
"$TAILQ" analyze many.trace --rounds :100 --thresholds p99 --guarantee 99%:95% | grep -q \
  "are too few" && ok || bad "too few rounds are named"
expect_error "bad guarantee" "--guarantee" "95%" -- "$TAILQ" analyze many.trace --guarantee 95%
expect_error "guarantee without %" "--guarantee: '99:95': write 99%:95%" -- \
  "$TAILQ" analyze many.trace --guarantee 99:95
expect_error "guarantee with csv" "--guarantee" -- "$TAILQ" analyze many.trace --csv --guarantee 99%:95%

# --- mistakes a user makes with paths and numbers: one line that says what to do, exit 2, and
# nothing left behind (no .partial file, nothing in the folder given as an output).
mkdir -p adir
# expect_clean: expect_error, then no temporary file anywhere, adir empty, no folder made.
expect_clean() {
  local before=$failed
  expect_error "$@"
  [ "$failed" -ne "$before" ] && return
  local left
  left=$(find . -name '*.partial*' -o -path ./adir/\* -o -name nofolder)
  if [ -n "$left" ]; then passed=$((passed - 1)); bad "$1: left $left"; fi
}
import_to() { "$TAILQ" import --times times.csv --outcomes outcomes.csv "$@"; }
for cmd in "report many.trace" "compare exp.trace exp.trace"; do
  expect_clean "$cmd -o a folder" "--output: 'adir' is a folder: give a file path, e.g. adir/" -- \
    "$TAILQ" $cmd -o adir
  expect_clean "$cmd -o in a missing folder" "'nofolder' does not exist: create it first" -- \
    "$TAILQ" $cmd -o nofolder/r.html
  # /proc takes no new files, even from root (for whom a chmod'ed folder is writable); /sys
  # would too, but a chroot (as in a fresh-Debian check) may leave it a plain folder.
  expect_clean "$cmd -o a read-only place" "cannot create files in '/proc'" -- \
    "$TAILQ" $cmd -o /proc/r.html
  expect_clean "$cmd -o a device" "'/dev/null' is not a regular file" -- "$TAILQ" $cmd -o /dev/null
done
for cmd in "import_to" "$TAILQ generate --rounds 3"; do
  expect_clean "${cmd#"$TAILQ "} -o a folder --force" "'adir' is a folder" "adir/NAME.trace" -- \
    $cmd -o adir --force
  expect_clean "${cmd#"$TAILQ "} -o in a missing folder" "create it first (mkdir -p nofolder)" -- \
    $cmd -o nofolder/x.trace
  expect_clean "${cmd#"$TAILQ "} -o a read-only place" "cannot create files in '/proc'" -- \
    $cmd -o /proc/x.trace
done
expect_clean "import over a trace" "'exp.trace' exists: add --force to replace it" -- \
  import_to -o exp.trace
expect_clean "run -o a folder" "--output: 'adir' is a folder" -- \
  "$TAILQ" run --workload sleep --max-rounds 2 --quiet -o adir
expect_clean "run over a trace" "exp.trace: file exists (resume it" -- \
  "$TAILQ" run --workload sleep --max-rounds 2 --quiet -o exp.trace
expect_clean "analyze a folder" "adir: is a folder, not a trace file" -- "$TAILQ" analyze adir
expect_clean "report of a folder" "adir: is a folder, not a trace file" -- \
  "$TAILQ" report adir -o r.html
expect_clean "import from a folder" "adir: is a folder, not a data file" -- \
  "$TAILQ" import --times adir --outcomes outcomes.csv -o x.trace
[ ! -e r.html ] && [ ! -e x.trace ] && ok || bad "a refused command wrote its output"
# Ranges as people write them, never 1.7976931348623157e308 in full.
expect_clean "batch size 0" "--batch-size: must be a whole number of at least 1, not '0'" -- \
  "$TAILQ" generate --batch-size 0 -o x.trace
expect_clean "accuracy 2" "--accuracy: must be a number from 0 to 1, not '2'" -- \
  "$TAILQ" generate --accuracy 2 -o x.trace
expect_clean "tau 2%" "--tau: must be a number of at least 0, not '2%' (write 0.02 for 2%)" -- \
  "$TAILQ" converge many.trace --tau 2%
expect_clean "run --tau 2%" "--tau: '2%' is not a number from 0 up (write 0.02 for 2%)" -- \
  "$TAILQ" run --workload sleep --tau 2% -o x.trace
expect_clean "run --batch-size 0" "--batch-size: '0' is not a whole number from 1 up" -- \
  "$TAILQ" run --workload sleep --batch-size 0 -o x.trace
# Deadlines: "5 ms" is 5ms, and a bare 5 needs its unit (5 s, 5 ms, p5?).
expect_clean "deadline with a space" "--thresholds: threshold '5 ms': write 5ms (no space)" -- \
  "$TAILQ" analyze many.trace --thresholds "p99,5 ms"
for cmd in "analyze many.trace" "predict many.trace" "converge many.trace --stop precision" \
    "compare many.trace many.trace -o x.html" "run --workload sleep -o x.trace"; do
  expect_clean "$cmd: a bare deadline" "threshold '5': add a unit (5s, 5ms or 5us) or write p5" -- \
    "$TAILQ" $cmd --thresholds 5
done
[ ! -e x.html ] && [ ! -e x.trace ] && ok || bad "a refused command wrote its output"

# Every option of tailq run has its help, switches included.
"$TAILQ" run --help >run_help.txt 2>&1
grep -q -- "--busy-poll .*idle workers spin instead of sleeping" run_help.txt && ok \
  || bad "run --help: a switch without its help: $(grep -- --busy-poll run_help.txt)"
[ "$(grep -cE '^  --[a-z-]+ +$' run_help.txt)" = 0 ] && ok \
  || bad "run --help: options without help: $(grep -E '^  --[a-z-]+ +$' run_help.txt)"

finish
