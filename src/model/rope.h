// Rotary position embedding, NEOX style (dimension i pairs with i + d/2),
// with optional YaRN context extension as the reference applies it.
#pragma once

#include <cstdint>
#include <vector>

#include "model/qwen2_config.h"

namespace zhi {

class Rope {
 public:
  explicit Rope(const Qwen2Config& config);

  int64_t head_dim() const { return head_dim_; }
  // cos/sin of every rotation pair at `pos`; each output holds head_dim/2 values.
  void angles(int64_t pos, float* cos_out, float* sin_out) const;
  // Rotates n_heads consecutive heads of x in place, given angles() output.
  void rotate(float* x, int64_t n_heads, const float* cos_v, const float* sin_v) const;

 private:
  int64_t head_dim_;
  std::vector<double> inv_freq_;  // base^(-2i/d), per pair
  std::vector<double> yarn_mix_;  // 1 = keep extrapolated angle, 0 = interpolate
  double freq_scale_ = 1.0;
  double mscale_ = 1.0;
};

}  // namespace zhi
