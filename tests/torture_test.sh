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
common=(--workload sleep --instances 8 --sleep-dist lognormal:50us:0.5 --sleep-seed 3 --tau 0 --quiet)
trace=t.trace
# Committed rounds as "index checksum", read without changing the file (no WAL checkpoint).
committed() { sqlite3 -readonly "$trace" 'SELECT idx, checksum FROM rounds ORDER BY idx'; }
measured() { sqlite3 -readonly "$trace" 'SELECT count(*) FROM rounds WHERE warmup = 0'; }

start() {
  # Each run asks for a few more rounds than the trace has, so some end (and close the trace)
  # on their own, around the moment the kill comes.
  local more=$((RANDOM % 80 + 1)) have=0
  if [ -f "$trace" ]; then
    have=$(measured)
    "$TAILQ" run --resume "$trace" "${common[@]}" --max-rounds $((have + more)) >>runs.log 2>&1 &
  else
    "$TAILQ" run "${common[@]}" --max-rounds "$more" -o "$trace" >>runs.log 2>&1 &
  fi
  pid=$!
}

: >seen.txt
landed=0
start
for k in $(seq "$kills"); do
  sleep "0.$(printf '%03d' $((RANDOM % 400)))"
  if kill -0 "$pid" 2>/dev/null; then landed=$((landed + 1)); fi
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -f "$trace" ]; then
    if ! "$TAILQ" check "$trace" >check.txt 2>&1; then
      bad "after kill $k: $(head -3 check.txt)"
      break
    fi
    committed >now.txt
    # Every round seen before is still there, with the same checksum.
    missing=$(comm -23 <(sort -u seen.txt) <(sort now.txt) | head -3)
    [ -z "$missing" ] || { bad "after kill $k, committed rounds changed or vanished: $missing"; break; }
    cat now.txt >>seen.txt
  fi
  start
done
wait "$pid" 2>/dev/null
echo "$kills kills, $landed while tailq run was running; $(sort -u seen.txt | wc -l) rounds seen committed"
[ "$landed" -ge $((kills * 3 / 4)) ] && ok || bad "only $landed of $kills kills hit a running process"

# Finish: exactly the measured rounds asked for.
want=$(($(measured) + 10))
"$TAILQ" run --resume "$trace" "${common[@]}" --max-rounds "$want" >final.log 2>&1 && ok \
  || bad "final resume: $(cat final.log)"
"$TAILQ" check "$trace" >check.txt && ok || bad "final check: $(cat check.txt)"
[ "$(measured)" = "$want" ] && ok || bad "$(measured) measured rounds, asked for $want"
committed >final.txt
[ -z "$(comm -23 <(sort -u seen.txt) <(sort final.txt))" ] && ok || bad "committed rounds lost at the end"
[ "$(sqlite3 "$trace" 'SELECT count(DISTINCT idx) = count(*) FROM rounds')" = 1 ] && ok || bad "a round twice"
[ "$(sqlite3 "$trace" 'SELECT count(*) FROM rounds r JOIN inference_times i ON i.round = r.idx
     JOIN total_times t ON t.round = r.idx WHERE length(i.seconds) = 64 AND length(t.seconds) = 64')" \
  = "$(sqlite3 "$trace" 'SELECT count(*) FROM rounds')" ] && ok || bad "a round without its times"
[ ! -e "$trace-wal" ] && ok || bad "a -wal file is left after the final run"
"$TAILQ" analyze "$trace" >/dev/null && ok || bad "analyze the tortured trace"
finish
