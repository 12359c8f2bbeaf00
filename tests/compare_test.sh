#!/usr/bin/env bash
# tailq compare: a side-by-side table in the terminal (and --json), every trace at the first
# trace's deadlines unless asked otherwise, labels that say what differs, an HTML page only
# with -o, and refusals (one line, exit 2, no page) for traces of other instances.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: compare_test.sh path/to/tailq}")
here=$(cd "$(dirname "$0")" && pwd)
source "$(dirname "$(realpath "$0")")/test_lib.sh"
py() { /usr/bin/python3 -c "$@"; }

# Two runs that differ only in batch size, one of them with stalled batches far out in the tail.
"$TAILQ" generate -o b1.trace --rounds 30 --instances 400 --batch-size 1 --seed 3 >/dev/null
"$TAILQ" generate -o b4.trace --rounds 30 --instances 400 --batch-size 4 --seed 3 \
  --stall-probability 0.01 >/dev/null

out=$("$TAILQ" compare b1.trace b4.trace 2>err.txt)
[ $? -eq 0 ] && ok || bad "compare: $(cat err.txt)"
head -1 <<< "$out" | grep -q "every trace at the deadlines of batch 1 (the first): p90 = " && ok \
  || bad "the table names the common deadlines: $out"
header=$(echo "$out" | sed -n 2p)
grep -q "batch 1" <<< "$header" && grep -q "batch 4" <<< "$header" && ok \
  || bad "columns labelled by batch size: $header"
for row in "rounds" "nominal %" "P99 time" "median % @p99" "worst % @p99.9"; do
  # A here-string, not `echo | grep -q`: bash writes echo's lines one by one, and grep leaving
  # after the match stops a later write with SIGPIPE, which pipefail counts as a failure.
  grep -q "^$row " <<< "$out" && ok || bad "row '$row' missing: $out"
done
ls ./*.html >/dev/null 2>&1 && bad "compare without -o wrote a page" || ok

json=$("$TAILQ" compare b1.trace b4.trace --json)
py "import json,sys; d=json.load(sys.stdin)
assert d['deadlines'] == 'first trace' and d['metric'] == 'accuracy', d
t = d['traces']
assert [x['name'] for x in t] == ['batch 1', 'batch 4'], t
assert [x['file'] for x in t] == ['b1.trace', 'b4.trace'], t
assert all(x['instances'] == 400 and x['rounds'] == 30 for x in t), t
for k in range(3):
    assert t[0]['thresholds'][k]['seconds'] == t[1]['thresholds'][k]['seconds'], k
    for f in ('label', 'worst', 'median', 'mean'): assert f in t[1]['thresholds'][k], f
" <<<"$json" && ok || bad "compare --json: $json"
own=$("$TAILQ" compare b1.trace b4.trace --json --own-deadlines)
py "import json,sys; d=json.load(sys.stdin); t=d['traces']
assert d['deadlines'] == 'each trace', d
assert t[0]['thresholds'][2]['seconds'] != t[1]['thresholds'][2]['seconds'], t
" <<<"$own" && ok || bad "--own-deadlines: $own"
"$TAILQ" compare b1.trace b4.trace --own-deadlines | grep -q "own percentile deadlines" && ok \
  || bad "--own-deadlines said in the table"

# The same file name twice in different folders: labels stay unique.
mkdir -p a && cp b1.trace a/b1.trace
labels=$("$TAILQ" compare b1.trace a/b1.trace --json | py \
  "import json,sys; print('|'.join(t['name'] for t in json.load(sys.stdin)['traces']))")
[ "$(echo "$labels" | tr '|' '\n' | sort -u | wc -l)" -eq 2 ] && ok || bad "labels not unique: $labels"

# The page, only with -o, and it reads at a glance.
"$TAILQ" compare b1.trace b4.trace -o cmp.html >/dev/null 2>err.txt && [ -s cmp.html ] && ok \
  || bad "compare -o: $(cat err.txt)"
grep -q "wrote cmp.html" err.txt && ok || bad "compare -o says where the page went"
node "$here/report_browser_test.mjs" cmp.html "${TAILQ_REPORT_SCREENSHOT_DIR:-$work}/cmp.png" 2 \
  > browser.log 2>&1 && ok || bad "browser, comparison: $(cat browser.log)"

# Refusals: one line naming the difference and the way out, exit 2, no page.
expect_refusal() {
  local name=$1 want=$2; shift 2
  rm -f refused.html
  "$@" -o refused.html >/dev/null 2>err.txt
  local rc=$?
  if [ $rc -ne 2 ] || [ "$(wc -l < err.txt)" -ne 1 ] || ! grep -qF -- "$want" err.txt; then
    bad "$name: rc $rc: $(cat err.txt)"
  elif [ -e refused.html ] || [ -e refused.html.partial ]; then
    bad "$name: left a page"
  else
    ok
  fi
}
times_csv() {  # instances x 5 rounds
  echo "round,instance,inference,total"
  for r in 0 1 2 3 4; do for i in $(seq 1 "$1"); do echo "$r,i$i,0.001,0.002"; done; done
}
outcomes_csv() {
  echo "instance,label,prediction"
  for i in $(seq 1 "$1"); do echo "i$i,a,a"; done
}
times_csv 20 > t20.csv; outcomes_csv 20 > o20.csv
times_csv 30 > t30.csv; outcomes_csv 30 > o30.csv
"$TAILQ" import --times t20.csv --outcomes o20.csv -o named20.trace --dataset d >/dev/null
"$TAILQ" import --times t30.csv --outcomes o30.csv -o named30.trace --dataset d >/dev/null
"$TAILQ" import --times t20.csv --outcomes o20.csv -o unnamed.trace >/dev/null
sed 's/,i1,/,j1,/' t20.csv > t20j.csv; sed 's/^i1,/j1,/' o20.csv > o20j.csv
"$TAILQ" import --times t20j.csv --outcomes o20j.csv -o renamed.trace --dataset d >/dev/null
expect_refusal "unnamed dataset" "re-import it with \`tailq import --dataset d\`" \
  "$TAILQ" compare named20.trace unnamed.trace
expect_refusal "instance count" "named30.trace has 30 instances, named20.trace has 20" \
  "$TAILQ" compare named20.trace named30.trace
expect_refusal "instance names" "instance 'j1' of renamed.trace is not in named20.trace" \
  "$TAILQ" compare named20.trace renamed.trace
expect_refusal "other dataset" "only like can be compared" "$TAILQ" compare b1.trace named20.trace

finish
