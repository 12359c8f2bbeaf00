#!/usr/bin/env bash
# tailq run end to end with the sleep workload: an uninterrupted run, a run killed with SIGKILL
# at random moments and resumed each time, Ctrl-C, and the errors of a bad set-up.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: run_test.sh path/to/tailq [torch]}")
TORCH=${2:-}  # "torch": the torch plug-in is built, so model-file errors are the runner's own
source "$(dirname "$(realpath "$0")")/test_lib.sh"
q() { sqlite3 "$1" "$2"; }

common=(--workload sleep --instances 50 --sleep-dist lognormal:200us:0.3 --sleep-seed 5
        --max-rounds 40 --tau 0 --quiet)
"$TAILQ" run "${common[@]}" -o ref.trace >ref.log 2>&1 && ok || bad "uninterrupted run: $(cat ref.log)"
[ "$(q ref.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')" = 40 ] && ok || bad "40 measured rounds"
[ "$(q ref.trace 'SELECT sum(count - measured) FROM round_blocks')" = 2 ] && ok || bad "2 warm-up rounds"
# Every round waited about its law's median (200 us) per instance: no time under it is possible
# with the spin wait, none far above it on a quiet machine.
[ "$(q ref.trace "SELECT group_concat(DISTINCT prediction) FROM outputs")" = "ok wrong" ] && ok || bad "predictions"
[ "$(q ref.trace "$output_hashes")" = 1 ] && ok || bad "deterministic outputs"
"$TAILQ" analyze ref.trace --json > ref.json && ok || bad "analyze the run"

# Killed at random moments, resumed each time.
"$TAILQ" run "${common[@]}" -o killed.trace >/dev/null 2>&1 &
pid=$!
for attempt in 1 2 3 4; do
  sleep "0.$((RANDOM % 4 + 1))"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ -f killed.trace ] || { "$TAILQ" run "${common[@]}" -o killed.trace >/dev/null 2>&1 & pid=$!; continue; }
  "$TAILQ" run --resume killed.trace --max-rounds 40 --tau 0 --quiet >/dev/null 2>&1 &
  pid=$!
done
wait "$pid"
rc=$?
if [ $rc -ne 0 ]; then
  "$TAILQ" run --resume killed.trace --max-rounds 40 --tau 0 --quiet >resume.log 2>&1 \
    || bad "final resume: $(cat resume.log)"
fi
# Resuming a finished experiment stops at once and leaves one closed file.
"$TAILQ" run --resume killed.trace --max-rounds 40 --tau 0 --quiet >again.log 2>&1 && ok \
  || bad "resume of a finished run: $(cat again.log)"
[ ! -e killed.trace-wal ] && ok || bad "a -wal file is left after the resumed run closed"
measured=$(q killed.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')
[ "$measured" = 40 ] && ok || bad "resumed trace has $measured measured rounds, not 40"
[ "$(q killed.trace 'SELECT count(*) FROM round_blocks r JOIN inference_times i ON i.first = r.first
     JOIN total_times t ON t.first = r.first WHERE length(i.seconds) = 400 * r.count
     AND length(t.seconds) = 400 * r.count')" \
  = "$(q killed.trace 'SELECT count(*) FROM round_blocks')" ] && ok || bad "a round is missing times"
[ "$(q killed.trace "$overlaps")" = 0 ] && ok || bad "duplicate rounds"
[ "$(q killed.trace 'SELECT group_concat(prediction) FROM outputs')" = \
  "$(q ref.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok || bad "outputs differ"
"$TAILQ" analyze killed.trace >/dev/null && ok || bad "analyze the resumed trace"

# Ctrl-C: commits what is complete and exits 130.
"$TAILQ" run --workload sleep --instances 20 --sleep-dist const:2ms --max-rounds 1000 --tau 0 \
  --quiet -o int.trace >int.log 2>&1 &
pid=$!
# Signal only once it is measuring (starting LibTorch can take a while on a loaded machine).
for _ in $(seq 100); do
  [ -f int.trace ] && [ "$(q int.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks' 2>/dev/null)" \
    -gt 0 ] 2>/dev/null && break
  sleep 0.2
done
kill -INT "$pid"
wait "$pid"
[ $? -eq 130 ] && ok || bad "SIGINT exit code"
grep -q interrupted int.log && ok || bad "interrupted message: $(cat int.log)"
n=$(q int.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')
[ "$n" -gt 0 ] && [ "$(q int.trace 'SELECT count(*) FROM total_times')" = "$((n + 2))" ] && ok \
  || bad "interrupted trace: $n rounds"

# A sleep model: each instance its own law and outcome, a known ground truth.
# (Deadline 15 ms: the 1 ms instances meet it even on a loaded machine, the 30 ms never can.)
printf 'law,correct\nconst:1ms,1\nconst:1ms,0\nconst:30ms,1\nconst:30ms,1\n' > model.csv
"$TAILQ" run --workload sleep --sleep-model model.csv --max-rounds 6 --tau 0 --quiet \
  -o model.trace >/dev/null 2>&1 && ok || bad "sleep model run"
json=$("$TAILQ" analyze model.trace --json --thresholds 15ms)
/usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
assert d['nominal_quality'] == 0.75 and d['thresholds'][0]['per_round'] == [0.25] * 6, d" \
  <<<"$json" && ok || bad "sleep model ground truth: $json"

# Bad set-ups: one line, exit 2, no trace left behind.
expect_error "resume mismatch" "--batch-size: '4' does not match the trace's '1'" \
  "$TAILQ" run --resume ref.trace --batch-size 4 --quiet
expect_error "bad sleep law" "--sleep-dist" \
  "$TAILQ" run --workload sleep --sleep-dist gamma:1 -o out.trace --quiet
expect_error "unknown workload" "unknown workload" "$TAILQ" run --workload bert -o out.trace --quiet
printf 'law,correct\nconst:1ms,2\n' > bad-model.csv
expect_error "bad sleep model" "bad-model.csv:2: correct" \
  "$TAILQ" run --workload sleep --sleep-model bad-model.csv -o out.trace --quiet
expect_error "existing output" "file exists" "$TAILQ" run --workload sleep -o ref.trace --quiet
# The digits model runs in the torch plug-in; without it, one line says the plug-in is missing.
if [ "$TORCH" = torch ]; then
  expect_error "missing model" "no such model file" \
    "$TAILQ" run --model "$work/none.pt" -o out.trace --quiet
  printf 'not a model' > junk.pt
  expect_error "corrupt model" "not a TorchScript model" \
    "$TAILQ" run --model junk.pt -o out.trace --quiet
else
  expect_error "no torch plug-in" "the torch plug-in (libtailq-torch.so) is not installed" \
    "$TAILQ" run --model "$work/none.pt" -o out.trace --quiet
fi
# The data set is read before the model is loaded, with or without the plug-in.
expect_error "missing dataset" "none.csv.gz" \
  "$TAILQ" run --data "$work/none.csv.gz" -o out.trace --quiet

finish
