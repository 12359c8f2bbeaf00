#!/usr/bin/env bash
# Crash torture: `tailq run` is killed with SIGKILL at 50 random moments (starting, creating the
# trace, warming up, measuring, committing, closing) and resumed each time. After every kill the
# trace must pass `tailq check`, and every round seen committed must still be there later with
# the same checksum: nothing committed is lost, duplicated or changed. At the end the trace holds
# exactly the measured rounds asked for, each once.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: torture_test.sh path/to/tailq}")
source "$(dirname "$(realpath "$0")")/test_lib.sh"
kills=${TAILQ_TORTURE_KILLS:-50}
# (--fit-every: no KDE fits, so that a resume does not replay the convergence of every round.)
common=(--workload sleep --instances 8 --sleep-dist lognormal:50us:0.5 --sleep-seed 3 --tau 0 --quiet
        --fit-every 1000000)
trace=t.trace
# Committed rounds as "index checksum". (A read-write connection: a read-only one may not run
# the WAL recovery that a killed writer can leave to the next connection.)
committed() { sqlite3 "$trace" 'SELECT first, checksum FROM round_blocks ORDER BY first'; }
measured() { sqlite3 "$trace" 'SELECT coalesce(sum(measured), 0) FROM round_blocks'; }

start() {
  # Each run asks for many more rounds than it can record before the kill, even on a fast
  # machine; one in ten for only a few, so that it ends (and closes the trace) on its own
  # around the moment the kill comes.
  local more=$((RANDOM % 2000 + 500)) have=0
  [ $((RANDOM % 10)) -eq 0 ] && more=$((RANDOM % 10 + 1))
  if [ -f "$trace" ]; then
    have=$(measured)
    "$TAILQ" run --resume "$trace" "${common[@]}" --max-rounds $((have + more)) >>runs.log 2>&1 &
  else
    "$TAILQ" run "${common[@]}" --max-rounds "$more" -o "$trace" >>runs.log 2>&1 &
  fi
  pid=$!
}

checker=""
collect_check() {
  [ -n "$checker" ] || return 0
  wait "$checker"
  local rc=$?
  checker=""
  [ $rc -eq 0 ] && return 0
  bad "check after kill $checked_after: $(head -3 "check.$checked_after.txt")"
  return 1
}
: >seen.txt
: >now.txt
landed=0
start
for k in $(seq "$kills"); do
  if [ $((RANDOM % 5)) -eq 0 ]; then
    # Early: starting, creating or opening (and checking) the trace, warming up.
    sleep "0.$(printf '%03d' $((RANDOM % 800)))"
  else
    # While measuring: once it has committed a round of its own, at a random moment after.
    before=$(wc -l <now.txt)
    for _ in $(seq 250); do
      kill -0 "$pid" 2>/dev/null || break
      [ -f "$trace" ] && [ "$(sqlite3 -readonly "$trace" 'SELECT count(*) FROM round_blocks' 2>/dev/null || echo 0)" \
        -gt "$before" ] && break
      sleep 0.02
    done
    sleep "0.$(printf '%03d' $((RANDOM % 250)))"
  fi
  if kill -0 "$pid" 2>/dev/null; then landed=$((landed + 1)); fi
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -f "$trace" ]; then
    committed >now.txt
    # Every round seen before is still there, with the same checksum.
    missing=$(comm -23 <(sort -u seen.txt) <(sort now.txt) | head -3)
    [ -z "$missing" ] || { bad "after kill $k, committed rounds changed or vanished: $missing"; break; }
    cat now.txt >>seen.txt
  fi
  start
  # The trace as the kill left it (and as the resumed run extends it meanwhile: a reader may
  # read while it is written) passes every check: after every fifth kill (each tailq process
  # starts in ~0.3 s, mostly LibTorch's loading), in the background, collected next time. The
  # snapshot above checks every kill.
  collect_check || break
  if [ -f "$trace" ] && [ $((k % 5)) -eq 0 ]; then
    "$TAILQ" check "$trace" >"check.$k.txt" 2>&1 &
    checker=$!
    checked_after=$k
  fi
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
collect_check
echo "$kills kills, $landed while tailq run was running; $(sort -u seen.txt | wc -l) rounds seen committed"
[ "$landed" -ge $((kills * 3 / 4)) ] && ok || bad "only $landed of $kills kills hit a running process"
[ "$(sort -u seen.txt | wc -l)" -ge 100 ] && ok || bad "too few rounds committed between the kills"

# Finish: exactly the measured rounds asked for.
want=$(($(measured) + 10))
"$TAILQ" run --resume "$trace" "${common[@]}" --max-rounds "$want" >final.log 2>&1 && ok \
  || bad "final resume: $(cat final.log)"
"$TAILQ" check "$trace" >check.txt && ok || bad "final check: $(cat check.txt)"
[ "$(measured)" = "$want" ] && ok || bad "$(measured) measured rounds, asked for $want"
committed >final.txt
[ -z "$(comm -23 <(sort -u seen.txt) <(sort final.txt))" ] && ok || bad "committed rounds lost at the end"
[ "$(sqlite3 "$trace" "$overlaps")" = 0 ] && ok || bad "a round twice"
[ "$(sqlite3 "$trace" 'SELECT count(*) FROM round_blocks r JOIN inference_times i ON i.first = r.first
     JOIN total_times t ON t.first = r.first WHERE length(i.seconds) = 64 * r.count
     AND length(t.seconds) = 64 * r.count')" \
  = "$(sqlite3 "$trace" 'SELECT count(*) FROM round_blocks')" ] && ok || bad "a round without its times"
[ ! -e "$trace-wal" ] && ok || bad "a -wal file is left after the final run"
"$TAILQ" analyze "$trace" >/dev/null && ok || bad "analyze the tortured trace"
finish
