#!/usr/bin/env bash
# tailq run --model M --inputs X.npy --labels y: a model that is not the digits CNN, on the
# user's own data, scored as python3-torch scores it (tests/reference/make_model_fixture.py),
# with class indices or names, uint8 inputs, input sizes, and one clear line for bad set-ups.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: model_run_test.sh path/to/tailq [onnx]}")
ONNX=${2:-}  # "onnx": the OpenCV plug-in is built, so the ONNX export runs too
FIXTURE=$(dirname "$(realpath "$0")")/reference/make_model_fixture.py
source "$(dirname "$(realpath "$0")")/test_lib.sh"

/usr/bin/python3 "$FIXTURE" fx 2>/dev/null || { echo "FAIL: fixture"; exit 1; }
short=(--warmup-rounds 1 --stop rjsd --tau 0 --max-rounds 3 --quiet)
# nominal quality, rounds and instances of a trace, compared with what torch computed
check() {
  local name=$1 trace=$2 key=$3
  "$TAILQ" analyze "$trace" --json | /usr/bin/python3 -c "import json,sys
d = json.load(sys.stdin); want = json.load(open('fx/expected.json'))
assert d['rounds'] == 3 and d['instances'] == want['instances'], d
assert abs(d['nominal_quality'] - want['$key']) < 1e-12, (d['nominal_quality'], want)" \
    && ok || bad "$name: accuracy differs from torch's"
}

"$TAILQ" run --model fx/mlp.pt --inputs fx/x.npy --labels fx/y.npy "${short[@]}" -o a.trace \
  >log 2>&1 && ok || bad "run on .npy labels: $(cat log)"
check "indices from .npy" a.trace accuracy
[ "$(sqlite3 a.trace "SELECT value ->> 'workload' FROM experiment WHERE key = 'settings'")" = model ] && ok \
  || bad "workload not recorded as model"
"$TAILQ" run --model fx/mlp.pt --inputs fx/x.npy --labels fx/y.txt --batch-size 7 "${short[@]}" \
  -o b.trace >log 2>&1 && ok || bad "run on text labels, batches of 7: $(cat log)"
check "indices from text, batches of 7" b.trace accuracy
"$TAILQ" run --model fx/mlp.pt --inputs fx/x.npy --labels fx/y_names.txt --classes fx/names.txt \
  --input-sizes fx/sizes.txt "${short[@]}" -o c.trace >log 2>&1 && ok || bad "names: $(cat log)"
check "class names" c.trace accuracy
[ "$(sqlite3 c.trace "SELECT label FROM instances WHERE idx = 1")" = "$(sed -n 2p fx/y_names.txt)" ] \
  && ok || bad "labels are not stored by name: $(sqlite3 c.trace 'SELECT * FROM instances LIMIT 3')"
[ "$(sqlite3 c.trace 'SELECT CAST(sum(input_size) AS INTEGER) FROM instances')" = 2370 ] && ok \
  || bad "input sizes: $(sqlite3 c.trace 'SELECT sum(input_size) FROM instances')"
"$TAILQ" run --model fx/mlp.pt --inputs fx/x_u8.npy --labels fx/y.npy "${short[@]}" -o d.trace \
  >log 2>&1 && ok || bad "uint8 inputs: $(cat log)"
check "uint8 inputs as stored" d.trace accuracy_u8
if [ "$ONNX" = onnx ]; then
  [ -s fx/mlp.onnx ] && ok || bad "python3-torch exported no ONNX model"
  "$TAILQ" run --model fx/mlp.onnx --inputs fx/x.npy --labels fx/y.npy --batch-size 8 \
    "${short[@]}" -o e.trace >log 2>&1 && ok || bad "ONNX run: $(cat log)"
  check "ONNX through OpenCV DNN" e.trace accuracy
  sqlite3 e.trace "SELECT value FROM experiment WHERE key = 'backend'" | grep -q "OpenCV" && ok \
    || bad "ONNX not run by OpenCV: $(sqlite3 e.trace "SELECT value FROM experiment WHERE key = 'backend'")"
  [ "$(sqlite3 a.trace 'SELECT group_concat(prediction) FROM outputs')" = \
    "$(sqlite3 e.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok \
    || bad "ONNX and TorchScript answers differ"
fi
"$TAILQ" run --resume a.trace --max-rounds 4 --quiet >log 2>&1 && ok || bad "resume: $(cat log)"
"$TAILQ" run --resume a.trace --labels fx/y.txt >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q "\--labels: 'fx/y.txt' does not match" err.txt && ok \
  || bad "resume with other labels: $(cat err.txt)"

/usr/bin/python3 - <<'PY'
import numpy as np
x = np.load("fx/x.npy")
np.save("wide.npy", np.zeros((60, 4, 5), np.float32))
np.save("i32.npy", x.astype(np.int32))
np.save("nan.npy", np.where(np.arange(x.size).reshape(x.shape) == 17, np.nan, x).astype(np.float32))
np.save("y59.npy", np.zeros(59, np.int64))
np.save("yfrac.npy", np.full(60, 2.5))
np.save("ybig.npy", np.full(60, 4, np.int64))
np.save("y2d.npy", np.zeros((60, 2), np.int64))
open("ybad.txt", "w").write("1\n2\ncat\n" + "0\n" * 57)
open("names5.txt", "w").write("cat\ndog,small\nowl\nfox\nemu\n")
open("spaced.txt", "w").write("cat\ndog small\nowl\nfox\n")
PY
m=(--model fx/mlp.pt "${short[@]}" -o out.trace)
expect_error "input shape" "fx/mlp.pt: forward failed on a batch of shape [1, 4, 5]" \
  "$TAILQ" run "${m[@]}" --inputs wide.npy --labels fx/y.npy
expect_error "input dtype" "i32.npy: inputs of dtype int32; expected float32, float64 or uint8" \
  "$TAILQ" run "${m[@]}" --inputs i32.npy --labels fx/y.npy
expect_error "NaN input" "nan.npy: element [1, 2] (flattened): NaN" \
  "$TAILQ" run "${m[@]}" --inputs nan.npy --labels fx/y.npy
expect_error "label count" "y59.npy: 59 labels for the 60 inputs of fx/x.npy" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy --labels y59.npy
expect_error "fractional label" "yfrac.npy: element [0]: 2.5 is not a class index" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy --labels yfrac.npy
expect_error "label beyond the outputs" "ybig.npy: label 4 is not a class of the model, which gives 4" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy --labels ybig.npy
expect_error "2-D labels" "y2d.npy: expected one value per input, shape (N,), got shape (60, 2)" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy --labels y2d.npy
expect_error "a name without classes" "ybad.txt:3: 'cat' is not a class index" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy --labels ybad.txt
expect_error "class count" "the model gives 4 scores per input, but names5.txt names 5 classes" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy --labels fx/y_names.txt --classes names5.txt
expect_error "a name with a space" "spaced.txt:2: class 'dog small' holds a space" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy --labels fx/y_names.txt --classes spaced.txt
expect_error "not npy" "fx/y.txt: not a .npy file" \
  "$TAILQ" run "${m[@]}" --inputs fx/y.txt --labels fx/y.npy
expect_error "no labels" "--labels: the model workload needs one label per input" \
  "$TAILQ" run "${m[@]}" --inputs fx/x.npy
expect_error "no model" "--model: the model workload needs a model file" \
  "$TAILQ" run "${short[@]}" -o out.trace --inputs fx/x.npy --labels fx/y.npy
expect_error "inputs on the sleep workload" "--inputs: applies to" \
  "$TAILQ" run --workload sleep "${short[@]}" -o out.trace --inputs fx/x.npy
expect_error "model file kind" "fx/x.npy: no runner for this kind of model file" \
  "$TAILQ" run --model fx/x.npy "${short[@]}" -o out.trace --inputs fx/x.npy --labels fx/y.npy
finish
