#!/usr/bin/env bash
# Builds the moderation libFuzzer target (fuzz/moderation_fuzz.cc; clang,
# ASan + UBSan) and runs it.
#
#   scripts/fuzz_moderation.sh [SECONDS] [extra libFuzzer flags...]   default: 60 seconds
#   scripts/fuzz_moderation.sh 0 path/to/crash-file                   replay one input
#
# ZHI_FUZZ_DIR: build + corpus + artifacts (default: build-fuzz/ in the repo).
# Needs clang++ with libFuzzer and the compliance layer's Debian libraries
# (libvectorscan-dev, libopencc-dev, libutf8proc-dev); see fuzz/README.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
out=${ZHI_FUZZ_DIR:-$root/build-fuzz}
cxx=${CXX_FUZZ:-clang++}
command -v "$cxx" >/dev/null || {
  echo "fuzz_moderation.sh: $cxx not found. On Debian 12: apt-get install -y clang libclang-rt-14-dev" >&2
  exit 1
}
mkdir -p "$out/moderation/obj" "$out/moderation/corpus" "$out/moderation/artifacts"

# The text-only parts of the compliance layer: no audit log (SQLite,
# PostgreSQL), no session adapter (the session layer).
srcs=("$root/fuzz/moderation_fuzz.cc" "$root/src/core/status.cc" "$root/src/core/thread_pool.cc"
      "$root/src/core/cpu_features.cc")
for f in "$root"/src/compliance/*.cc "$root"/src/compliance/x86/*.cc; do
  case $(basename "$f") in
    audit_*|session_guardrail.cc|refusal_eval.cc|aigc_label.cc|sha256.cc) ;;
    *) srcs+=("$f") ;;
  esac
done
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=all -Wall -Wextra -Werror -I"$root/src" -I"$root/include")
avx512=(-mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni -mavx512bf16 -mfma -mf16c -mavx2)
bin=$out/moderation/moderation_fuzz
objs=()
stale=0
for f in "${srcs[@]}"; do
  rel=${f#$root/}
  obj="$out/moderation/obj/${rel//\//_}.o"
  objs+=("$obj")
  if [[ ! -f $obj || $f -nt $obj || -n $(find "$root/src/compliance" "$root/src/core" -name '*.h' -newer "$obj" -print -quit) ]]; then
    extra=()
    [[ $f == *_avx512.cc ]] && extra=("${avx512[@]}")
    echo "  clang++ $rel"
    "$cxx" "${flags[@]}" "${extra[@]}" $(pkg-config --cflags libhs opencc libutf8proc) -c "$f" -o "$obj"
    stale=1
  fi
done
if [[ $stale == 1 || ! -x $bin ]]; then
  "$cxx" -fsanitize=fuzzer,address,undefined "${objs[@]}" \
    $(pkg-config --libs libhs opencc libutf8proc) -lpthread -o "$bin"
fi

if [[ $secs == 0 ]]; then
  exec "$bin" "$@"
fi
# Seeds: mixed text around the pack's terms, clause breaks and evasions.
printf '\x01敏感词 ab cab abc 敏 12。abc.\n' >"$out/moderation/corpus/seed1"
printf '\x07ｃａｂ 敏*感 詞a 敏\u200b感 dabc 敏感度 123。4 \xe6\x95' >"$out/moderation/corpus/seed2"
exec "$bin" -max_total_time="$secs" -max_len=2048 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$out/moderation/artifacts/" "$@" "$out/moderation/corpus"
