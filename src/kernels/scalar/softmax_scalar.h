// The scalar twins of every ISA's attention softmax (SoftmaxFn) and
// feed-forward activation (SiluMulFn), both built on exp_approx.
#pragma once

#include <cstdint>

namespace zhi::scalar {

inline constexpr int kSoftmaxLanes = 16;

void softmax(float* p, int64_t n, float scale, bool round_f16);

// softmax's stages over p[from, n), which SIMD versions use for the tail
// their vectors leave (positions keep their lane: j % kSoftmaxLanes).
// Scales by `scale`; returns the max of max_score and the scaled values.
float softmax_scale_max(float* p, int64_t from, int64_t n, float scale, float max_score);
// p[j] = exp_approx(p[j] - max_score), summed into lanes[j % kSoftmaxLanes].
void softmax_exp_sum(float* p, int64_t from, int64_t n, float max_score,
                     double lanes[kSoftmaxLanes]);
// 1 / (the lanes summed in order), as f32.
float softmax_inverse_sum(const double lanes[kSoftmaxLanes]);
// p[j] *= inv_sum, then through f16 when round_f16.
void softmax_normalize(float* p, int64_t from, int64_t n, float inv_sum, bool round_f16);

// The scalar twin of SiluMulFn.
void silu_mul(float* gate, const float* up, int64_t n);

}  // namespace zhi::scalar
