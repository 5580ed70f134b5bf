#include "model/rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace zhi {
namespace {

// The pair index at which a rotation completes `n_rot` turns over the original
// context: below it frequencies are extrapolated, above interpolated.
double yarn_corr_dim(double head_dim, double orig_ctx, double n_rot, double base) {
  return head_dim * std::log(orig_ctx / (n_rot * 2.0 * std::numbers::pi)) / (2.0 * std::log(base));
}

}  // namespace

Rope::Rope(const Qwen2Config& c) : head_dim_(c.head_dim) {
  const int64_t half = head_dim_ / 2;
  inv_freq_.resize(half);
  yarn_mix_.assign(half, 1.0);
  for (int64_t i = 0; i < half; ++i) {
    inv_freq_[i] = std::pow(static_cast<double>(c.rope_theta), -2.0 * static_cast<double>(i) / head_dim_);
  }
  if (c.rope_scaling == RopeScaling::kYarn) {
    constexpr double kBetaFast = 32.0;
    constexpr double kBetaSlow = 1.0;
    const double d = static_cast<double>(head_dim_);
    const double orig = static_cast<double>(c.rope_orig_ctx);
    const double low = std::max(0.0, std::floor(yarn_corr_dim(d, orig, kBetaFast, c.rope_theta)));
    const double high = std::min(d - 1.0, std::ceil(yarn_corr_dim(d, orig, kBetaSlow, c.rope_theta)));
    freq_scale_ = 1.0 / c.rope_factor;
    mscale_ = 1.0 + 0.1 * std::log(static_cast<double>(c.rope_factor));
    for (int64_t i = 0; i < half; ++i) {
      const double y = (static_cast<double>(i) - low) / std::max(0.001, high - low);
      yarn_mix_[i] = 1.0 - std::clamp(y, 0.0, 1.0);
    }
  }
}

void Rope::angles(int64_t pos, float* cos_out, float* sin_out) const {
  const int64_t half = head_dim_ / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double extrap = static_cast<double>(pos) * inv_freq_[i];
    const double theta = extrap * yarn_mix_[i] + freq_scale_ * extrap * (1.0 - yarn_mix_[i]);
    cos_out[i] = static_cast<float>(std::cos(theta) * mscale_);
    sin_out[i] = static_cast<float>(std::sin(theta) * mscale_);
  }
}

void Rope::rotate(float* x, int64_t n_heads, const float* cos_v, const float* sin_v) const {
  const int64_t half = head_dim_ / 2;
  for (int64_t h = 0; h < n_heads; ++h) {
    float* v = x + h * head_dim_;
    for (int64_t i = 0; i < half; ++i) {
      const float a = v[i];
      const float b = v[i + half];
      v[i] = a * cos_v[i] - b * sin_v[i];
      v[i + half] = a * sin_v[i] + b * cos_v[i];
    }
  }
}

}  // namespace zhi
