#!/usr/bin/env bash
# mpirun -np K tailq run (docs/multi-node.md): two ranks measure one experiment into one trace
# that rank 0 writes, every round tagged with its node and wall-clock interval; a job killed
# mid-run loses no committed round, and --resume continues it with another number of ranks,
# duplicating none; a rank's error ends the job in one line; refusals are one line. Sharded
# analyze, predict and converge print the one process's JSON. One machine stands in for two
# (--oversubscribe).
set -uo pipefail
TAILQ=$(realpath "${1:?usage: mpi_run_test.sh path/to/tailq path/to/mpirun}")
MPIRUN=${2:?usage: mpi_run_test.sh path/to/tailq path/to/mpirun}
PY=/usr/bin/python3
here=$(dirname "$(realpath "$0")")
source "$here/test_lib.sh"
# mpirun refuses root unless told; CI containers run as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi() { "$MPIRUN" --oversubscribe -q "$@"; }
# Rounds of 20 instances of 1 ms: about 25 ms each.
run=(run --workload sleep --sleep-dist const:1ms --warmup-rounds 1 --quiet)
twenty=(--instances 20)
# The rounds of a trace with their node and end time (tests/trace_rounds.py).
rounds() { $PY "$here/trace_rounds.py" "$@"; }

# 1. Two ranks, 9 measured rounds in all (not a multiple of 2: the last step stores one).
out=$(mpi -np 2 "$TAILQ" "${run[@]}" "${twenty[@]}" --max-rounds 9 -o two.trace 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "reached --max-rounds after 9 measured rounds" <<<"$out" &&
  grep -q "^2 ranks; rank 0 spent" <<<"$out" && ok || bad "2-rank run: rc $rc: $out"
rounds two.trace --expect '
assert nodes["tagged"] is True, nodes
assert [n["source"] for n in nodes["nodes"]] == ["rank 0", "rank 1"], nodes
assert [r["index"] for r in rs] == list(range(11)), rs
measured = [r for r in rs if not r["warmup"]]
assert len(measured) == 9 and sum(r["warmup"] for r in rs) == 2
assert all(r["node"] in (0, 1) and r["end"] >= r["start"] + 0.02 for r in rs), rs
assert [sum(r["node"] == n for r in measured) for n in (0, 1)] == [5, 4]
# The ranks measured at the same time: a step stores both ranks rounds, which overlap in time.
assert rs[0]["node"] == 0 and rs[1]["node"] == 1 and rs[1]["start"] < rs[0]["end"], rs[:2]
assert len({r["hash"] for r in measured}) == 1  # the same answers on both ranks
' && ok || bad "2-rank trace: rounds, nodes and intervals"
# A step's rounds are committed together, as one block.
blocks=$(sqlite3 two.trace "SELECT group_concat(count) FROM (SELECT count FROM round_blocks ORDER BY first)")
[ "$blocks" = "2,2,2,2,2,1" ] && ok || bad "one block per step: $blocks"
"$TAILQ" check two.trace >/dev/null && ok || bad "tailq check of the 2-rank trace"
table=$("$TAILQ" analyze --thresholds 30ms two.trace)
grep -q "^by node" <<<"$table" && grep -q "^node 0: .*(rank 0), 5 rounds" <<<"$table" &&
  grep -q "^node 1: .*(rank 1), 4 rounds" <<<"$table" && ok || bad "analyze by node: $table"

# 2. SIGKILL of rank 1 mid-run: the job dies; what rank 0 committed stays, and a resume with one
# rank, then with two, continues it without losing or repeating a round.
measured_count() {
  sqlite3 "file:$1?mode=ro" "SELECT coalesce(sum(measured), 0) FROM round_blocks" 2>/dev/null ||
    echo 0
}
# (rJSD with tau 0 never stops it: only the kill does.)
"$MPIRUN" --oversubscribe -q -np 2 "$TAILQ" "${run[@]}" "${twenty[@]}" --stop rjsd --tau 0 \
  --max-rounds 1000 -o k.trace >/dev/null 2>&1 &
job=$!
for _ in $(seq 400); do
  [ "$(measured_count k.trace)" -ge 6 ] && break
  sleep 0.05
done
killed=0
# This job's ranks: the children of its mpirun.
for p in $(pgrep -P $job); do
  if tr '\0' '\n' </proc/$p/environ 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1"; then
    kill -9 "$p" && killed=1
  fi
done
wait $job
rc=$?
[ $killed -eq 1 ] && [ $rc -ne 0 ] && ok || bad "killing rank 1: killed $killed, mpirun rc $rc"
rounds k.trace --committed >before.txt || bad "reading the killed job's trace"
before=$(measured_count k.trace)
[ "$before" -ge 6 ] && [ "$before" -lt 1000 ] && ok || bad "rounds committed before the kill: $before"
"$TAILQ" check k.trace >/dev/null && ok || bad "check of the killed job's trace"
# One rank (a plain tailq run would do as well): 4 more measured rounds.
target=$((before + 4))
out=$(mpi -np 1 "$TAILQ" run --resume k.trace --max-rounds $target --quiet 2>&1)
[ $? -eq 0 ] && grep -q "after $target measured rounds" <<<"$out" && ok ||
  bad "resume on 1 rank: $out"
rounds k.trace --committed >after1.txt
head -n "$(wc -l <before.txt)" after1.txt | cmp -s - before.txt && ok ||
  bad "the committed rounds changed on resume"
# Then two ranks again: 5 more.
target2=$((target + 5))
out=$(mpi -np 2 "$TAILQ" run --resume k.trace --max-rounds $target2 --quiet 2>&1)
[ $? -eq 0 ] && grep -q "after $target2 measured rounds" <<<"$out" && ok ||
  bad "resume on 2 ranks: $out"
rounds k.trace --committed >after2.txt
head -n "$(wc -l <after1.txt)" after2.txt | cmp -s - after1.txt && ok ||
  bad "the rounds of the first resume changed"
[ "$(sqlite3 k.trace "$overlaps")" = 0 ] && ok || bad "rounds stored twice"
"$TAILQ" check k.trace >/dev/null && ok || bad "check of the resumed trace"
rounds k.trace --expect "
assert [r['index'] for r in rs] == list(range(len(rs)))
assert sum(not r['warmup'] for r in rs) == $target2
assert len(nodes['nodes']) == 2 and all(r['node'] in (0, 1) for r in rs), nodes
# The one-rank resume after the kill: a warm-up round, then 4 measured ones, all rank 0's.
one = rs[sum(int(line.split()[1]) for line in open('before.txt')):][:5]
assert [r['node'] for r in one] == [0] * 5 and [r['warmup'] for r in one] == [True] + [False] * 4
assert all(r['end'] >= r['start'] for r in rs)
" && ok || bad "resumed trace: rounds and nodes"

# 3. A rank's error mid-measurement (rank 0's disk full: its trace may not grow past a file-size
# limit, which only the writer of a file meets): the job exits non-zero with one line from
# tailq, the others end with it, and every round committed before stays readable. mpirun
# starts rank 0 through a shell that lowers its own limit (SIGXFSZ ignored: a write past the
# limit then fails with EFBIG).
rm -f full.trace
full=(run --workload sleep --sleep-dist const:1us --warmup-rounds 1 --quiet --instances 2000
  --stop rjsd --tau 0 --max-rounds 100000 -o full.trace)
"$MPIRUN" --oversubscribe -q -np 1 bash -c "trap '' XFSZ; ulimit -f 2048; exec \"\$0\" \"\$@\"" \
  "$TAILQ" "${full[@]}" : -np 1 "$TAILQ" "${full[@]}" >/dev/null 2>full.txt
rc=$?
[ $rc -ne 0 ] && [ "$(grep -c '^tailq' full.txt)" -eq 1 ] &&
  grep -q "^tailq: error: full.trace: .*were not stored.*--resume full.trace" full.txt &&
  ok || bad "rank 0's disk full: rc $rc: $(cat full.txt)"
kept=$(measured_count full.trace)
[ "$kept" -ge 2 ] && "$TAILQ" check full.trace >/dev/null && ok ||
  bad "rounds committed before the disk filled: $kept, check: $("$TAILQ" check full.trace 2>&1)"

# 4. Sharded analyze, predict and converge: 2 ranks give the one process's JSON byte for byte.
"$TAILQ" generate -o gen.trace --rounds 41 --instances 300 --batch-size 4 --round-drift 0.1 \
  --seed 3 >/dev/null || bad "generate"
same_json() {
  local name=$1
  shift
  "$TAILQ" "$@" --json >one.json 2>one.err || { bad "$name, one process: $(cat one.err)"; return; }
  mpi -np 2 "$TAILQ" "$@" --json >two.json 2>two.err || { bad "$name, 2 ranks: $(cat two.err)"; return; }
  cmp -s one.json two.json && [ -s one.json ] && ok || bad "$name: 2 ranks differ: $(diff one.json two.json | head -5)"
}
same_json "predict" predict gen.trace --simulations 301 --thresholds p90,p99,4ms
same_json "predict, one model, 1 thread" predict gen.trace --simulations 7 --model round-effect \
  --holdout 5 --threads 1
same_json "predict, fewer simulations than ranks" predict gen.trace --simulations 1 --model independent
same_json "converge" converge gen.trace --fit-every 2 --window 3 --tau 0.05 --instances 10
same_json "converge, paper schedule" converge gen.trace --fit-every 3 --window 2 --schedule paper
same_json "converge, precision rule" converge gen.trace --stop precision --epsilon 5
# The table too, printed once, by rank 0.
"$TAILQ" predict gen.trace --simulations 50 >one.txt
mpi -np 2 "$TAILQ" predict gen.trace --simulations 50 >two.txt && cmp -s one.txt two.txt && ok ||
  bad "predict table on 2 ranks: $(diff one.txt two.txt | head -5)"
# Sharded analyze: each rank reads and scores its share of the rounds.
same_json "analyze" analyze gen.trace
same_json "analyze, sweep and absolute deadlines, a range" analyze gen.trace --rounds 3:30 \
  --thresholds p50,p99,3ms --sweep 40 --guarantee 90%:95%
same_json "analyze, sweep between the fences" analyze gen.trace --sweep 25 --sweep-trim-outliers \
  --time inference --metric f1-macro
same_json "analyze, a trace of two nodes" analyze two.trace --thresholds 30ms,p90
"$TAILQ" analyze gen.trace --answer >one.txt
mpi -np 3 "$TAILQ" analyze gen.trace --answer >two.txt && cmp -s one.txt two.txt && [ -s one.txt ] &&
  ok || bad "analyze --answer on 3 ranks: $(diff one.txt two.txt | head -5)"
"$TAILQ" analyze gen.trace --csv >one.txt
mpi -np 2 "$TAILQ" analyze gen.trace --csv >two.txt && cmp -s one.txt two.txt && [ -s one.txt ] &&
  ok || bad "analyze --csv on 2 ranks: $(diff one.txt two.txt | head -5)"
mpi -np 1 "$TAILQ" analyze gen.trace : -np 1 "$TAILQ" analyze missing.trace >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '^tailq' err.txt)" -eq 1 ] &&
  grep -q "^tailq: error: rank 1 (.*): .*missing.trace" err.txt && ok ||
  bad "analyze, rank 1 without its trace: rc $rc: $(cat err.txt)"
mpi -np 2 "$TAILQ" analyze gen.trace --rounds 9:4 >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '^tailq' err.txt)" -eq 1 ] && grep -q -- "--rounds: empty range" err.txt &&
  ok || bad "analyze, a bad option on every rank: rc $rc: $(cat err.txt)"
# A rank's error is one line from rank 0 naming the rank, status 2 (rank 0's, so mpirun's).
mpi -np 1 "$TAILQ" predict gen.trace : -np 1 "$TAILQ" predict missing.trace >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '^tailq' err.txt)" -eq 1 ] &&
  grep -q "^tailq: error: rank 1 (.*): .*missing.trace" err.txt && ok ||
  bad "predict, rank 1 without its trace: rc $rc: $(cat err.txt)"
mpi -np 2 "$TAILQ" predict gen.trace --holdout 40 >/dev/null 2>err.txt
rc=$?
[ $rc -eq 2 ] && [ "$(grep -c '^tailq' err.txt)" -eq 1 ] && grep -q -- "--holdout: 40 held out" err.txt &&
  ok || bad "predict, a bad option on every rank: rc $rc: $(cat err.txt)"

# 5. Refusals: one line from rank 0 (mpirun adds its own), status 2, no trace.
refused() {
  local name=$1 want=$2
  shift 2
  rm -f r.trace
  mpi "$@" >/dev/null 2>err.txt
  local rc=$?
  if [ $rc -ne 2 ] || [ "$(grep -c '^tailq' err.txt)" -ne 1 ] || ! grep -qF -- "$want" err.txt; then
    bad "$name: rc $rc: $(cat err.txt)"
  elif [ -e r.trace ]; then
    bad "$name: left a trace"
  else
    ok
  fi
}
one=(-np 1 "$TAILQ" "${run[@]}" --instances 5)
refused "settings differ" "--max-rounds: rank 1 (" \
  "${one[@]}" --max-rounds 5 -o r.trace : "${one[@]}" --max-rounds 6 -o r.trace
refused "no -o on rank 1" "--output: rank 1 (" "${one[@]}" -o r.trace : "${one[@]}"
refused "another trace on rank 1" "names the trace 'x.trace', rank 0 'r.trace'" \
  "${one[@]}" -o r.trace : "${one[@]}" -o x.trace
refused "a workload that differs" "--instances: rank 1 (" \
  "${one[@]}" -o r.trace : -np 1 "$TAILQ" "${run[@]}" --instances 6 -o r.trace
refused "an existing trace" "two.trace: file exists" -np 2 "$TAILQ" "${run[@]}" -o two.trace
refused "a bad value on every rank" "--instances: " \
  -np 2 "$TAILQ" "${run[@]}" --instances 0 -o r.trace

finish
