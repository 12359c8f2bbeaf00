#!/usr/bin/env bash
# examples/cpp as a user builds it: tailq installed into a fresh prefix, the example configured
# against that prefix alone (find_package(tailq), tailq::tailq), its program and plug-in run, and
# their traces read back by the installed command; a plug-in of another interface version is
# refused.
set -uo pipefail
BUILD=$(realpath "${1:?usage: examples_cpp_test.sh BUILD_DIR [CXX_COMPILER] [LIBDIR] [CXX_FLAGS] [EXE_LINKER_FLAGS]}")
CXX_COMPILER=${2:-c++}
LIBDIR=${3:-lib}
# The flags tailq was built with: a sanitizer build's library needs its runtime in the program.
BUILD_CXX_FLAGS=${4:-}
BUILD_LINKER_FLAGS=${5:-}
EXAMPLE=$(realpath "$(dirname "$(realpath "$0")")/../examples/cpp")
source "$(dirname "$(realpath "$0")")/test_lib.sh"
prefix=$work/prefix
TAILQ=$prefix/bin/tailq

# What `tailq analyze --json` says about a trace: "rounds instances nominal_quality".
summary() {
  "$TAILQ" analyze "$1" --json |
    /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin)
print(d['rounds'], d['instances'], repr(d['nominal_quality']))"
}
# Exact equality of two numbers printed to 17 digits, as text would miss 0.845 == 0.84499999...
same_number() { /usr/bin/python3 -c "import sys; sys.exit(float('$1') != float('$2'))"; }

cmake --install "$BUILD" --prefix "$prefix" >install.log 2>&1 && ok \
  || { bad "install: $(tail -5 install.log)"; finish; exit; }

# The installed command, and those plug-ins that call into libtailq.so, use the installed one
# (their RPATH), not the build tree's; and every library they need is found.
lib=$(realpath "$prefix/$LIBDIR/libtailq.so.0")
shopt -s nullglob  # the plug-ins are built only when their frameworks are found
for f in "$TAILQ" "$prefix/$LIBDIR"/tailq/plugins/*.so; do
  deps=$(env -u LD_LIBRARY_PATH ldd "$f")
  got=$(awk '/libtailq\.so/ {print $3}' <<<"$deps")
  if grep -q "not found" <<<"$deps"; then
    bad "$f: $(grep "not found" <<<"$deps")"
  elif { [ "$f" = "$TAILQ" ] || [ -n "$got" ]; } && [ "$(realpath "$got" 2>/dev/null)" != "$lib" ]; then
    bad "$f uses libtailq.so from '$got', not $lib"
  else
    ok
  fi
done
"$TAILQ" --version >/dev/null 2>&1 && ok || bad "the installed tailq does not start"
# Its own plug-ins come from the prefix too (the build tree's are on its search path as well).
ocr=$prefix/$LIBDIR/tailq/plugins/libtailq-ocr.so
if [ -e "$ocr" ]; then
  LD_DEBUG=files "$TAILQ" run --workload ocr --lines 2 --warmup-rounds 0 --max-rounds 1 --tau 0 \
    --quiet -o ocr.trace >ocr.log 2>&1 && ok \
    || bad "ocr from the prefix: $(grep -v '^ *[0-9]*:' ocr.log)"
  loaded=$(sed -n 's/.*file=\([^ ]*libtailq-ocr\.so\) .*/\1/p' ocr.log | sort -u)
  [ -n "$loaded" ] && [ "$(realpath "$loaded")" = "$(realpath "$ocr")" ] && ok \
    || bad "the ocr plug-in loaded from '$loaded', not $ocr"
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$EXAMPLE" -B exbuild "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$CXX_COMPILER" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS="$BUILD_CXX_FLAGS -Wall -Wextra -Wpedantic -Werror" \
  -DCMAKE_EXE_LINKER_FLAGS="$BUILD_LINKER_FLAGS" >configure.log 2>&1 && ok \
  || { bad "configure the example: $(tail -20 configure.log)"; finish; exit; }
# The package found is the one just installed, not another tailq on the machine.
found=$(sed -n 's/^tailq_DIR:PATH=//p' exbuild/CMakeCache.txt)
[ "$(realpath "$found")" = "$(realpath "$prefix/$LIBDIR/cmake/tailq")" ] && ok \
  || bad "find_package(tailq) found '$found'"
cmake --build exbuild -j 2 >build.log 2>&1 && ok \
  || { bad "build the example: $(tail -30 build.log)"; finish; exit; }

# The program: its own Dataset and Backend through run_experiment.
exbuild/tailq_example ex.trace 12 >ex.log 2>&1 && ok || bad "tailq_example: $(cat ex.log)"
field() { sed -n "s/^$1: //p" ex.log; }
[ "$(field trace)" = ex.trace ] && ok || bad "trace path: $(cat ex.log)"
[ "$(field rounds)" = 12 ] && ok || bad "rounds: $(cat ex.log)"
expected=$(field "expected accuracy")
read -r rounds instances quality < <(summary ex.trace)
[ "$rounds" = 12 ] && [ "$instances" = "$(field instances)" ] && [ "$instances" = 600 ] && ok \
  || bad "analyze says $rounds rounds of $instances instances: $(cat ex.log)"
# Not 0 or 1: the comparison must be able to catch answers scored against the wrong labels.
same_number "$quality" "$expected" && /usr/bin/python3 -c "assert 0 < $expected < 1" 2>/dev/null \
  && ok || bad "nominal quality $quality, the example computed $expected"

# The same workload through the installed command and the plug-in.
"$TAILQ" run --plugin exbuild/libmine.so --workload mine --batch-size 4 --max-rounds 7 --tau 0 \
  --quiet -o mine.trace >mine.log 2>&1 && ok || bad "tailq run --plugin libmine.so: $(cat mine.log)"
read -r rounds instances quality < <(summary mine.trace)
[ "$rounds" = 7 ] && [ "$instances" = 600 ] && same_number "$quality" "$expected" && ok \
  || bad "the plug-in's trace: $rounds rounds of $instances instances, quality $quality"
expect_error "a plug-in's option error" "the mine workload has its own model" \
  "$TAILQ" run --plugin exbuild/libmine.so --model x.pt --max-rounds 2 -o out.trace

# Another interface version: refused with one line naming both, exit 2, no trace.
rm -f out.trace
"$TAILQ" run --plugin exbuild/libwrongabi.so --workload mine --max-rounds 2 --quiet \
  -o out.trace >/dev/null 2>err.txt
rc=$?
versions=$(sed -n \
  's/.*interface version \([0-9]*\), this tailq has version \([0-9]*\);.*/\1 \2/p' err.txt)
if [ $rc -ne 2 ] || [ "$(wc -l <err.txt)" -ne 1 ] || [ -e out.trace ]; then
  bad "wrong interface version: rc $rc: $(cat err.txt)"
elif [ -z "$versions" ] || [ "${versions% *}" -ne $((${versions#* } + 1)) ]; then
  bad "wrong interface version: the message names not both versions: $(cat err.txt)"
else
  ok
fi
finish
