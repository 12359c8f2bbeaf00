#!/usr/bin/env bash
# tailq report: a hostile trace cannot inject markup, and the page renders every chart in
# headless Chromium without a console error or a network request.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: report_test.sh path/to/tailq}")
here=$(cd "$(dirname "$0")" && pwd)
source "$(dirname "$(realpath "$0")")/test_lib.sh"

# Every string from the trace is escaped.
{
  echo "round,instance,inference,total"
  for r in 0 1 2 3 4 5; do
    echo "$r,\"<script>alert(1)</script>\",0.00$((r % 3 + 1)),0.00$((r % 3 + 2))"
    echo "$r,b,0.001,0.002"
  done
} > times.csv
printf 'instance,label,prediction\n"<script>alert(1)</script>",<img/src=x>,<img/src=x>\nb,y,y\n' \
  > outcomes.csv
"$TAILQ" import --times times.csv --outcomes outcomes.csv -o x.trace \
  --model '<script>alert("model")</script>' --dataset '"><b>bold' >/dev/null && ok || bad "import"
"$TAILQ" report x.trace -o x.html >/dev/null && ok || bad "report of the hostile trace"
if grep -q '<script>alert' x.html || grep -q '<img/src' x.html || grep -q '"><b>bold' x.html; then
  bad "unescaped trace string in the page"
else
  ok
fi
grep -q '&lt;script&gt;alert(&quot;model&quot;)' x.html && ok || bad "escaped model name missing"
[ ! -e x.html.partial ] && ok || bad "partial file left"

# A realistic trace renders in the browser; warm-up rounds and stalled batches far out in the
# tail, as a real run has them, must not stretch the time axes or shift the round numbers.
"$TAILQ" generate -o g.trace --rounds 80 --instances 3000 --warmup-rounds 2 \
  --stall-probability 0.005 >/dev/null && ok || bad "generate"
"$TAILQ" report g.trace -o g.html >/dev/null && ok || bad "report"
size=$(stat -c %s g.html)
[ "$size" -lt 2000000 ] && ok || bad "report is $size bytes"
shot=${TAILQ_REPORT_SCREENSHOT:-$work/report.png}  # -1300.png and -800.png
if node "$here/report_browser_test.mjs" g.html "$shot" 7 > browser.log 2>&1; then ok; else
  bad "browser: $(cat browser.log)"
fi
node "$here/report_browser_test.mjs" x.html "$work/x.png" 5 > browser-x.log 2>&1 && ok \
  || bad "browser, hostile trace: $(cat browser-x.log)"

grep -q '<p class="answer"><b>Under the p99 deadline (' g.html && grep -q 'points below the nominal' g.html \
  && ok || bad "the answer in a sentence at the top"
grep -q '"values":\[{"round":1,"median_ms"' g.html && ok || bad "median per round counts measured rounds"

# The quotable guarantee: 80 rounds are too few for 99% at 95% confidence, 450 are enough; the
# answer table shows a typical and a bad round with intervals, and names the worst as observed.
grep -q "needs at least 299 independent rounds; this trace has 80 measured rounds" g.html && ok \
  || bad "the report names the rounds a guarantee needs"
grep -q "typical round % (mean)" g.html && grep -q "worst of 80 rounds %" g.html && \
  grep -q "These intervals hold together with 95.00% confidence" g.html && ok \
  || bad "the answer table has intervals and the plain answer"
"$TAILQ" generate -o many.trace --rounds 450 --instances 100 --seed 5 >/dev/null
"$TAILQ" report many.trace -o many.html >/dev/null && ok || bad "report of 450 rounds"
bound=$("$TAILQ" analyze many.trace --json --thresholds p90,p99,p99.9 --guarantee 99%:95% | /usr/bin/python3 -c \
  "import json,sys; print(f'{100 * json.load(sys.stdin)[\"guarantee\"][\"deadlines\"][0][\"bound\"]:.2f}')")
grep -q "With 95.00% confidence, at least 99.00% of rounds reach $bound% at p90" many.html && ok \
  || bad "the guarantee at p90 is the one analyze gives ($bound%): $(grep -o 'With 95[^<]*' many.html)"
# A trace merged from two nodes (same instances and answers, times of their own, one drifting)
# has a section "By node" whose numbers are analyze's; one node's trace has none.
if grep -q 'id="by-node"' g.html; then bad "a single-node report has a by-node section"; else ok; fi
"$TAILQ" generate -o n1.trace --rounds 30 --instances 500 --time-seed 1 >/dev/null &&
  "$TAILQ" generate -o n2.trace --rounds 20 --instances 500 --time-seed 2 --round-drift 0.1 \
    >/dev/null && "$TAILQ" merge n1.trace n2.trace -o n12.trace >/dev/null && ok ||
  bad "two generated node traces merged"
"$TAILQ" report n12.trace -o n12.html >/dev/null && ok || bad "report of the merged trace"
"$TAILQ" analyze --json --thresholds p90,p99,p99.9 n12.trace > n12.json
/usr/bin/python3 - n12.html n12.json <<'EOF' && ok || bad "by-node section against analyze --json"
import html, json, math, re, sys
page = open(sys.argv[1]).read()
analysis = json.load(open(sys.argv[2]))
nodes = analysis["nodes"]
section = re.search(r'<section id="by-node">(.*?)</section>', page, re.S).group(1)
rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", section)]
rows = [r for r in rows if r]  # not the header
assert [n["rounds"] for n in nodes["nodes"]] == [30, 20], nodes
pct = lambda v: "-" if v is None else f"{100 * v:.2f}"
for n, node in enumerate(nodes["nodes"]):
    assert rows[n][:3] == [f"node {n}", html.escape(node["label"]), str(node["rounds"])], rows[n]
    assert rows[n][3:] == [pct(d["mean_per_node"][n]) for d in nodes["deadlines"]], rows[n]
assert "n1.trace" in rows[0][1] and "n2.trace" in rows[1][1], rows
assert rows[2][1:] == [pct(d["between_node_sd"]) for d in nodes["deadlines"]], rows[2]
assert rows[3][1:] == [pct(d["within_node_sd"]) for d in nodes["deadlines"]], rows[3]
for d, cell in zip(nodes["deadlines"], rows[4][1:]):
    t = d["f_test"]
    assert (t["df_between"], t["df_within"]) == (1, 48), t
    assert cell == f"{t['f']:.3g} (1, 48)", (cell, t)
for d, cell in zip(nodes["deadlines"], rows[5][1:]):
    p = d["f_test"]["p"]
    assert cell == ("&lt;0.0001" if p < 1e-4 else f"{p:.2g}"), cell
    verdict = "differ more than" if p < 0.05 else "differ no more than"
    assert f"At {d['label']} the nodes {verdict} the variation of rounds" in section, d
# The chart draws analyze's per-round Q@T at P99, grouped by node, and the node means.
charts = json.loads(re.search(r'id="tailq-charts">(.*?)</script>', page, re.S).group(1))
chart = next(c for c in charts if c["id"] == "nodes")
assert chart["host"] == "nodes-chart" and "p99" in chart["title"], chart["title"]
per_round = analysis["thresholds"][1]["per_round"]
values = chart["spec"]["datasets"]["values"]
assert [v["node"] for v in values] == ["node 0"] * 30 + ["node 1"] * 20
assert all(math.isclose(v["quality"], 100 * q, rel_tol=1e-12) for v, q in zip(values, per_round))
means = [m["mean"] for m in chart["spec"]["datasets"]["means"]]
assert len(means) == 2 and all(math.isclose(m, 100 * q, rel_tol=1e-12)
           for m, q in zip(means, nodes["deadlines"][1]["mean_per_node"])), means
EOF
node "$here/report_browser_test.mjs" n12.html "$work/nodes.png" 6 nodes > browser-n.log 2>&1 && ok \
  || bad "browser, merged trace: $(cat browser-n.log)"

# tailq compare: like with like only; the page renders.
"$TAILQ" generate -o g4.trace --rounds 40 --instances 3000 --batch-size 4 --seed 2 >/dev/null
"$TAILQ" generate -o other.trace --rounds 40 --instances 500 >/dev/null
json=$("$TAILQ" compare g.trace g4.trace --json)
/usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
assert [t['file'] for t in d['traces']] == ['g.trace', 'g4.trace'], d
assert [t['name'] for t in d['traces']] == ['batch 1', 'batch 4'], d
assert all(len(t['thresholds']) == 3 for t in d['traces']), d" <<<"$json" && ok || bad "compare json: $json"
"$TAILQ" compare g.trace other.trace --json >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q "only like can be compared" err.txt && ok || bad "compare refusal: $(cat err.txt)"
"$TAILQ" compare g.trace g4.trace -o cmp.html >/dev/null 2>&1 && ok || bad "compare page"
node "$here/report_browser_test.mjs" cmp.html "$work/cmp.png" 2 > browser-c.log 2>&1 && ok \
  || bad "browser, comparison: $(cat browser-c.log)"
expect_missing=$(TAILQ_WEB_MODULES="$work/none" "$TAILQ" report g.trace -o m.html 2>&1 >/dev/null)
[ $? -ne 0 ] || true
grep -q "charting library missing" <<< "$expect_missing" && [ ! -e m.html ] && ok \
  || bad "missing libraries: $expect_missing"

finish
