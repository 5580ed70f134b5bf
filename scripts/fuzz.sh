#!/usr/bin/env bash
# Builds the GGUF libFuzzer target (clang, ASan + UBSan) and runs it.
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]     default: 60 seconds
#   scripts/fuzz.sh 0 path/to/crash-file                     replay one input
#
# Environment:
#   ZHI_FUZZ_DIR         build + corpus + artifacts (default: build-fuzz/ in the repo)
#   ZHI_CONFORMANCE_DIR  conformance pack, for seeds (default: ../shared/conformance)
#   ZHI_FUZZ_SEED_TESTS  a built zhi_gguf_tests binary to dump crafted seed files from
#                        (default: the first of build-asan-gguf/, build/ that has one)
#   CXX_FUZZ             compiler (default: clang++)
# See fuzz/README.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
out=${ZHI_FUZZ_DIR:-$root/build-fuzz}
conf=${ZHI_CONFORMANCE_DIR:-$root/../shared/conformance}
cxx=${CXX_FUZZ:-clang++}

if ! command -v "$cxx" >/dev/null; then
  echo "fuzz.sh: $cxx not found. On Debian 12: apt-get install -y clang libclang-rt-14-dev" >&2
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y clang libclang-rt-14-dev
  else
    exit 1
  fi
fi

mkdir -p "$out/seeds" "$out/corpus" "$out/artifacts"

# Only what the gguf layer needs: globbing src/core would drag in whatever core
# grows (threads, json, utf8proc), none of which the reader touches.
srcs=(
  "$root/fuzz/gguf_fuzz.cc"
  "$root/src/core/status.cc"
  "$root/src/core/mapped_file.cc"
  "$root/src/quant/ggml_type.cc"
  "$root"/src/gguf/*.cc
)
bin=$out/gguf_fuzz
stale=0
if [[ ! -x $bin ]]; then
  stale=1
else
  for f in "${srcs[@]}" "$root"/src/gguf/*.h "$root"/src/core/*.h "$root"/src/quant/ggml_type.h; do
    [[ $f -nt $bin ]] && stale=1 && break
  done
fi
if [[ $stale == 1 ]]; then
  echo "fuzz.sh: building $bin"
  "$cxx" -std=c++20 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Werror -I"$root/src" "${srcs[@]}" -o "$bin"
fi

# Replay mode: run the given inputs once each, no fuzzing.
if [[ $secs == 0 ]]; then
  exec "$bin" "$@"
fi

# Seeds: the head of each conformance model (magic, counts, the first keys),
# the small split parts whole, and the crafted files of the bad-input tests.
if [[ -d $conf/models ]]; then
  for m in "$conf"/models/*.gguf; do
    name=$(basename "$m" .gguf)
    head -c 4096 "$m" >"$out/seeds/$name-4k.gguf"
    head -c 32768 "$m" >"$out/seeds/$name-32k.gguf"
  done
  cp "$conf"/models/conf-split-q4_k_m-00003-of-00003.gguf "$out/seeds/split-part3.gguf"
else
  echo "fuzz.sh: no conformance pack at $conf; seeding from tests only" >&2
fi
tests_bin=${ZHI_FUZZ_SEED_TESTS:-}
if [[ -z $tests_bin ]]; then
  for b in "$root/build-asan-gguf/zhi_gguf_tests" "$root/build/zhi_gguf_tests"; do
    [[ -x $b ]] && tests_bin=$b && break
  done
fi
if [[ -n $tests_bin ]]; then
  ZHI_GGUF_SEED_DIR="$out/seeds" "$tests_bin" --gtest_filter='GgufBadInput.*' \
    --gtest_brief=1 >/dev/null 2>&1 || echo "fuzz.sh: $tests_bin reported failures (seeds still written)" >&2
else
  echo "fuzz.sh: no zhi_gguf_tests binary found; skipping crafted seeds" >&2
fi

# New inputs go to corpus/ (first dir), which persists across runs; seeds/ is read-only input.
# -malloc_limit_mb: any single allocation this large from a <=64 KiB input is a bug.
exec "$bin" "$out/corpus" "$out/seeds" \
  -max_total_time="$secs" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -malloc_limit_mb=256 \
  -dict="$root/fuzz/gguf.dict" -artifact_prefix="$out/artifacts/" \
  -print_final_stats=1 "$@"
