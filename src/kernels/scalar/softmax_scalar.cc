#include "kernels/scalar/softmax_scalar.h"

#include <algorithm>
#include <limits>

#include "core/half.h"
#include "kernels/scalar/exp_approx.h"

namespace zhi::scalar {

void softmax(float* p, int64_t n, float scale, bool round_f16) {
  float max_score = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < n; ++j) {
    p[j] *= scale;
    max_score = std::max(max_score, p[j]);
  }
  double lanes[kSoftmaxLanes] = {};
  for (int64_t j = 0; j < n; ++j) {
    p[j] = exp_approx(p[j] - max_score);
    lanes[j % kSoftmaxLanes] += p[j];
  }
  double sum = 0.0;
  for (double lane : lanes) sum += lane;
  const float inv_sum = static_cast<float>(1.0 / sum);
  for (int64_t j = 0; j < n; ++j) {
    p[j] *= inv_sum;
    if (round_f16) p[j] = f16_to_f32(f32_to_f16(p[j]));
  }
}

void silu_mul(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    gate[i] = g / (1.0f + exp_approx(-g)) * up[i];
  }
}

}  // namespace zhi::scalar
