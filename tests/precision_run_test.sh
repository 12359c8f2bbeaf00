#!/usr/bin/env bash
# tailq run --stop precision end to end with the sleep workload: it stops at the first look that
# meets the goal, `tailq converge --stop precision` replays the same stop, a resumed run keeps
# the rule, and every option that does not apply, or is malformed, is refused in one line.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: precision_run_test.sh path/to/tailq}")
source "$(dirname "$(realpath "$0")")/test_lib.sh"

# Every instance right: Q@T at 20 ms is 100% in every round, so only the distribution-free
# bound of the bad round needs rounds (about 100 independent ones at 98.6% per interval).
common=(--workload sleep --instances 40 --sleep-dist lognormal:150us:0.2 --sleep-seed 3
        --round-effect ar1:0.05:0.5 --thresholds 20ms,p99 --epsilon 5 --quiet)
"$TAILQ" run "${common[@]}" -o p.trace >run.log 2>&1 && ok || bad "precision run: $(cat run.log)"
grep -q "^precise after" run.log && ok || bad "the run says it met the goal: $(head -3 run.log)"
rounds=$(sqlite3 p.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')
grep -q "^precise after $rounds measured rounds" run.log && ok || bad "the count it reports"
grep -q "Under the 20ms deadline (20 ms), a typical round scores" run.log && ok \
  || bad "the plain answer: $(grep Under run.log)"
grep -q "These intervals hold together with 95.00% confidence" run.log && ok || bad "confidence"
/usr/bin/python3 - "$TAILQ" p.trace "$rounds" <<'PY' && ok || bad "replay of the stop"
import json, subprocess, sys
tailq, trace, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = json.loads(subprocess.run([tailq, "converge", trace, "--stop", "precision", "--epsilon", "5",
                                 "--thresholds", "20ms,p99", "--json"], check=True,
                                capture_output=True, text=True).stdout)
assert out["stopped_at_round"] == rounds, (out["stopped_at_round"], rounds)
assert [d["label"] for d in out["deadlines"]] == ["20ms", "p99"]
fixed, p99 = out["deadlines"]
# (a stall of the machine can make an instance late even at 20 ms: nearly all are on time)
assert fixed["mean"]["low"] <= fixed["mean"]["value"] <= fixed["mean"]["high"], fixed
assert fixed["mean"]["value"] > 0.99 and fixed["seconds_interval"]["low"] == 0.02, fixed
assert p99["p5"]["high"] - p99["p5"]["value"] <= 0.05 + 1e-12, p99
assert p99["seconds_interval"]["low"] < p99["seconds"] < p99["seconds_interval"]["high"], p99
assert out["looks"][-1]["round"] == rounds and out["interval_confidence"] > 0.95
PY

# Stopped early by --max-rounds, resumed: the rule goes on and stops where it is met.
"$TAILQ" run "${common[@]}" --max-rounds 30 -o r.trace >r1.log 2>&1 && ok || bad "short run"
grep -q "^reached --max-rounds after 30 measured rounds" r1.log && ok || bad "short run: $(head -1 r1.log)"
"$TAILQ" run --resume r.trace --thresholds 20ms,p99 --epsilon 5 --quiet >r2.log 2>&1 && ok \
  || bad "resume: $(cat r2.log)"
grep -q "^precise after" r2.log && ok || bad "the resumed run met the goal: $(head -1 r2.log)"
total=$(sqlite3 r.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')
replayed=$("$TAILQ" converge r.trace --epsilon 5 --thresholds 20ms,p99 --json | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["stopped_at_round"])')
[ "$replayed" = "$total" ] && ok || bad "resumed stop at $total, replay says $replayed"

# The rJSD rule is still there, picked by --stop rjsd or by its own options alone.
"$TAILQ" run --workload sleep --instances 20 --sleep-dist const:100us --tau 0 --max-rounds 5 \
  --quiet -o t.trace >t.log 2>&1 && grep -q "^reached --max-rounds after 5" t.log && ok \
  || bad "--tau alone runs the rJSD rule: $(cat t.log)"

expect_error "tau with precision" "--tau applies to --stop rjsd" \
  "$TAILQ" run --workload sleep --stop precision --tau 0.1 -o out.trace
expect_error "epsilon with rjsd" "--epsilon applies to --stop precision" \
  "$TAILQ" run --workload sleep --stop rjsd --epsilon 1 -o out.trace
expect_error "both rules' options" "applies to --stop" \
  "$TAILQ" run --workload sleep --tau 0.1 --epsilon 1 -o out.trace
expect_error "unknown rule" "expected 'precision' or 'rjsd'" \
  "$TAILQ" run --workload sleep --stop soon -o out.trace
expect_error "confidence without %" "did you mean 95%?" \
  "$TAILQ" run --workload sleep --confidence 95 -o out.trace
expect_error "bad epsilon" "--epsilon" "$TAILQ" run --workload sleep --epsilon -1 -o out.trace
expect_error "bad bad round" "--bad-round" "$TAILQ" run --workload sleep --bad-round 0 -o out.trace
expect_error "bad deadline" "--thresholds" "$TAILQ" run --workload sleep --thresholds soon -o out.trace
expect_error "bad round effect" "ar1:SD:PHI" \
  "$TAILQ" run --workload sleep --round-effect ar1:0.1:1 -o out.trace
expect_error "round effect elsewhere" "--round-effect applies to the sleep workload" \
  "$TAILQ" run --workload digits --round-effect ar1:0.1:0.5 -o out.trace
expect_error "round effect under load" "single-stream" \
  "$TAILQ" run --workload sleep --round-effect ar1:0.1:0.5 --scenario offline -o out.trace
expect_error "converge options of the other rule" "--tau applies to --stop rjsd" \
  "$TAILQ" converge p.trace --stop precision --tau 0.1
finish
