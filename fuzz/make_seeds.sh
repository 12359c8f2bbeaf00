#!/usr/bin/env bash
# Writes the seed corpora in fuzz/corpus/ (committed; run again only to change them): small,
# valid inputs of every format, and a few broken ones, so that the fuzzer starts from real
# structures. Needs a built tailq (argument), sqlite3 and Debian's python3 with numpy.
#   fuzz/make_seeds.sh build/tailq
set -euo pipefail
TAILQ=$(realpath "${1:?usage: fuzz/make_seeds.sh path/to/tailq}")
cd "$(dirname "$0")"
c=corpus
rm -rf "$c"
mkdir -p "$c"/{times_csv,outcomes_csv,npy,trace,trace_sql,sleep_model,options,digits,v2_messages}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Times CSV: batches, quoting, a BOM and CRLF, columns in another order.
printf 'round,instance,inference,total\n0,0,0.001,0.002\n0,1,0.001,0.003\n1,0,0.002,0.002\n1,1,0.0015,0.004\n' >"$c/times_csv/plain.csv"
printf 'round,instance,batch,inference,total\n0,a,b0,1e-3,2e-3\n0,b,b0,1e-3,2e-3\n0,c,b1,0.5,0.75\n1,a,b0,0,0\n1,b,b0,0,0\n1,c,b1,1,2\n' >"$c/times_csv/batches.csv"
printf '\xef\xbb\xbftotal,inference,instance,round\r\n0.2,0.1,"x,1",3\r\n0.2,0.1,"y""2",3\r\n' >"$c/times_csv/quoted.csv"
printf 'round,instance,inference,total\n0,0,nan,1\n' >"$c/times_csv/nan.csv"

# Outcomes CSV for the instances the target knows: 0 1 2 3 a "b c" and "q" in quotes.
printf 'instance,label,prediction\n0,x,x y\n1,y,\n2,x,y x z\n3,z,z\na,x,x\n"b c",y,y\n"""q""",x,q\n' >"$c/outcomes_csv/classification.csv"
printf 'score,instance\n0.5,0\n1,1\n0,2\n0.25,3\n1e-3,a\n1,b c\n0,"""q"""\n' >"$c/outcomes_csv/score.csv"
printf 'instance,label,prediction\n0,x,x\n0,x,x\n' >"$c/outcomes_csv/duplicate.csv"

# .npy: float64 and float32, both byte orders, header versions 1 and 2; pairs back to back.
/usr/bin/python3 - "$c/npy" <<'PY'
import io, sys, numpy as np
from numpy.lib import format as f
out = sys.argv[1]
def npy(a, version=None):
    b = io.BytesIO()
    f.write_array(b, a, version=version)
    return b.getvalue()
a = np.array([[0.001, 0.002, 0.003], [0.002, 0.001, 0.004]])
open(f"{out}/f8_pair.npy", "wb").write(npy(a) + npy(a * 2))
open(f"{out}/f4_single.npy", "wb").write(npy(a.astype("<f4")))
open(f"{out}/big_endian_v2.npy", "wb").write(npy(a.astype(">f8"), (2, 0)) + npy(a.astype(">f8"), (2, 0)))
open(f"{out}/fortran.npy", "wb").write(npy(np.asfortranarray(np.ones((2, 2)))))
PY

# Traces: small real ones, rewritten with 512-byte pages (a few kB instead of 64 kB pages).
small() { sqlite3 "$1" 'PRAGMA page_size = 512; VACUUM;'; cp "$1" "$2"; }
"$TAILQ" import --times "$c/times_csv/batches.csv" --outcomes <(printf 'instance,label,prediction\na,x,x y\nb,y,y\nc,x,y\n') \
  -o "$work/import.trace" --warmup-rounds 0 >/dev/null
small "$work/import.trace" "$c/trace/import.trace"
"$TAILQ" import --times "$c/times_csv/plain.csv" --outcomes <(printf 'instance,score\n0,0.5\n1,1\n') \
  -o "$work/score.trace" >/dev/null
small "$work/score.trace" "$c/trace/score.trace"
"$TAILQ" run --workload sleep --instances 3 --sleep-dist const:100us --scenario server --qps 2000 \
  --max-rounds 2 --warmup-rounds 1 --tau 0 --quiet -o "$work/load.trace" >/dev/null
small "$work/load.trace" "$c/trace/load.trace"
cp "$c/trace/import.trace" "$work/v1.trace"
sqlite3 "$work/v1.trace" "DROP TABLE query_times; ALTER TABLE rounds DROP COLUMN offered_qps;
  ALTER TABLE rounds DROP COLUMN checksum; ALTER TABLE inference_times DROP COLUMN checksum;
  ALTER TABLE total_times DROP COLUMN checksum; DELETE FROM experiment WHERE key = 'header_checksum';
  PRAGMA user_version = 1; VACUUM;"
cp "$work/v1.trace" "$c/trace/v1.trace"
head -c 3000 "$c/trace/import.trace" >"$c/trace/truncated.trace"

# Hostile SQL run against a valid trace by fuzz_trace_sql.
i=0
while IFS= read -r sql; do
  i=$((i + 1))
  printf '%s\n' "$sql" >"$c/trace_sql/$(printf '%02d' $i).sql"
done <<'SQL'
SELECT 1;
UPDATE rounds SET warmup = 2 WHERE idx = 1;
DROP TABLE rounds; CREATE VIEW rounds AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n) SELECT i AS idx, 0 AS warmup, 0.0 AS started_unix_s, NULL AS output_hash, NULL AS offered_qps, NULL AS checksum FROM n;
CREATE TRIGGER t AFTER INSERT ON rounds BEGIN DELETE FROM instances; END;
UPDATE inference_times SET seconds = zeroblob(8) WHERE round = 1;
UPDATE total_times SET seconds = x'000000000000f87f0000000000000000' WHERE round = 0;
UPDATE experiment SET value = '-1' WHERE key = 'batch_count';
UPDATE experiment SET value = 'score' WHERE key = 'outcome_kind';
DELETE FROM instances WHERE idx = 1;
UPDATE instances SET batch = 7 WHERE idx = 0;
DROP TABLE query_times; PRAGMA user_version = 1;
PRAGMA user_version = 4;
PRAGMA application_id = 1;
UPDATE rounds SET checksum = checksum + 1;
UPDATE query_times SET seconds = substr(seconds, 1, 40);
INSERT INTO inference_times VALUES (9, zeroblob(16), 0);
ALTER TABLE rounds ADD COLUMN extra TEXT;
UPDATE experiment SET value = '[1,2' WHERE key = 'settings';
UPDATE outputs SET prediction = NULL;
PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'warmup', 'warm') WHERE name = 'rounds';
UPDATE round_blocks SET info = CAST(x'40' || substr(info, 2) AS BLOB) WHERE first = 1;
UPDATE round_blocks SET count = 2 WHERE first = 0;
UPDATE round_blocks SET measured = 7;
UPDATE inference_times SET seconds = zeroblob(8) WHERE first = 1;
DELETE FROM query_times;
UPDATE round_blocks SET info = substr(info, 1, 3) WHERE first = 0;
INSERT INTO total_times VALUES (9, zeroblob(24), 0);
SQL

# Sleep models (CSV law,correct).
printf 'law,correct\nconst:1ms,1\nexp:2ms,0\nlognormal:2ms:0.3,1\n' >"$c/sleep_model/model.csv"
printf 'law,correct\r\nconst:0.001,1\r\n\r\nlognormal:500us:0,0\r\n' >"$c/sleep_model/crlf.csv"
printf 'law,correct\nconst:1e300,1\n' >"$c/sleep_model/huge.csv"

# Option values: deadlines, ranges, laws, CPU lists, durations, rates, sweeps, names.
i=0
for s in 'p90,p99.9,4ms,900us,250ns,1.5s,0.004' 'P50' '10:' ':50' '3:7' '0,1,2' '0-4,7' \
         'lognormal:2ms:0.2' 'exp:1ms' 'const:5us' 'total' 'inference' 'server' \
         'multi-stream' 'sliding' 'paper' 'round-effect' 'isj' 'top5' 'f1-weighted' '0-1,3' \
         '90s' '5m' '1h' '200' '50,100' '50:400:50' '2ms' '1e308ms' '0-2147483647' '1:1e300:1e-300'; do
  i=$((i + 1))
  printf '%s' "$s" >"$c/options/$(printf '%02d' $i)"
done

# The digits CSV: first byte even (the target compresses the rest) or odd (the rest is gzip).
(zcat /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz || true) | head -6 >"$work/digits.csv"
{ printf '\x00'; cat "$work/digits.csv"; } >"$c/digits/plain"
{ printf '\x01'; gzip -c "$work/digits.csv"; } >"$c/digits/gzip"
{ printf '\x00'; printf '0,1,2\n'; } >"$c/digits/short_row"
# Open Inference Protocol messages: JSON bodies, and gRPC messages in protobuf's wire format
# (written field by field here: tag = field number << 3 | wire type).
/usr/bin/python3 - "$c/v2_messages" <<'PY'
import json, struct, sys
out = sys.argv[1]
def save(name, data):
    open(f"{out}/{name}", "wb").write(data if isinstance(data, bytes) else data.encode())
save("request.json", json.dumps({"id": "1", "inputs": [{"name": "input", "datatype": "FP32",
     "shape": [2, 2], "data": [[0.5, 1], [2, 3]]}], "outputs": [{"name": "output"}]}))
save("response.json", json.dumps({"model_name": "m", "outputs": [{"name": "output",
     "datatype": "FP32", "shape": [4, 2], "data": [0.1] * 8}],
     "parameters": {"tailq_inference_ns": 1000}}))
save("metadata.json", json.dumps({"name": "m", "versions": ["1"], "inputs": [{"name": "x",
     "datatype": "INT64", "shape": [-1, 3]}], "outputs": [{"name": "y", "datatype": "FP32",
     "shape": [-1, 2]}]}))
def varint(n):
    b = b""
    while True:
        b += bytes([(n & 0x7f) | (0x80 if n > 0x7f else 0)])
        n >>= 7
        if not n:
            return b
def field(number, payload):  # length-delimited
    return varint(number << 3 | 2) + varint(len(payload)) + payload
def packed(values):
    return b"".join(varint(v) for v in values)
tensor = field(1, b"input") + field(2, b"FP32") + field(3, packed([2, 2]))
save("request.pb", field(1, b"m") + field(3, b"7") + field(5, tensor)
     + field(7, struct.pack("<4f", 0.5, 1, 2, 3)))
contents = field(6, struct.pack("<8f", *[0.1] * 8))  # fp32_contents, packed
out_tensor = field(1, b"output") + field(2, b"FP32") + field(3, packed([4, 2])) + field(5, contents)
save("response.pb", field(1, b"m") + field(5, out_tensor))
raw = field(1, b"output") + field(2, b"FP64") + field(3, packed([4, 1]))
save("response_raw.pb", field(5, raw) + field(6, struct.pack("<4d", 1, 2, 3, 4)))
PY

ls -R "$c" | head -80
du -sh "$c"
