#!/usr/bin/env bash
# tailq merge (docs/multi-node.md): traces of one set-up become one trace whose rounds keep their
# node; analyze reports Q@T per node and the spread between and within nodes; different set-ups
# are refused naming the difference.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: merge_test.sh path/to/tailq}")
PY=/usr/bin/python3
source "$(dirname "$(realpath "$0")")/test_lib.sh"

# Two "machines": the same instances and answers, one of them slower (its times x 1.5).
$PY - <<'EOF'
import numpy as np
rng = np.random.default_rng(3)
base = rng.lognormal(-7, 0.3, 40)
for name, rounds, slow in (("a", 6, 1.0), ("b", 4, 1.5)):
    with open(f"{name}.csv", "w") as f:
        f.write("round,instance,inference,total\n")
        for r in range(rounds):
            for i, t in enumerate(base * slow * rng.lognormal(0, 0.05, 40)):
                f.write(f"{r},{i},{t * 0.9!r},{t!r}\n")
with open("outcomes.csv", "w") as f:
    f.write("instance,label,prediction\n")
    for i in range(40):
        f.write(f"{i},{i % 3},{i % 3 if i % 5 else (i + 1) % 3}\n")
with open("other.csv", "w") as f:
    f.write("instance,label,prediction\n")
    for i in range(40):
        f.write(f"{i},{i % 3},{i % 3}\n")
EOF
"$TAILQ" import --times a.csv --outcomes outcomes.csv --warmup-rounds 0 -o a.trace >/dev/null &&
  "$TAILQ" import --times b.csv --outcomes outcomes.csv -o b.trace >/dev/null && ok ||
  bad "import of the two node traces"

out=$("$TAILQ" merge a.trace b.trace -o ab.trace 2>&1)
[ $? -eq 0 ] && grep -q "2 nodes" <<<"$out" && ok || bad "merge: $out"
"$TAILQ" check ab.trace >/dev/null && ok || bad "check of the merged trace"

# Rounds: a's 6 (one warm-up) then b's 4, renumbered 0..9, times and flags kept.
$PY - "$(dirname "$(realpath "$0")")/../bench" <<'EOF' && ok || bad "merged rounds and times"
import json, sqlite3, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from trace_tables import measured_times
db = sqlite3.connect("ab.trace")
blocks = db.execute("SELECT first, count, info FROM round_blocks ORDER BY first").fetchall()
flags = np.concatenate([np.frombuffer(info[:count], np.uint8) for _, count, info in blocks])
assert blocks[0][0] == 0 and len(flags) == 10 and list(flags & 1) == [1] + [0] * 9, flags
merged = measured_times(db)
parts = [measured_times(sqlite3.connect(p)) for p in ("a.trace", "b.trace")]
assert np.array_equal(merged, np.concatenate(parts))
extra = json.loads(db.execute("SELECT value FROM experiment WHERE key='extra'").fetchone()[0])
assert extra["nodes"]["runs"] == [[0, 5, 0], [6, 9, 1]], extra
assert [n["source"] for n in extra["nodes"]["nodes"]] == ["a.trace", "b.trace"]
EOF

# Per node: the mean Q@T of each node's measured rounds, checked against numpy.
json=$("$TAILQ" analyze --json --thresholds 1.2ms ab.trace)
$PY - "$json" <<'EOF' && ok || bad "analyze by node: $json"
import json, sys
import numpy as np
d = json.loads(sys.argv[1])
n = d["nodes"]
assert [x["rounds"] for x in n["nodes"]] == [5, 4], n
per_round = np.array(d["thresholds"][0]["per_round"])
a, b = per_round[:5], per_round[5:]
dl = n["deadlines"][0]
assert abs(dl["mean_per_node"][0] - a.mean()) < 1e-12 and abs(dl["mean_per_node"][1] - b.mean()) < 1e-12
assert abs(dl["between_node_sd"] - np.std([a.mean(), b.mean()], ddof=1)) < 1e-12
within = np.sqrt((((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()) / (9 - 2))
assert abs(dl["within_node_sd"] - within) < 1e-12
assert dl["mean_per_node"][1] < dl["mean_per_node"][0]  # the slow machine misses more deadlines
EOF
"$TAILQ" analyze --thresholds 1.2ms ab.trace | grep -q "^node 1: .*b.trace, 4 rounds" && ok ||
  bad "analyze table lacks the node lines"

# A merged trace merges again (its nodes kept), and a single-node trace has no breakdown.
"$TAILQ" merge ab.trace a.trace -o aba.trace >/dev/null && ok || bad "merge of a merged trace"
"$TAILQ" analyze --json aba.trace | $PY -c 'import json,sys; d=json.load(sys.stdin)
assert [x["rounds"] for x in d["nodes"]["nodes"]] == [5, 4, 5]' && ok || bad "nodes of aba"
"$TAILQ" analyze --json a.trace | $PY -c 'import json,sys; assert "nodes" not in json.load(sys.stdin)' &&
  ok || bad "single-node trace has nodes"

# Refusals: one line, exit 2, no file.
"$TAILQ" import --times b.csv --outcomes other.csv -o other.trace >/dev/null
expect_error "other answers" "recorded answer of instance '0'" "$TAILQ" merge a.trace other.trace -o out.trace
"$TAILQ" import --times b.csv --outcomes outcomes.csv --model m2 -o m2.trace >/dev/null
expect_error "other model" "the model differs" "$TAILQ" merge a.trace m2.trace -o out.trace
expect_error "same trace twice" "given twice" "$TAILQ" merge a.trace ./a.trace -o out.trace
expect_error "one trace" "at least two" "$TAILQ" merge a.trace -o out.trace
expect_error "missing input" "missing.trace" "$TAILQ" merge a.trace missing.trace -o out.trace
expect_error "existing output" "--force" "$TAILQ" merge a.trace b.trace -o ab.trace
finish
