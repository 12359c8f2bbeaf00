#!/usr/bin/env bash
# Ranking outcomes end to end (docs/ranking.md, docs/import-formats.md): import a CSV of relevant
# items and ranked lists with times, score ndcg@K / recall@K / precision@K in analyze, report,
# compare and predict, and refuse bad users, items and cut-offs with one error line.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: ranking_import_test.sh path/to/tailq}")
PY=/usr/bin/python3
source "$(dirname "$(realpath "$0")")/test_lib.sh"

# Users u0..u3 take (i + 1) ms in every round (rounds 0-5, 0 warm-up): at 2.5 ms u0 and u1 are on
# time, u2 and u3 late.
{
  echo "round,instance,inference,total"
  for r in 0 1 2 3 4 5; do
    for i in 0 1 2 3; do echo "$r,u$i,0.000$((i + 1)),0.00$((i + 1))"; done
  done
} > times.csv
# At K = 2: u0 hits at rank 1 of 2 relevant (NDCG 1 / (1 + 1/log2 3)), u1 at rank 2 of 1
# relevant (1/log2 3), u2 and u3 (an item with a comma, quoted) are perfect.
cat > rank.csv <<'CSV'
instance,relevant,ranking
u0,a b,a  c b
u1,x,y x
u2,p q r,p q
u3,"z,1","z,1 w"
CSV
json_has() { "$PY" -c "import json,math,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" <<<"$json"; }
U0='1 / (1 + 1 / math.log2(3))'
U1='1 / math.log2(3)'

"$TAILQ" import --times times.csv --outcomes rank.csv --warmup-rounds 0 -o r.trace \
  >/dev/null 2>imp.err && ok || bad "import: $(cat imp.err)"
[ ! -s imp.err ] && ok || bad "import printed: $(cat imp.err)"
"$TAILQ" check r.trace >/dev/null 2>chk.err && ok || bad "check of a ranking trace: $(cat chk.err)"
json=$("$TAILQ" analyze r.trace --metric ndcg@2 --thresholds 2.5ms --json)
json_has "d['metric'] == 'ndcg@2' and abs(d['nominal_quality'] - ($U0 + $U1 + 2) / 4) < 1e-12" \
  && ok || bad "ndcg@2 nominal: $json"
json_has "abs(d['thresholds'][0]['quality']['mean'] - ($U0 + $U1) / 4) < 1e-12" \
  && ok || bad "ndcg@2 with u2, u3 late: $json"
json=$("$TAILQ" analyze r.trace --metric recall@1 --thresholds 2.5ms --json)
json_has "abs(d['nominal_quality'] - (0.5 + 0 + 1 / 3 + 1) / 4) < 1e-12 and abs(d['thresholds'][0]['quality']['mean'] - 0.5 / 4) < 1e-12" \
  && ok || bad "recall@1: $json"
json=$("$TAILQ" analyze r.trace --metric precision@3 --json)
json_has "abs(d['nominal_quality'] - (2 / 3 + 1 / 3 + 2 / 3 + 1 / 3) / 4) < 1e-12" \
  && ok || bad "precision@3 (K beyond the lists): $json"
# The trace's own metric is NDCG@20; the table names it so and gives the fraction: u0 1.5 /
# (1 + 1/log2 3), u1 1/log2 3, u2 (1 + 1/log2 3) / (1 + 1/log2 3 + 1/2), u3 1; mean 0.8290.
json=$("$TAILQ" analyze r.trace --json)
json_has "d['metric'] == 'ndcg@20'" && ok || bad "default metric: $json"
table=$("$TAILQ" analyze r.trace)
grep -q '^5 rounds x 4 instances, total time, metric NDCG@20$' <<<"$table" \
  && ok || bad "table header: $table"
grep -qE '^nominal quality \(no deadline\): [0-9.]+%  \(NDCG@20 0\.8290\)$' <<<"$table" \
  && ok || bad "table nominal line: $table"
"$TAILQ" report r.trace -o r.html >/dev/null 2>rep.err && ok || bad "report: $(cat rep.err)"
grep -q '<td>metric</td><td>NDCG@20</td>' r.html && ok || bad "report metric row"
cp r.trace r2.trace
json=$("$TAILQ" compare r.trace r2.trace --json)
json_has "d['metric'] == 'ndcg@20' and len(d['traces']) == 2" && ok || bad "compare: $json"
"$TAILQ" compare r.trace r2.trace | head -1 | grep -q '^compare: NDCG@20, total time' \
  && ok || bad "compare text header"
json=$("$TAILQ" predict r.trace --metric precision@2 --holdout 2 --simulations 50 --json)
[ -n "$json" ] && json_has "d['metric'] == 'precision@2'" && ok || bad "predict: $json"
"$TAILQ" predict r.trace --holdout 2 --simulations 50 | head -1 | grep -q 'total time, NDCG@20)$' \
  && ok || bad "predict text names NDCG@20"

# --- refused, one line naming file, line and field; no trace left
imp_error() {
  local name=$1 want=$2 csv=$3
  printf '%b' "$csv" > bad.csv
  expect_error "$name" "$want" "$TAILQ" import --times times.csv --outcomes bad.csv -o out.trace
}
imp_error "no relevant items" "bad.csv:3: relevant: user 'u1' has no relevant items, so its recall and NDCG are undefined; leave users without relevant items out of the outcomes and the times" \
  'instance,relevant,ranking\nu0,a,a\nu1, ,a\nu2,a,a\nu3,a,a\n'
imp_error "duplicate ranked item" "bad.csv:4: ranking: item 'b' is ranked twice; a ranked list lists each item once" \
  'instance,relevant,ranking\nu0,a,a\nu1,a,a\nu2,a,b a b\nu3,a,a\n'
imp_error "duplicate relevant item" "bad.csv:2: relevant: item 'a' is listed twice" \
  'instance,relevant,ranking\nu0,a a,a\nu1,a,a\nu2,a,a\nu3,a,a\n'
imp_error "unknown user" "bad.csv:3: instance: unknown instance 'u9'" \
  'instance,relevant,ranking\nu0,a,a\nu9,a,a\nu2,a,a\nu3,a,a\n'
imp_error "mixed forms" "bad.csv:1: expected the columns instance,label,prediction or instance,score or instance,relevant,ranking (in any order), found instance,relevant,ranking,score" \
  'instance,relevant,ranking,score\nu0,a,a,1\n'
for k in ndcg@0 ndcg@x recall@ precision@-2; do
  expect_error "bad K $k" "tailq: error: metric '$k': K must be a whole number >= 1, e.g. ${k%@*}@20" \
    "$TAILQ" analyze r.trace --metric "$k"
done
expect_error "classification metric" "metric 'accuracy' does not apply to ranking outcomes; choose one of: ndcg@<k>, recall@<k>, precision@<k>" \
  "$TAILQ" analyze r.trace --metric accuracy

finish
