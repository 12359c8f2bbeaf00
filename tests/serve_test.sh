#!/usr/bin/env bash
# tailq serve and tailq run --server (docs/serving.md), on loopback with ports chosen free here:
# misbehaving servers (HTTP 500, wrong shapes, bad JSON, dropped connections, replies past the
# timeout) and, with the torch plug-in, the protocol's endpoints and messages, the digits
# answers through a server equal to those in process, over HTTP and over gRPC, the load
# scenarios against it, a server killed mid-run and restarted, and --resume afterwards.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: serve_test.sh path/to/tailq [torch]}")
TORCH=${2:-}  # "torch": the torch plug-in is built, so tailq serve can serve the digits CNN
HERE=$(dirname "$(realpath "$0")")
FAKE=$HERE/fake_v2_server.py
source "$HERE/test_lib.sh"
q() { sqlite3 -readonly "$1" "$2"; }
PY=/usr/bin/python3
pids=()
digits=() local_model=()  # the digits CNN: tailq's default, or one trained here (below)
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT

# start_serve LOG [ARGS...]: tailq serve on a free port (or --port given in ARGS); sets $port
# and $server once it listens.
start_serve() {
  local log=$1; shift
  "$TAILQ" serve "${digits[@]}" "$@" >"$log" 2>&1 &
  server=$!
  pids+=("$server")
  for _ in $(seq 600); do
    grep -q "serving on" "$log" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  port=$(sed -n 's|.*serving on [a-z]*://127.0.0.1:\([0-9]*\).*|\1|p' "$log")
}
# start_fake MODE [EVERY]: a misbehaving server; sets $fake_port and $fake.
start_fake() {
  rm -f fake.port
  "$PY" "$FAKE" fake.port "$@" 2>>fake.log &
  fake=$!
  pids+=("$fake")
  for _ in $(seq 100); do [ -s fake.port ] && break; sleep 0.1; done
  fake_port=$(cat fake.port)
}
short=(--warmup-rounds 1 --stop rjsd --tau 0 --quiet)

# --- Misbehaving servers: every other request fails; the run counts the failures, records
# each as late as the timeout, and ends normally. 40 inputs of the digits' shape, 2 rounds.
"$PY" -c "import numpy as np
np.save('x.npy', np.zeros((40, 1, 8, 8), np.float32)); np.save('y.npy', np.arange(40) % 10)"
# (The slow server answers after 2 s, far past the 300 ms timeout.)
for mode in http500 wrongshape badjson drop slow; do
  start_fake $mode
  "$TAILQ" run --server "http://127.0.0.1:$fake_port" --model-name digits --timeout 300ms \
    --inputs x.npy --labels y.npy --max-rounds 2 "${short[@]}" -o $mode.trace >log 2>&1 && ok \
    || bad "$mode: run failed: $(cat log)"
  # Every other request failed: 20 in the warm-up round, 40 in the 2 measured rounds.
  grep -q "^60 answers failed" log && ok || bad "$mode: not 60 failures: $(cat log)"
  "$TAILQ" analyze $mode.trace >alog 2>&1
  late=$(sed -n 's/^through a server: \([0-9]*\) of 80 answers.*/\1/p' alog)
  # Each failure is recorded as late as the timeout (a good answer as slow would count too).
  [ -n "$late" ] && [ "$late" -ge 40 ] && ok || bad "$mode: '$late' late answers: $(cat alog)"
  kill "$fake"; wait "$fake" 2>/dev/null
done

# A server that reports no inference time: the round trip is recorded, and the trace says so.
q http500.trace "SELECT value FROM experiment WHERE key = 'backend'" \
  | grep -q "to fake; inference time: absent, the round trip recorded instead" && ok \
  || bad "no inference time: $(q http500.trace "SELECT value FROM experiment WHERE key = 'backend'")"

# The first measured round's failed instances get the answer of a later round: with every
# third request failing, each instance fails in one of three rounds and is answered in the others.
start_fake http500 3
"$TAILQ" run --server "http://127.0.0.1:$fake_port" --model-name digits --inputs x.npy \
  --labels y.npy --max-rounds 3 "${short[@]}" -o third.trace >log 2>&1 && ok \
  || bad "every third failing: $(cat log)"
[ "$(q third.trace "SELECT count(*) FROM outputs WHERE prediction = ''")" = 0 ] && ok \
  || bad "failed instances not filled in: $(q third.trace "SELECT count(*) FROM outputs WHERE prediction = ''")"
# Requests 3 to 42 (warm-up) and 43 to 162 (measured): 13 + 40 of them failed.
grep -q "^53 answers failed" log && ok || bad "every third failing: not 53 failures: $(cat log)"
kill "$fake"; wait "$fake" 2>/dev/null

# The rest serves the digits CNN, which runs on LibTorch.
if [ "$TORCH" != torch ]; then
  finish
  exit
fi

# A checkout without the trained model (it is not committed): train it here, seeded as
# `scripts/demo.sh` does, and serve it as a model file of the digits' shape and name.
MODEL=$HERE/../workloads/digits/model/digits_cnn.pt
if [ ! -f "$MODEL" ]; then
  mkdir -p model
  /usr/bin/python3 "$HERE/../workloads/digits/train.py" --out model/digits_cnn.pt >train.log 2>&1 \
    || { bad "train the digits CNN: $(cat train.log)"; finish; exit; }
  MODEL=$PWD/model/digits_cnn.pt
  digits=(--model "$MODEL" --input-shape 1,8,8 --model-name digits)
  local_model=(--model "$MODEL")
fi

# --- The endpoints of the protocol.
start_serve serve.log --port 0
[ -n "$port" ] && ok || { bad "tailq serve did not start: $(cat serve.log)"; finish; exit; }
url=http://127.0.0.1:$port
"$PY" - "$url" <<'PY' && ok || bad "endpoints"
import json, sys, urllib.request, urllib.error
url = sys.argv[1]
def get(path):
    with urllib.request.urlopen(url + path) as r:
        return r.status, json.load(r)
def post(path, body):
    req = urllib.request.Request(url + path, json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
assert get("/v2/health/live") == (200, {"live": True})
assert get("/v2/health/ready") == (200, {"ready": True})
status, meta = get("/v2/models/digits")
assert status == 200 and meta["name"] == "digits" and meta["versions"] == ["1"], meta
assert meta["inputs"] == [{"name": "input", "datatype": "FP32", "shape": [-1, 1, 8, 8]}], meta
assert meta["outputs"] == [{"name": "output", "datatype": "FP32", "shape": [-1, 10]}], meta
assert get("/v2/models/digits/versions/1")[1] == meta
assert get("/v2/models/digits/ready") == (200, {"name": "digits", "ready": True})
image = [[[0.0] * 8 for _ in range(8)]]
status, out = post("/v2/models/digits/infer", {"id": "a", "inputs": [
    {"name": "input", "datatype": "FP32", "shape": [2, 1, 8, 8], "data": [image, image]}]})
assert status == 200, out
assert out["model_name"] == "digits" and out["id"] == "a", out
o = out["outputs"][0]
assert o["name"] == "output" and o["datatype"] == "FP32" and o["shape"] == [2, 10], o
assert len(o["data"]) == 20 and o["data"][:10] == o["data"][10:], o
assert out["parameters"]["tailq_inference_ns"] > 0, out
status, err = post("/v2/models/digits/infer", {"inputs": [
    {"name": "input", "datatype": "FP32", "shape": [1, 3], "data": [1, 2, 3]}]})
assert status == 400 and "does not fit" in err["error"], (status, err)
status, err = post("/v2/models/digits/infer", {"inputs": "x"})
assert status == 400 and "error" in err, (status, err)
status, err = post("/v2/models/other/infer", {"inputs": []})
assert status == 404 and "unknown model" in err["error"], (status, err)
status, stats = get("/v2/models/digits/stats")
s = stats["model_stats"][0]
assert s["name"] == "digits" and s["inference_count"] == 2, s  # 2 rows
assert s["inference_stats"]["success"]["count"] == 1, s
assert s["inference_stats"]["fail"]["count"] == 2, s
assert s["inference_stats"]["compute_infer"]["ns"] > 0, s
PY

# --- Digits through the server: the in-process answers (355 of 360 right), and times.
"$TAILQ" run "${local_model[@]}" --max-rounds 3 "${short[@]}" -o local.trace >log 2>&1 && ok \
  || bad "in-process digits: $(cat log)"
"$TAILQ" run --server "$url" --model-name digits --max-rounds 3 "${short[@]}" -o remote.trace \
  >log 2>&1 && ok || bad "digits through the server: $(cat log)"
for t in local remote; do
  "$TAILQ" analyze $t.trace --json | "$PY" -c "import json,sys
d = json.load(sys.stdin)
assert d['rounds'] == 3 and d['instances'] == 360, d
assert round(d['nominal_quality'] * 360) == 355, d['nominal_quality']" && ok || bad "$t: not 355/360"
done
[ "$(q local.trace 'SELECT group_concat(prediction) FROM outputs')" = \
  "$(q remote.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok \
  || bad "the answers through the server differ from those in process"
q remote.trace "SELECT value FROM experiment WHERE key = 'backend'" \
  | grep -q "inference time: the server's$" && ok || bad "the server's inference time not used"
"$TAILQ" analyze remote.trace >log 2>&1 && grep -q "through a server: 0 of 1080 answers" log && ok \
  || bad "analyze's count of failures: $(cat log)"
"$TAILQ" compare local.trace remote.trace >/dev/null 2>log && ok || bad "compare: $(cat log)"
# The options are recorded: a resume reconnects to the same server.
"$TAILQ" run --resume remote.trace --max-rounds 4 --quiet >log 2>&1 && ok || bad "resume: $(cat log)"
[ "$(q remote.trace 'SELECT coalesce(sum(measured), 0) FROM round_blocks')" = 4 ] && ok \
  || bad "resumed remote run: $(q remote.trace 'SELECT sum(measured) FROM round_blocks') rounds"

# --- The load scenarios: several requests in flight (one connection per worker).
for scenario in "server --qps 300" "offline" "multi-stream --queries-per-interval 4 --interval 5ms"; do
  # shellcheck disable=SC2086
  "$TAILQ" run --server "$url" --model-name digits --scenario $scenario --workers 3 \
    --max-rounds 2 "${short[@]}" -o load.trace >log 2>&1 && ok || bad "$scenario: $(cat log)"
  "$TAILQ" analyze load.trace >/dev/null 2>&1 && ok || bad "analyze $scenario"
  rm -f load.trace
done

# --- Set-up errors: one line, exit 2, no trace.
expect_error "unknown model" "HTTP 404 for its metadata: unknown model 'nine'" \
  "$TAILQ" run --server "$url" --model-name nine --max-rounds 1 -o out.trace
expect_error "no name" "--model-name: the model's name on the server is needed" \
  "$TAILQ" run --server "$url" --max-rounds 1 -o out.trace
expect_error "not http" "--server: 'ftp://x' is not an http://HOST:PORT (REST) or grpc://HOST:PORT (gRPC) address" \
  "$TAILQ" run --server ftp://x --model-name digits -o out.trace
expect_error "name without server" "--model-name: names a model on a server" \
  "$TAILQ" run --model-name digits -o out.trace
expect_error "serve a model without its shape" "--input-shape: the shape of one input is needed" \
  "$TAILQ" serve --model "$MODEL"
kill "$server"; wait "$server" 2>/dev/null
expect_error "nobody listening" "cannot reach the server" \
  "$TAILQ" run --server "$url" --model-name digits -o out.trace

# --- A server killed mid-run and restarted on the same port: the run goes on, its failures
# counted, no committed round lost; then it resumes. Over HTTP, then over gRPC.
killed_mid_run() {
  local protocol=$1 t=killed-$1.trace
  start_serve serve2.log --protocol "$protocol" --port 0
  local url=$protocol://127.0.0.1:$port
  "$TAILQ" run --server "$url" --model-name digits --timeout 200ms --max-rounds 100000 \
    --max-duration 12s --warmup-rounds 0 --stop rjsd --tau 0 --quiet -o $t >run.log 2>&1 &
  run=$!
  pids+=("$run")
  for _ in $(seq 300); do
    [ "$(q $t 'SELECT coalesce(sum(count), 0) FROM round_blocks' 2>/dev/null)" -ge 3 ] \
      2>/dev/null && break
    sleep 0.1
  done
  kill -9 "$server"; wait "$server" 2>/dev/null
  sleep 1
  start_serve serve3.log --protocol "$protocol" --port "$port"
  [ -n "$port" ] && ok || bad "$protocol: restart on the same port: $(cat serve3.log)"
  wait "$run" && ok || bad "$protocol: the run did not end well: $(cat run.log)"
  grep -q "answers failed" run.log && ok || bad "$protocol: no failures reported: $(cat run.log)"
  rounds=$(q $t 'SELECT coalesce(sum(measured), 0) FROM round_blocks')
  "$TAILQ" analyze $t >alog 2>&1 && ok || bad "$protocol: analyze: $(cat alog)"
  late=$(sed -n 's/^through a server: \([0-9]*\) of \([0-9]*\) answers.*/\1 \2/p' alog)
  read -r nlate nall <<<"$late"
  [ "${nall:-0}" = $((rounds * 360)) ] && [ "${nlate:-0}" -gt 0 ] && [ "$nlate" -lt "$nall" ] && ok \
    || bad "$protocol: failures: '$late' of $rounds rounds: $(cat alog)"
  [ "$(q $t "$overlaps")" = 0 ] && ok || bad "$protocol: duplicate rounds"
  "$TAILQ" check $t >/dev/null 2>&1 && ok || bad "$protocol: the trace does not check out"
  # Every instance has an answer stored (those that failed in the first round were filled in).
  [ "$(q $t "SELECT count(*) FROM outputs WHERE prediction = ''")" = 0 ] && ok \
    || bad "$protocol: unanswered instances left: $(q $t "SELECT count(*) FROM outputs WHERE prediction = ''")"
  "$TAILQ" run --resume $t --max-rounds $((rounds + 2)) --stop rjsd --tau 0 --quiet >log 2>&1 && ok \
    || bad "$protocol: resume after the restart: $(cat log)"
  [ "$(q $t 'SELECT coalesce(sum(measured), 0) FROM round_blocks')" = $((rounds + 2)) ] && ok \
    || bad "$protocol: the resumed run did not add 2 rounds"
  kill "$server"; wait "$server" 2>/dev/null
}
killed_mid_run http

# --- gRPC: the same model through the protocol's gRPC service gives the in-process answers.
start_serve grpc.log --protocol grpc --port 0
[ -n "$port" ] && ok || { bad "tailq serve --protocol grpc did not start: $(cat grpc.log)"; finish; exit; }
gurl=grpc://127.0.0.1:$port
"$TAILQ" run --server "$gurl" --model-name digits --max-rounds 3 "${short[@]}" -o grpc.trace \
  >log 2>&1 && ok || bad "digits through gRPC: $(cat log)"
"$TAILQ" analyze grpc.trace --json | "$PY" -c "import json,sys
d = json.load(sys.stdin)
assert d['rounds'] == 3 and d['instances'] == 360, d
assert round(d['nominal_quality'] * 360) == 355, d['nominal_quality']" && ok || bad "gRPC: not 355/360"
[ "$(q local.trace 'SELECT group_concat(prediction) FROM outputs')" = \
  "$(q grpc.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok \
  || bad "the answers through gRPC differ from those in process"
q grpc.trace "SELECT value FROM experiment WHERE key = 'backend'" \
  | grep -q "KServe v2 over gRPC to tailq .*inference time: the server's$" && ok \
  || bad "gRPC backend: $(q grpc.trace "SELECT value FROM experiment WHERE key = 'backend'")"
"$TAILQ" analyze grpc.trace >log 2>&1 && grep -q "through a server: 0 of 1080 answers" log && ok \
  || bad "gRPC: analyze's count of failures: $(cat log)"
"$TAILQ" run --server "$gurl" --model-name digits --scenario server --qps 300 --workers 3 \
  --max-rounds 2 "${short[@]}" -o load.trace >log 2>&1 && ok || bad "gRPC server scenario: $(cat log)"
rm -f load.trace
expect_error "gRPC: unknown model" "gRPC NOT_FOUND: unknown model 'nine' for its metadata" \
  "$TAILQ" run --server "$gurl" --model-name nine --max-rounds 1 -o out.trace
kill "$server"; wait "$server" 2>/dev/null
expect_error "gRPC: nobody listening" "cannot reach the server" \
  "$TAILQ" run --server "$gurl" --model-name digits -o out.trace
killed_mid_run grpc
finish
