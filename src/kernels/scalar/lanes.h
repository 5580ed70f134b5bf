// The accumulation shapes every kernel shares, written out in scalar code.
// A SIMD kernel keeps the same lanes in registers and reduces them in the
// same order, so it returns the scalar twin's result bit for bit; the
// reference engine's x86 kernels use these shapes too, which is what keeps
// chaotic test models on its side of every near-tie.
#pragma once

#include <cmath>
#include <cstdint>

namespace zhi::scalar {

// Eight f32 lanes, fed by fused multiply-adds of a scale and integer lanes.
struct Lanes8 {
  float v[8] = {};
  void fma(float d, const int32_t lanes[8]) {
    for (int k = 0; k < 8; ++k) v[k] = std::fma(d, static_cast<float>(lanes[k]), v[k]);
  }
  // ((0+4) + (2+6)) + ((1+5) + (3+7)): fold the high half onto the low,
  // then lanes 2,3 onto 0,1, then lane 1 onto 0.
  float hsum() const { return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])); }
};

// One f32 accumulator fed once per block: the block's lanes are summed as
// integers (exactly) before the one fused multiply-add. The batched kernels
// over packed weights use this shape: per block and row it costs one
// conversion and one FMA instead of eight, which is what lets a
// register-tiled GEMM keep the int8 units busy.
struct BlockSum {
  float v = 0.0f;
  void fma(float d, const int32_t lanes[8]) {
    int32_t sum = 0;
    for (int k = 0; k < 8; ++k) sum += lanes[k];
    v = std::fma(d, static_cast<float>(sum), v);
  }
  float hsum() const { return v; }
};

// Sixteen f32 lanes for the float formats: the fold of a 512-bit register
// (high 256 onto low, then as Lanes8).
struct Lanes16 {
  float v[16] = {};
  float hsum() const {
    float h[8];
    for (int k = 0; k < 8; ++k) h[k] = v[k] + v[k + 8];
    return ((h[0] + h[4]) + (h[2] + h[6])) + ((h[1] + h[5]) + (h[3] + h[7]));
  }
};

// The float formats' dot product: element i into lane i % 16 by fused
// multiply-add, summed by the pairwise tree of Lanes16::hsum; a tail
// shorter than 16 is added in order. a(i) and b(i) give element i.
template <typename LoadA, typename LoadB>
inline float float_dot(int64_t n, LoadA a, LoadB b) {
  Lanes16 acc;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; ++k) acc.v[k] = std::fma(a(i + k), b(i + k), acc.v[k]);
  float sum = acc.hsum();
  for (; i < n; ++i) sum = std::fma(a(i), b(i), sum);
  return sum;
}

}  // namespace zhi::scalar
