#!/usr/bin/env bash
# scripts/check-node-engines.mjs: install-deps' one-line warning when the Node.js found is older
# than a package Node.js runs for tailq (Debian 12 ships Node.js 18), and the pinned
# web/package-lock.json itself passing it, so a pin that drops Node.js 18 fails here.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/test_lib.sh"
check="$here/../scripts/check-node-engines.mjs"

web() {  # web FOLDER RANGE: a package.json whose devDependency pins "driver" with that range
  mkdir -p "$1"
  echo '{"devDependencies":{"driver":"1.0.0"},"dependencies":{"lib":"2.0.0"}}' > "$1/package.json"
  cat > "$1/package-lock.json" <<JSON
{"lockfileVersion":3,"packages":{
 "node_modules/driver":{"version":"1.0.0","engines":{"node":"$2"}},
 "node_modules/lib":{"version":"2.0.0","engines":{"node":">=99"}}}}
JSON
}

web old ">=99"
node "$check" old 2>err.txt
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l < err.txt)" -eq 1 ] && grep -q "too old for driver 1.0.0 (needs >=99)" err.txt; then
  ok
else
  bad "a driver needing Node.js 99: rc $rc: $(cat err.txt)"
fi

# Only what Node.js runs counts: "lib" (a browser library) asks for >=99 and is not checked.
web fine ">=10.2"
node "$check" fine 2>err.txt && [ ! -s err.txt ] && ok || bad "a driver needing 10.2: $(cat err.txt)"

web odd "^20.19.0 || >=22"
node "$check" odd 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -q 'cannot check driver 1.0.0' err.txt && ok || bad "unknown range: rc $rc"

# The real pins must accept Debian 12's Node.js (bookworm: 18.20.4).
node "$check" "$here/../web" 18.20.4 2>err.txt && ok || bad "web/package-lock.json: $(cat err.txt)"
finish
