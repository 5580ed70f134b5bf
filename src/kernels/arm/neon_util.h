// Small NEON helpers the kernels_neon.cc family shares. Internal linkage:
// each including file gets its own copy, compiled for its own flags.
#pragma once

#include <arm_neon.h>

namespace zhi {
namespace {

// ((0+4) + (2+6)) + ((1+5) + (3+7)) for lanes 0-3 in lo, 4-7 in hi.
inline float hsum8(float32x4_t lo, float32x4_t hi) {
  const float32x4_t h = vaddq_f32(lo, hi);
  const float32x2_t g = vadd_f32(vget_low_f32(h), vget_high_f32(h));
  return vget_lane_f32(g, 0) + vget_lane_f32(g, 1);
}

// A cache-line hint in assembly: GCC 12 drops a __builtin_prefetch that sits
// behind a condition.
inline void prefetch_line(const void* p) { asm volatile("prfm pldl1keep, [%0]" : : "r"(p)); }

}  // namespace
}  // namespace zhi
