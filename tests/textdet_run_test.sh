#!/usr/bin/env bash
# tailq run --workload textdet end to end on 6 generated pages: the run and its cached page set,
# a detection trace scored by COCO AP (sensible on clean pages, late pages missed), time against
# words per page in fit, a clean check, resume, and the errors of a bad set-up.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: textdet_run_test.sh path/to/tailq}")
source "$(dirname "$(realpath "$0")")/test_lib.sh"
q() { sqlite3 "$1" "$2"; }

common=(--workload textdet --pages 6 --ocr-seed 4 --degrade none --warmup-rounds 1 --tau 0 --quiet)
"$TAILQ" run "${common[@]}" --max-rounds 3 -o td.trace >run.log 2>&1 && ok || bad "run: $(cat run.log)"
cache=out/ocr-data/pages-v1-seed4-n6-none.bin
[ -s "$cache" ] && ok || bad "no cached page set at $cache: $(ls -R out 2>&1)"
[ "$(q td.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')" = 3 ] && ok || bad "3 measured rounds"
[ "$(q td.trace "SELECT value FROM experiment WHERE key = 'outcome_kind'")" = detection ] && ok \
  || bad "outcome_kind"
[ "$(q td.trace "SELECT value FROM experiment WHERE key = 'metric'")" = ap ] && ok \
  || bad "default metric"
[ "$(q td.trace "$output_hashes")" = 1 ] && ok \
  || bad "the detections changed between rounds"
# The input size is the number of ground-truth words; every page has detections of category 1.
sqlite3 -json td.trace 'SELECT i.input_size, i.label, o.prediction FROM instances i JOIN outputs o
  ON o.instance = i.idx' >pages.json 2>err.txt || bad "read the pages: $(cat err.txt)"
/usr/bin/python3 -c "import json; rows = json.load(open('pages.json'))
assert len(rows) == 6, rows
for r in rows:
    truth, found = json.loads(r['label']), json.loads(r['prediction'])
    assert r['input_size'] == len(truth) > 0, r
    assert found and all(d[0] == 1 and 0 <= d[5] <= 1 for d in found), r" && ok \
  || bad "ground truth and detections: $(head -c 600 pages.json)"

json=$("$TAILQ" analyze td.trace --json --thresholds p99,1ns)
/usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
assert d['metric'] == 'ap' and 0 < d['nominal_quality'] <= 1, d
late = d['thresholds'][1]
assert late['per_round'] == [0.0] * 3 and late['late_fraction']['mean'] == 1, late" <<<"$json" \
  && ok || bad "ap, late pages missed: $json"
# Tesseract finds most words of clean pages.
"$TAILQ" analyze td.trace --json --metric ap50 | /usr/bin/python3 -c "import json,sys
d = json.load(sys.stdin); assert d['nominal_quality'] > 0.8, d['nominal_quality']" && ok \
  || bad "AP50 on clean pages"
"$TAILQ" analyze td.trace --metric accuracy >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q "ap" err.txt && ok || bad "accuracy on detections: $(cat err.txt)"
"$TAILQ" fit td.trace --json | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
assert d['mean_vs_input_size'] is not None, d" && ok || bad "fit against words per page"
"$TAILQ" check td.trace >check.log && grep -q ": ok:" check.log && ok || bad "check: $(cat check.log)"

# A second run reads the cached set; a resumed one answers the same.
before=$(stat -c %Y.%N "$cache")
"$TAILQ" run "${common[@]}" --max-rounds 1 -o again.trace >/dev/null 2>&1 && ok || bad "second run"
[ "$(stat -c %Y.%N "$cache")" = "$before" ] && ok || bad "the cache was written again"
"$TAILQ" run --resume td.trace --max-rounds 4 --tau 0 --quiet >resume.log 2>&1 && ok \
  || bad "resume: $(cat resume.log)"
[ "$(q td.trace "$output_hashes")" = 1 ] && ok \
  || bad "the resumed run answered differently"
# The server scenario stores the same detections.
"$TAILQ" run "${common[@]}" --max-rounds 1 --scenario server --qps 50 -o server.trace \
  >server.log 2>&1 && ok || bad "server scenario: $(cat server.log)"
[ "$(q server.trace 'SELECT group_concat(prediction) FROM outputs')" = \
  "$(q td.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok || bad "server outputs differ"

expect_error "no pages" "--pages: '0' is not a whole number from 1" \
  "$TAILQ" run --workload textdet --pages 0 -o out.trace --quiet
expect_error "lines of ocr" "--lines: applies to the ocr workload" \
  "$TAILQ" run --workload textdet --lines 5 -o out.trace --quiet
expect_error "pages of textdet" "--pages: applies to the textdet workload" \
  "$TAILQ" run --workload ocr --pages 5 -o out.trace --quiet
expect_error "resume mismatch" "--pages: '7' does not match the trace's '6'" \
  "$TAILQ" run --resume td.trace --pages 7 --quiet

finish
