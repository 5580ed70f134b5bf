// The scalar twin of every ISA's attention softmax (see SoftmaxFn).
#pragma once

#include <cstdint>

namespace zhi::scalar {

inline constexpr int kSoftmaxLanes = 16;

void softmax(float* p, int64_t n, float scale, bool round_f16);

}  // namespace zhi::scalar
