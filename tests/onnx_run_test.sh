#!/usr/bin/env bash
# The digits workload through both model runners: the CNN that workloads/digits/train.py trains,
# as TorchScript (.pt, LibTorch) and as ONNX (.onnx, OpenCV DNN), on the same data must give the
# same predictions and nominal accuracy; tailq compare takes the two traces; and a .onnx file
# that OpenCV cannot read is one line and exit 2.
set -uo pipefail
TAILQ=$(realpath "${1:?usage: onnx_run_test.sh path/to/tailq}")
source_dir=$(cd "$(dirname "$(realpath "$0")")/.." && pwd)
source "$source_dir/tests/test_lib.sh"
q() { sqlite3 "$1" "$2"; }

mkdir -p model
/usr/bin/python3 "$source_dir/workloads/digits/train.py" --out model/digits_cnn.pt >train.log 2>&1 \
  && ok || bad "train: $(cat train.log)"
[ -s model/digits_cnn.onnx ] && ok || bad "train.py wrote no model/digits_cnn.onnx"
/usr/bin/python3 -c "import json; d=json.load(open('model/digits_cnn.pt.json'))
assert d['onnx'] == 'digits_cnn.onnx', d" && ok || bad "the summary names no ONNX file"

common=(--workload digits --max-rounds 3 --warmup-rounds 1 --tau 0 --quiet)
for kind in pt onnx; do
  "$TAILQ" run "${common[@]}" --model "model/digits_cnn.$kind" -o "$kind.trace" >"$kind.log" 2>&1 \
    && ok || bad "run the .$kind model: $(cat "$kind.log")"
  "$TAILQ" analyze "$kind.trace" --json >"$kind.json" && ok || bad "analyze the .$kind trace"
  [ "$(q "$kind.trace" "$output_hashes")" = 1 ] && ok \
    || bad "the .$kind model answered differently between rounds"
done
backend=$(q onnx.trace "SELECT value FROM experiment WHERE key = 'backend'")
[[ "$backend" == "OpenCV DNN "* ]] && ok || bad "the .onnx trace's backend is '$backend'"
/usr/bin/python3 - <<'PY' && ok || bad "nominal accuracy: $(cat pt.json onnx.json)"
import json
pt, onnx = json.load(open("pt.json")), json.load(open("onnx.json"))
trained = json.load(open("model/digits_cnn.pt.json"))
assert pt["nominal_quality"] == onnx["nominal_quality"] == trained["test_accuracy"], (
    pt["nominal_quality"], onnx["nominal_quality"], trained["test_accuracy"])
PY
# The same answer for every instance, not only the same count of right ones.
[ "$(q pt.trace 'SELECT group_concat(prediction) FROM outputs')" = \
  "$(q onnx.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok \
  || bad "the two runners predict differently"

# Batches of 7 through the ONNX model's free batch axis (51 full ones, then one of 3).
"$TAILQ" run "${common[@]}" --model model/digits_cnn.onnx --batch-size 7 -o onnx7.trace \
  >onnx7.log 2>&1 && ok || bad "run the .onnx model in batches of 7: $(cat onnx7.log)"
[ "$(q onnx7.trace 'SELECT group_concat(prediction) FROM outputs')" = \
  "$(q onnx.trace 'SELECT group_concat(prediction) FROM outputs')" ] && ok \
  || bad "batches of 7 predict differently from batches of 1"

"$TAILQ" compare pt.trace onnx.trace --json >compare.json 2>compare.err && ok \
  || bad "compare --json: $(cat compare.err)"
/usr/bin/python3 -c "import json; d=json.load(open('compare.json'))
pt, onnx = d['traces']
assert len(d['traces']) == 2 and pt['nominal_quality'] == onnx['nominal_quality'], d" \
  && ok || bad "compare: $(cat compare.json)"
"$TAILQ" compare pt.trace onnx.trace -o compare.html >/dev/null 2>compare.err \
  && [ -s compare.html ] && ok || bad "compare page: $(cat compare.err)"

# A file that is not ONNX, and one cut short: one line naming it, exit 2, no trace.
printf 'not a model\n' > bad.onnx
expect_error "not ONNX" "bad.onnx: not an ONNX model" \
  "$TAILQ" run --workload digits --model bad.onnx -o out.trace --quiet
head -c 20000 model/digits_cnn.onnx > cut.onnx
expect_error "truncated ONNX" "cut.onnx: not an ONNX model" \
  "$TAILQ" run --workload digits --model cut.onnx -o out.trace --quiet
expect_error "missing ONNX" "none.onnx: no such model file" \
  "$TAILQ" run --workload digits --model none.onnx -o out.trace --quiet
finish
