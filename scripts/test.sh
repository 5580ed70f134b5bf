#!/usr/bin/env bash
# Runs every test Zhi has, from a fresh Debian 12 machine:
#   1. installs the Debian packages (scripts/setup.sh);
#   2. builds in build/ and runs the whole CTest suite, including the
#      real-vocabulary tokenizer cross-check against @lenml/tokenizers (npm);
#   3. cross-builds the kernel tests for ARM64 and runs them under qemu-aarch64;
#   4. runs the README's main job (synthetic 0.5B Q4_K_M, 16 tokens);
#   5. rebuilds in build-asan/ with AddressSanitizer + UBSan and runs it again.
# A throwaway PostgreSQL server (scripts/pg_test_server.sh) runs for the
# whole script so the audit log's PostgreSQL tests run against a real one
# (ZHI_REQUIRE_PG=1: they fail rather than skip without it).
# The conformance pack is found through ZHI_CONFORMANCE_DIR (default
# ../shared/conformance); without it those tests say they were skipped.
# ZHI_SKIP_SANITIZE=1 skips step 5.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/setup.sh"

if [[ -d "${ZHI_CONFORMANCE_DIR:-$root/../shared/conformance}" ]]; then
  echo "test: conformance pack at ${ZHI_CONFORMANCE_DIR:-$root/../shared/conformance}"
else
  echo "test: NOTE conformance pack not found; the tests that need it will be skipped (set ZHI_CONFORMANCE_DIR)"
fi

# The PostgreSQL server for the audit tests; stopped and removed however the script ends.
pg_dir="$(mktemp -d /tmp/zhi-pg.XXXXXX)"
stop_pg() {
  "$root/scripts/pg_test_server.sh" stop "$pg_dir" immediate >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
# (Assigned first: a failed start then stops the script, which eval "$(...)" would not.)
pg_exports="$("$root/scripts/pg_test_server.sh" start "$pg_dir")"
eval "$pg_exports"
export ZHI_TEST_PG_URL
export ZHI_REQUIRE_PG=1
echo "test: PostgreSQL test server at $ZHI_TEST_PG_URL"

echo "== release build"
"$root/scripts/build.sh" "$root/build"

if exports=$("$root/scripts/test_data.sh" "$root/build"); then
  eval "$exports"
else
  echo "test: NOTE npm/node could not provide the real Qwen vocabulary; RealVocab tests will be skipped"
fi

echo "== tests (release)"
ctest --test-dir "$root/build" --output-on-failure -j"$(nproc)"

echo "== ARM64: NEON kernels cross-built and checked under qemu-aarch64"
ZHI_ARM_JOBS="$(nproc)" "$root/scripts/test_arm.sh"

echo "== the README's main job (scripts/demo.sh), 16 tokens"
N=16 "$root/scripts/demo.sh"

if [[ "${ZHI_SKIP_SANITIZE:-0}" != "1" ]]; then
  echo "== AddressSanitizer + UBSan build"
  # -O1 -g1: the sanitizers' recommended level, line tables for their reports,
  # and half the compile time of -O2 -g on the two cores CI has.
  "$root/scripts/build.sh" "$root/build-asan" -DZHI_SANITIZE=ON -DZHI_BUILD_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
  echo "== tests (ASan + UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$root/build-asan" --output-on-failure -j"$(nproc)"
fi
echo "test: all suites passed"
