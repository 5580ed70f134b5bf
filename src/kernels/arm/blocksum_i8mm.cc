// ARMv8.6 i8mm batched products over packed 32-element weights for
// BatchArithmetic::kBlockSum (--fast-prompts), bit-identical to
// scalar::blocksum_dot_for: each block's exact integer sum, folded into one
// f32 accumulator per row and token with one FMA by d_w * d_x.
//
// Why only the block-sum arithmetic: smmla sums eight products into one
// int32, while the reference arithmetic keeps eight lanes of four products
// per block apart (kernels/arm/kernels_neon.cc does those with sdot). A
// block's total is what smmla gives directly.
//
// Tile: sixteen rows (one packed group) by two tokens. smmla multiplies a
// 2x8 by an 8x2 int8 matrix into a 2x2 of int32, so one instruction covers
// two rows, two tokens and eight elements: lanes 2m and 2m + 1 of the packed
// layout (elements 8m .. 8m + 7), the rows' 4-byte groups zipped in pairs.
// Eight int32x4 block sums (row pairs) and eight f32 accumulators stay in
// registers; a block takes 32 smmla for 1,024 products.
#include <arm_neon.h>

#include "kernels/arm/packed_lanes_neon.h"
#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"

namespace zhi {
namespace {

// The 2x8 left operands of row pairs (4 quad, 4 quad + 1) and
// (4 quad + 2, 4 quad + 3): lanes 2m and 2m + 1 of four rows, zipped.
template <Fmt F, int m>
inline void row_pairs(const uint8_t* p, int quad, int8x16_t& lo, int8x16_t& hi) {
  const uint32x4_t a = vreinterpretq_u32_s8(lane_values<F, 2 * m>(p, quad));
  const uint32x4_t b = vreinterpretq_u32_s8(lane_values<F, 2 * m + 1>(p, quad));
  lo = vreinterpretq_s8_u32(vzip1q_u32(a, b));
  hi = vreinterpretq_s8_u32(vzip2q_u32(a, b));
}

// Elements 8m .. 8m + 7 of both tokens' quants of one block: the 8x2 right
// operand.
template <Fmt F, int m>
inline void block_part(const uint8_t* p, const int8_t* q0, const int8_t* q1, int32x4_t (&isum)[8]) {
  const int8x16_t x = vcombine_s8(vld1_s8(q0 + 8 * m), vld1_s8(q1 + 8 * m));
  for (int quad = 0; quad < 4; ++quad) {
    int8x16_t lo, hi;
    row_pairs<F, m>(p, quad, lo, hi);
    isum[2 * quad] = vmmlaq_s32(isum[2 * quad], lo, x);
    isum[2 * quad + 1] = vmmlaq_s32(isum[2 * quad + 1], hi, x);
  }
}

// Rows of group `group` against tokens t0 and t1 (the same token when only
// one is left: its lanes are computed twice and stored once).
template <Fmt F>
void tile(const uint8_t* group, int64_t nb, const ActView& x, int64_t t0, int64_t t1, float* out,
          int64_t ldo) {
  const int8_t* q0 = x.q(t0);
  const int8_t* q1 = x.q(t1);
  const float* dx0 = x.d(t0);
  const float* dx1 = x.d(t1);
  // acc[i] lanes: (row 2i, t0), (row 2i, t1), (row 2i + 1, t0), (row 2i + 1, t1).
  float32x4_t acc[8];
  for (auto& a : acc) a = vdupq_n_f32(0.0f);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* p = group + b * kBlockBytes<F>;
    int32x4_t isum[8];
    for (auto& s : isum) s = vdupq_n_s32(0);
    block_part<F, 0>(p, q0 + 32 * b, q1 + 32 * b, isum);
    block_part<F, 1>(p, q0 + 32 * b, q1 + 32 * b, isum);
    block_part<F, 2>(p, q0 + 32 * b, q1 + 32 * b, isum);
    block_part<F, 3>(p, q0 + 32 * b, q1 + 32 * b, isum);
    // d_w * d_x as the twin rounds it, in each accumulator lane's order.
    const float32x4_t dx = {dx0[b], dx1[b], dx0[b], dx1[b]};
    const uint16x8_t h0 = vld1q_u16(reinterpret_cast<const uint16_t*>(p));
    const uint16x8_t h1 = vld1q_u16(reinterpret_cast<const uint16_t*>(p) + 8);
    const float32x4_t dw[4] = {vcvt_f32_f16(vreinterpret_f16_u16(vget_low_u16(h0))),
                               vcvt_f32_f16(vreinterpret_f16_u16(vget_high_u16(h0))),
                               vcvt_f32_f16(vreinterpret_f16_u16(vget_low_u16(h1))),
                               vcvt_f32_f16(vreinterpret_f16_u16(vget_high_u16(h1)))};
    for (int quad = 0; quad < 4; ++quad) {
      const float32x4_t d_lo = vmulq_f32(vzip1q_f32(dw[quad], dw[quad]), dx);
      const float32x4_t d_hi = vmulq_f32(vzip2q_f32(dw[quad], dw[quad]), dx);
      acc[2 * quad] = vfmaq_f32(acc[2 * quad], vcvtq_f32_s32(isum[2 * quad]), d_lo);
      acc[2 * quad + 1] = vfmaq_f32(acc[2 * quad + 1], vcvtq_f32_s32(isum[2 * quad + 1]), d_hi);
    }
  }
  for (int i = 0; i < 8; ++i) {
    out[t0 * ldo + 2 * i] = vgetq_lane_f32(acc[i], 0);
    out[t0 * ldo + 2 * i + 1] = vgetq_lane_f32(acc[i], 2);
    if (t1 != t0) {
      out[t1 * ldo + 2 * i] = vgetq_lane_f32(acc[i], 1);
      out[t1 * ldo + 2 * i + 1] = vgetq_lane_f32(acc[i], 3);
    }
  }
}

template <Fmt F>
void gemm_blocksum(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t n_tokens,
                   float* out, int64_t ldo) {
  const int64_t nb = x.cols / 32;
  // Token pairs outside, groups inside: a task's groups (a few tens of KB)
  // stay in cache while each pair's quants are read once.
  for (int64_t t = 0; t < n_tokens; t += 2) {
    const int64_t t1 = t + 1 < n_tokens ? t + 1 : t;
    for (int64_t g = 0; g < n_groups; ++g)
      tile<F>(groups + g * nb * kBlockBytes<F>, nb, x, t, t1, out + kPackRows * g, ldo);
  }
}

}  // namespace

void fill_neon_i8mm(KernelTable& t) {
  t.gemm_blocksum[static_cast<uint32_t>(GgmlType::kQ8_0)] = gemm_blocksum<Fmt::kQ8_0>;
  t.gemm_blocksum[static_cast<uint32_t>(GgmlType::kQ4_0)] = gemm_blocksum<Fmt::kQ4_0>;
  t.gemm_blocksum[static_cast<uint32_t>(GgmlType::kQ5_0)] = gemm_blocksum<Fmt::kQ5_0>;
}

}  // namespace zhi
