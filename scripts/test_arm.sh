#!/usr/bin/env bash
# Cross-builds the kernel tests for ARM64 (NEON + dotprod, i8mm) with Debian's
# g++-aarch64-linux-gnu and runs them under qemu-aarch64, so the NEON paths
# are checked against their scalar twins on a machine without ARM hardware.
#
#   scripts/test_arm.sh            build into build-arm/ and run
#   ZHI_ARM_JOBS=1 scripts/...     parallel compile jobs (default 1)
#
# Only the layers the kernels need (core, quant, kernels) are compiled, with
# the compliance layer's byte-mask kernels (no Vectorscan or OpenCC), so no
# ARM64 builds of utf8proc/json are needed; GoogleTest is built from the
# Debian source package (/usr/src/googletest).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build-arm"
jobs="${ZHI_ARM_JOBS:-1}"

need=()
command -v aarch64-linux-gnu-g++ >/dev/null || need+=(g++-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
[ -f /usr/src/googletest/googletest/src/gtest-all.cc ] || need+=(googletest)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}"
fi

CXX=aarch64-linux-gnu-g++
GT=/usr/src/googletest/googletest
flags=(-std=c++20 -O2 -Wall -Wextra -Werror -ffp-contract=off -I"$root/src" -I"$root/tests" -isystem "$GT/include")

srcs=("$root"/src/core/status.cc "$root"/src/core/cpu_features.cc "$root"/src/core/thread_pool.cc)
srcs+=("$root"/src/quant/*.cc)
while IFS= read -r f; do srcs+=("$f"); done < <(find "$root/src/kernels" -name '*.cc' ! -path '*/x86/*' | sort)
srcs+=("$root"/tests/kernels/*_test.cc)
srcs+=("$root"/src/compliance/byte_mask.cc "$root"/src/compliance/ascii_block.cc
       "$root"/tests/compliance/byte_mask_test.cc)

mkdir -p "$out/obj"
objs=()
compile() {  # src obj extra-flags...
  local src="$1" obj="$2"; shift 2
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$0" -nt "$obj" ] ||
     [ -n "$(find "$root/src" "$root/tests/kernels" -name '*.h' -newer "$obj" -print -quit)" ]; then
    echo "  c++ ${src#$root/}"
    "$CXX" "${flags[@]}" "$@" -c "$src" -o "$obj"
  fi
}
pids=()
for src in "${srcs[@]}"; do
  rel="${src#$root/}"
  obj="$out/obj/${rel//\//_}.o"
  extra=()
  [[ "$src" == *_neon.cc ]] && extra=(-march=armv8.2-a+dotprod)
  [[ "$src" == *_i8mm.cc ]] && extra=(-march=armv8.2-a+dotprod+i8mm)
  compile "$src" "$obj" "${extra[@]}" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  objs+=("$obj")
done
for p in "${pids[@]}"; do wait "$p"; done
for g in gtest-all gtest_main; do
  obj="$out/obj/$g.o"
  [ -f "$obj" ] || { echo "  c++ googletest/$g.cc"; "$CXX" -std=c++20 -O2 -I"$GT/include" -I"$GT" -c "$GT/src/$g.cc" -o "$obj"; }
  objs+=("$obj")
done

"$CXX" -o "$out/zhi_kernels_tests" "${objs[@]}" -lpthread
echo "running under qemu-aarch64 (-cpu max: NEON, dotprod, i8mm)"
qemu-aarch64 -cpu max -L /usr/aarch64-linux-gnu "$out/zhi_kernels_tests" --gtest_brief=1 "$@"
