#!/usr/bin/env bash
# tailq run --workload ocr end to end on 20 generated lines: the run, its cached line set, the
# text metrics through analyze and fit, late lines scored as missed, and the errors of a bad
# set-up.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: ocr_run_test.sh path/to/tailq}")
source "$(dirname "$(realpath "$0")")/test_lib.sh"
q() { sqlite3 "$1" "$2"; }

common=(--workload ocr --lines 20 --ocr-seed 4 --warmup-rounds 1 --tau 0 --quiet)
"$TAILQ" run "${common[@]}" --max-rounds 3 -o ocr.trace >run.log 2>&1 && ok || bad "run: $(cat run.log)"
cache=out/ocr-data/lines-v1-seed4-n20-light.bin
[ -s "$cache" ] && ok || bad "no cached line set at $cache: $(ls -R out 2>&1)"
[ "$(q ocr.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')" = 3 ] && ok || bad "3 measured rounds"
[ "$(q ocr.trace "SELECT value FROM experiment WHERE key = 'outcome_kind'")" = text ] && ok \
  || bad "outcome_kind"
[ "$(q ocr.trace "SELECT value FROM experiment WHERE key = 'metric'")" = char-accuracy ] && ok \
  || bad "default metric"
[ "$(q ocr.trace 'SELECT count(*) FROM instances WHERE input_size = length(label)')" = 20 ] && ok \
  || bad "input size is the reference length"
[ "$(q ocr.trace "SELECT count(*) FROM outputs WHERE prediction <> ''")" -ge 18 ] && ok \
  || bad "recognised text: $(q ocr.trace 'SELECT prediction FROM outputs')"
[ "$(q ocr.trace "$output_hashes")" = 1 ] && ok \
  || bad "the recognised text changed between rounds"
grep -q "CER" run.log && ok || bad "the summary shows no CER: $(cat run.log)"

json=$("$TAILQ" analyze ocr.trace --json --metric char-accuracy --thresholds p99,1ns)
/usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
assert d['metric'] == 'char-accuracy' and d['nominal_quality'] > 0.9, d
late = d['thresholds'][1]
assert late['per_round'] == [0.0] * 3 and late['late_fraction']['mean'] == 1, late" <<<"$json" \
  && ok || bad "char-accuracy, late lines missed: $json"
for metric in word-accuracy line-accuracy; do
  "$TAILQ" analyze ocr.trace --metric $metric >/dev/null && ok || bad "analyze --metric $metric"
done
"$TAILQ" analyze ocr.trace --metric accuracy >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q "char-accuracy" err.txt && ok || bad "accuracy on text: $(cat err.txt)"
"$TAILQ" fit ocr.trace --json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
assert d['mean_vs_input_size'] is not None, d" && ok || bad "fit against line length"

# A second run reads the cached set instead of rendering it again.
before=$(stat -c %Y.%N "$cache")
"$TAILQ" run "${common[@]}" --max-rounds 1 -o again.trace >/dev/null 2>&1 && ok || bad "second run"
[ "$(stat -c %Y.%N "$cache")" = "$before" ] && ok || bad "the cache was written again"
[ "$(q again.trace 'SELECT group_concat(prediction) FROM outputs')" = \
  "$(q ocr.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok || bad "outputs differ"
# Resumed: the same lines from the cache, the same answers.
"$TAILQ" run --resume ocr.trace --max-rounds 4 --tau 0 --quiet >resume.log 2>&1 && ok \
  || bad "resume: $(cat resume.log)"
[ "$(q ocr.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')" = 4 ] && ok || bad "resumed rounds"
[ "$(q ocr.trace "$output_hashes")" = 1 ] && ok \
  || bad "the resumed run answered differently"

expect_error "no lines" "--lines: '0' is not a whole number from 1" \
  "$TAILQ" run --workload ocr --lines 0 -o out.trace --quiet
expect_error "bad degradation" "--degrade" \
  "$TAILQ" run --workload ocr --lines 5 --degrade medium -o out.trace --quiet
expect_error "missing model" "no such Tesseract model" \
  "$TAILQ" run --workload ocr --lines 5 --model "$work/none.traineddata" -o out.trace --quiet
expect_error "resume mismatch" "--lines: '30' does not match the trace's '20'" \
  "$TAILQ" run --resume ocr.trace --lines 30 --quiet

finish
