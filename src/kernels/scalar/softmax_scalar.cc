#include "kernels/scalar/softmax_scalar.h"

#include <algorithm>
#include <limits>

#include "core/half.h"
#include "kernels/scalar/exp_approx.h"

namespace zhi::scalar {

float softmax_scale_max(float* p, int64_t from, int64_t n, float scale, float max_score) {
  for (int64_t j = from; j < n; ++j) {
    p[j] *= scale;
    max_score = std::max(max_score, p[j]);
  }
  return max_score;
}

void softmax_exp_sum(float* p, int64_t from, int64_t n, float max_score,
                     double lanes[kSoftmaxLanes]) {
  for (int64_t j = from; j < n; ++j) {
    p[j] = exp_approx(p[j] - max_score);
    lanes[j % kSoftmaxLanes] += p[j];
  }
}

float softmax_inverse_sum(const double lanes[kSoftmaxLanes]) {
  double sum = 0.0;
  for (int k = 0; k < kSoftmaxLanes; ++k) sum += lanes[k];
  return static_cast<float>(1.0 / sum);
}

void softmax_normalize(float* p, int64_t from, int64_t n, float inv_sum, bool round_f16) {
  for (int64_t j = from; j < n; ++j) {
    p[j] *= inv_sum;
    if (round_f16) p[j] = f16_to_f32(f32_to_f16(p[j]));
  }
}

void softmax(float* p, int64_t n, float scale, bool round_f16) {
  const float max_score =
      softmax_scale_max(p, 0, n, scale, -std::numeric_limits<float>::infinity());
  double lanes[kSoftmaxLanes] = {};
  softmax_exp_sum(p, 0, n, max_score, lanes);
  softmax_normalize(p, 0, n, softmax_inverse_sum(lanes), round_f16);
}

void silu_mul(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    gate[i] = g / (1.0f + exp_approx(-g)) * up[i];
  }
}

}  // namespace zhi::scalar
