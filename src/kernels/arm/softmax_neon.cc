// NEON attention softmax and SiLU: the scalar twins' operations four lanes
// at a time (kernels/scalar/softmax_scalar.cc), the same bits out. The
// twins' choices that NEON must spell out: fmin ignores a NaN (vminnm, not
// vmin), k rounds to nearest even (vrndn), and the sum keeps sixteen double
// lanes in position order (j % 16), eight float64x2 registers.
#include <arm_neon.h>

#include <limits>

#include "kernels/kernel_table.h"
#include "kernels/scalar/exp_approx.h"
#include "kernels/scalar/softmax_scalar.h"

namespace zhi {
namespace {

// scalar::exp_approx, lane by lane.
inline float32x4_t exp4(float32x4_t x) {
  using namespace scalar;
  const uint32x4_t below = vcltq_f32(x, vdupq_n_f32(kExpMin));  // false for NaN, as the twin's test
  x = vminnmq_f32(x, vdupq_n_f32(kExpMax));
  const float32x4_t k = vrndnq_f32(vmulq_n_f32(x, kLog2e));
  float32x4_t r = vfmaq_n_f32(x, k, -kLn2Hi);
  r = vfmaq_n_f32(r, k, -kLn2Lo);
  float32x4_t p = vdupq_n_f32(kExpPoly[0]);
  for (int i = 1; i < 6; ++i) p = vfmaq_f32(vdupq_n_f32(kExpPoly[i]), p, r);
  const float32x4_t y = vaddq_f32(vfmaq_f32(r, p, vmulq_f32(r, r)), vdupq_n_f32(1.0f));
  const int32x4_t bits = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23);
  const float32x4_t e = vmulq_f32(y, vreinterpretq_f32_s32(bits));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(e), below));
}

void softmax(float* p, int64_t n, float scale, bool round_f16) {
  const int64_t n16 = n / 16 * 16;
  float32x4_t vmax = vdupq_n_f32(-std::numeric_limits<float>::infinity());
  for (int64_t j = 0; j < n16; j += 4) {
    const float32x4_t v = vmulq_n_f32(vld1q_f32(p + j), scale);
    vst1q_f32(p + j, v);
    vmax = vmaxq_f32(vmax, v);
  }
  float max_score = vmaxvq_f32(vmax);
  max_score = scalar::softmax_scale_max(p, n16, n, scale, max_score);
  const float32x4_t vm = vdupq_n_f32(max_score);
  float64x2_t lanes2[8];  // lanes2[m] holds double lanes 2m, 2m + 1
  for (auto& l : lanes2) l = vdupq_n_f64(0.0);
  for (int64_t j = 0; j < n16; j += 16) {
    for (int u = 0; u < 4; ++u) {
      const float32x4_t e = exp4(vsubq_f32(vld1q_f32(p + j + 4 * u), vm));
      vst1q_f32(p + j + 4 * u, e);
      lanes2[2 * u] = vaddq_f64(lanes2[2 * u], vcvt_f64_f32(vget_low_f32(e)));
      lanes2[2 * u + 1] = vaddq_f64(lanes2[2 * u + 1], vcvt_high_f64_f32(e));
    }
  }
  double lanes[scalar::kSoftmaxLanes];
  for (int m = 0; m < 8; ++m) vst1q_f64(lanes + 2 * m, lanes2[m]);
  scalar::softmax_exp_sum(p, n16, n, max_score, lanes);
  const float inv_sum = scalar::softmax_inverse_sum(lanes);
  for (int64_t j = 0; j < n16; j += 4) {
    float32x4_t v = vmulq_n_f32(vld1q_f32(p + j), inv_sum);
    if (round_f16) v = vcvt_f32_f16(vcvt_f16_f32(v));
    vst1q_f32(p + j, v);
  }
  scalar::softmax_normalize(p, n16, n, inv_sum, round_f16);
}

void silu_mul(float* gate, const float* up, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t g = vld1q_f32(gate + i);
    const float32x4_t s = vdivq_f32(g, vaddq_f32(vdupq_n_f32(1.0f), exp4(vnegq_f32(g))));
    vst1q_f32(gate + i, vmulq_f32(s, vld1q_f32(up + i)));
  }
  scalar::silu_mul(gate + i, up + i, n - i);
}

}  // namespace

void fill_neon_softmax(KernelTable& t) {
  t.softmax = softmax;
  t.silu_mul = silu_mul;
}

}  // namespace zhi
