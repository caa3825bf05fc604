#!/usr/bin/env bash
# `make test`: the suite in the normal build, again under ASan/UBSan, then the fuzzers. The ASan build
# compiles at the lowest CPU priority while the normal build's tests run, and the fuzz build while the ASan
# suite runs: the tests mostly wait on real-time media, so the compiler gets the idle cores and the tests
# keep theirs (a CI machine has two).
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_SECONDS:-10}
failed=()

mkdir -p build
asan_log=build/asan-build.log
(nice -n 19 cmake --preset asan && nice -n 19 cmake --build --preset asan -j"$jobs") >"$asan_log" 2>&1 &
asan_build=$!

ctest --preset default -j2 || failed+=("tests (default build)")

if ! wait "$asan_build"; then
  tail -50 "$asan_log"
  echo "the ASan/UBSan build failed (whole log: $asan_log)"
  exit 1
fi
# The fuzz targets compile the same way during the ASan suite.
fuzz_log=build/fuzz-build.log
(nice -n 19 cmake --preset fuzz && nice -n 19 cmake --build --preset fuzz -j"$jobs") >"$fuzz_log" 2>&1 &
fuzz_build=$!
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j2 || failed+=("tests (ASan/UBSan build)")

targets=()
for source in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$source" .cpp)"); done
if wait "$fuzz_build"; then
  tests/fuzz/run.sh build/fuzz/tests "$fuzz_seconds" "${targets[@]}" || failed+=("fuzzing")
else
  tail -50 "$fuzz_log"
  failed+=("the fuzz build (whole log: $fuzz_log)")
fi

if ((${#failed[@]} > 0)); then
  printf 'failed: %s\n' "${failed[@]}"
  exit 1
fi
echo "every test passed"
