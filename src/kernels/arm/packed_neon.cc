// NEON (dotprod) decode over packed weights (kernels/packed_weights.h), the
// ARM64 twin of packed_avx512.cc and bit-identical to the scalar twins.
//
// A 64-byte slab is four q registers, each the same four code bytes of four
// rows: one sdot by the token's four quants (broadcast) gives lane k of four
// rows exactly as the twin's integer lane sum. Sixteen f32 accumulators hold
// eight lanes of eight rows, so a group of sixteen rows takes two passes.
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/packed_lanes_neon.h"
#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"

namespace zhi {
namespace {

template <Fmt F, int k>
inline void lane(const uint8_t* p, const int8_t* q, float32x4_t dd0, float32x4_t dd1, int half,
                 float32x4_t (&acc)[8][2]) {
  const int8x16_t x = broadcast_quants(q + 4 * k);
  const int32x4_t l0 = vdotq_s32(vdupq_n_s32(0), lane_values<F, k>(p, 2 * half), x);
  const int32x4_t l1 = vdotq_s32(vdupq_n_s32(0), lane_values<F, k>(p, 2 * half + 1), x);
  acc[k][0] = vfmaq_f32(acc[k][0], vcvtq_f32_s32(l0), dd0);
  acc[k][1] = vfmaq_f32(acc[k][1], vcvtq_f32_s32(l1), dd1);
}

template <Fmt F>
void gemv_packed(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t, float* out) {
  const int64_t nb = x.cols / 32;
  const int8_t* q = x.q(t);
  const float* dx = x.d(t);
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* base = groups + g * nb * kBlockBytes<F>;
    for (int half = 0; half < 2; ++half) {  // rows 8*half .. 8*half+7
      float32x4_t acc[8][2];
      for (auto& a : acc) a[0] = a[1] = vdupq_n_f32(0.0f);
      for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* p = base + b * kBlockBytes<F>;
        const float16x8_t d =
            vreinterpretq_f16_u16(vld1q_u16(reinterpret_cast<const uint16_t*>(p) + 8 * half));
        const float32x4_t dd0 = vmulq_n_f32(vcvt_f32_f16(vget_low_f16(d)), dx[b]);
        const float32x4_t dd1 = vmulq_n_f32(vcvt_f32_f16(vget_high_f16(d)), dx[b]);
        const int8_t* qb = q + 32 * b;
        lane<F, 0>(p, qb, dd0, dd1, half, acc);
        lane<F, 1>(p, qb, dd0, dd1, half, acc);
        lane<F, 2>(p, qb, dd0, dd1, half, acc);
        lane<F, 3>(p, qb, dd0, dd1, half, acc);
        lane<F, 4>(p, qb, dd0, dd1, half, acc);
        lane<F, 5>(p, qb, dd0, dd1, half, acc);
        lane<F, 6>(p, qb, dd0, dd1, half, acc);
        lane<F, 7>(p, qb, dd0, dd1, half, acc);
      }
      // The twins' lane order: ((0+4) + (2+6)) + ((1+5) + (3+7)).
      for (int i = 0; i < 2; ++i) {
        const float32x4_t s =
            vaddq_f32(vaddq_f32(vaddq_f32(acc[0][i], acc[4][i]), vaddq_f32(acc[2][i], acc[6][i])),
                      vaddq_f32(vaddq_f32(acc[1][i], acc[5][i]), vaddq_f32(acc[3][i], acc[7][i])));
        vst1q_f32(out + kPackRows * g + 8 * half + 4 * i, s);
      }
    }
  }
}

}  // namespace

void fill_neon_packed(KernelTable& t) {
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ8_0)] = gemv_packed<Fmt::kQ8_0>;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ4_0)] = gemv_packed<Fmt::kQ4_0>;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ5_0)] = gemv_packed<Fmt::kQ5_0>;
}

}  // namespace zhi
