// The scalar twins of every ISA's attention softmax (SoftmaxFn) and
// feed-forward activation (SiluMulFn), both built on exp_approx.
#pragma once

#include <cstdint>

namespace zhi::scalar {

inline constexpr int kSoftmaxLanes = 16;

void softmax(float* p, int64_t n, float scale, bool round_f16);

// The scalar twin of SiluMulFn.
void silu_mul(float* gate, const float* up, int64_t n);

}  // namespace zhi::scalar
