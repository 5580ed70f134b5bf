// NEON (dotprod) decode over packed Q4_K and Q6_K weights
// (kernels/packed_weights.h), the ARM64 twin of the K-quant kernels in
// packed_avx512.cc and bit-identical to the scalar twins: per row and
// super-block, the exact integer sums sum(scale * sub-block dot) (and for
// Q4_K sum(min * bsum)), each folded in with one FMA by d_x * d_w.
//
// A 64-byte slab is four q registers, each the same four code bytes of four
// rows ("quad"), so one sdot by the token's four quants (broadcast) adds
// four products to each of four rows. The codes are below 64, so they are
// valid signed bytes and need no offset. A group of sixteen rows runs as
// four quads, each over the whole row so its chains stay in registers.
#include <arm_neon.h>

#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"

namespace zhi {
namespace {

constexpr int64_t kQ4KBlock = 2304;
constexpr int64_t kQ6KBlock = 3360;

inline int8x16_t broadcast_quants(const int8_t* q) {
  uint32_t v;
  std::memcpy(&v, q, 4);
  return vreinterpretq_s8_u32(vdupq_n_u32(v));
}

// Byte i of each of the four rows' dwords, as i32.
inline int32x4_t byte_lane(uint8x16_t v, int i) {
  const uint32x4_t w = vreinterpretq_u32_u8(v);
  return vreinterpretq_s32_u32(vandq_u32(vshlq_u32(w, vdupq_n_s32(-8 * i)), vdupq_n_u32(0xFF)));
}

inline float32x4_t f16x4(const uint8_t* p) {
  return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(p))));
}

void gemv_packed_q4_k(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t,
                      float* out) {
  const int64_t nb = x.cols / kQK_K;
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  const int16_t* bsums = x.bsums(t);
  const uint8x16_t m0f = vdupq_n_u8(0x0F), m3f = vdupq_n_u8(0x3F), m30 = vdupq_n_u8(0x30);
  for (int64_t g = 0; g < n_groups; ++g) {
    for (int quad = 0; quad < 4; ++quad) {
      float32x4_t acc = vdupq_n_f32(0.0f), acc_min = vdupq_n_f32(0.0f);
      for (int64_t i = 0; i < nb; ++i) {
        const uint8_t* p = groups + (g * nb + i) * kQ4KBlock;
        const int8_t* q = q8 + i * kQK_K;
        const int16_t* bs = bsums + i * 16;
        const uint8x16_t d0 = vld1q_u8(p + 64 + 16 * quad), d1 = vld1q_u8(p + 128 + 16 * quad),
                         d2 = vld1q_u8(p + 192 + 16 * quad);
        // Scales and mins 0-3: the low six bits of bytes 0-3 and 4-7; 4-7:
        // the low four bits from bytes 8-11, the top two from the top of
        // bytes 0-3 (scales) or 4-7 (mins).
        const uint8x16_t sc03 = vandq_u8(d0, m3f), mn03 = vandq_u8(d1, m3f);
        const uint8x16_t sc47 = vorrq_u8(vandq_u8(d2, m0f), vandq_u8(vshrq_n_u8(d0, 2), m30));
        const uint8x16_t mn47 = vorrq_u8(vshrq_n_u8(d2, 4), vandq_u8(vshrq_n_u8(d1, 2), m30));
        int32x4_t isum = vdupq_n_s32(0), msum = vdupq_n_s32(0);
        for (int c = 0; c < 4; ++c) {
          int32x4_t lo = vdupq_n_s32(0), hi = vdupq_n_s32(0);
          for (int k = 0; k < 8; ++k) {
            const uint8x16_t v = vld1q_u8(p + 256 + 64 * (8 * c + k) + 16 * quad);
            lo = vdotq_s32(lo, vreinterpretq_s8_u8(vandq_u8(v, m0f)),
                           broadcast_quants(q + 64 * c + 4 * k));
            hi = vdotq_s32(hi, vreinterpretq_s8_u8(vshrq_n_u8(v, 4)),
                           broadcast_quants(q + 64 * c + 32 + 4 * k));
          }
          const int g_lo = 2 * c, g_hi = 2 * c + 1;
          const int32x4_t sc_lo = byte_lane(g_lo < 4 ? sc03 : sc47, g_lo % 4);
          const int32x4_t sc_hi = byte_lane(g_hi < 4 ? sc03 : sc47, g_hi % 4);
          const int32x4_t mn_lo = byte_lane(g_lo < 4 ? mn03 : mn47, g_lo % 4);
          const int32x4_t mn_hi = byte_lane(g_hi < 4 ? mn03 : mn47, g_hi % 4);
          isum = vmlaq_s32(vmlaq_s32(isum, lo, sc_lo), hi, sc_hi);
          msum = vmlaq_n_s32(vmlaq_n_s32(msum, mn_lo, bs[4 * c] + bs[4 * c + 1]), mn_hi,
                             bs[4 * c + 2] + bs[4 * c + 3]);
        }
        acc = vfmaq_f32(acc, vcvtq_f32_s32(isum), vmulq_n_f32(f16x4(p + 8 * quad), d8[i]));
        acc_min =
            vfmaq_f32(acc_min, vcvtq_f32_s32(msum), vmulq_n_f32(f16x4(p + 32 + 8 * quad), d8[i]));
      }
      vst1q_f32(out + kPackRows * g + 4 * quad, vsubq_f32(acc, acc_min));
    }
  }
}

// Q6_K: codes are the unsigned 6-bit values; each sub-block's dot product
// starts from -32 * (sum of its 16 activation quants), the Q8_K bsums.
void gemv_packed_q6_k(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t,
                      float* out) {
  const int64_t nb = x.cols / kQK_K;
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  const int16_t* bsums = x.bsums(t);
  const uint8x16_t m0f = vdupq_n_u8(0x0F), m30 = vdupq_n_u8(0x30);
  for (int64_t g = 0; g < n_groups; ++g) {
    for (int quad = 0; quad < 4; ++quad) {
      float32x4_t acc = vdupq_n_f32(0.0f);
      for (int64_t i = 0; i < nb; ++i) {
        const uint8_t* p = groups + (g * nb + i) * kQ6KBlock;
        const int8_t* q = q8 + i * kQK_K;
        const int16_t* bs = bsums + i * 16;
        int32x4_t isum = vdupq_n_s32(0);
        for (int h = 0; h < 2; ++h) {
          for (int half = 0; half < 2; ++half) {
            // Sub-block 8h + 2k + half for quarter k.
            int32x4_t s[4];
            for (int k = 0; k < 4; ++k) s[k] = vdupq_n_s32(-32 * bs[8 * h + 2 * k + half]);
            for (int c = 4 * half; c < 4 * half + 4; ++c) {
              const uint8_t* slab = p + 288 + 192 * (8 * h + c) + 16 * quad;
              const uint8x16_t a = vld1q_u8(slab), b = vld1q_u8(slab + 64),
                               qh = vld1q_u8(slab + 128);
              const uint8x16_t codes[4] = {
                  vorrq_u8(vandq_u8(a, m0f), vandq_u8(vshlq_n_u8(qh, 4), m30)),
                  vorrq_u8(vandq_u8(b, m0f), vandq_u8(vshlq_n_u8(qh, 2), m30)),
                  vorrq_u8(vshrq_n_u8(a, 4), vandq_u8(qh, m30)),
                  vorrq_u8(vshrq_n_u8(b, 4), vandq_u8(vshrq_n_u8(qh, 2), m30))};
              for (int k = 0; k < 4; ++k)
                s[k] = vdotq_s32(s[k], vreinterpretq_s8_u8(codes[k]),
                                 broadcast_quants(q + 128 * h + 32 * k + 4 * c));
            }
            for (int k = 0; k < 4; ++k) {
              // The four rows' i8 scales of this sub-block, widened.
              int8_t sc[4];
              std::memcpy(sc, p + 32 + 16 * (8 * h + 2 * k + half) + 4 * quad, 4);
              const int32x4_t scale = {sc[0], sc[1], sc[2], sc[3]};
              isum = vmlaq_s32(isum, s[k], scale);
            }
          }
        }
        acc = vfmaq_f32(acc, vcvtq_f32_s32(isum), vmulq_n_f32(f16x4(p + 8 * quad), d8[i]));
      }
      // The twin subtracts a zero min term; x - 0 keeps its bits, -0 included.
      vst1q_f32(out + kPackRows * g + 4 * quad, vsubq_f32(acc, vdupq_n_f32(0.0f)));
    }
  }
}

}  // namespace

void fill_neon_packed_kquant(KernelTable& t) {
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ4_K)] = gemv_packed_q4_k;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ6_K)] = gemv_packed_q6_k;
}

}  // namespace zhi
