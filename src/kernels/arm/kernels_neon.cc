// NEON kernels (ARMv8.2 dotprod), bit-identical to the scalar twins.
//
// sdot computes, per i32 lane, the sum of four byte products at positions
// 4i..4i+3 -- exactly the twins' lane definition -- so a 32-element block is
// two sdot into lanes 0-3 and 4-7, scaled by d_w*d_x with one fused
// multiply-add per four lanes. K-quants unpack each super-block to 256 codes,
// sixteen i16 scales and sixteen aux values (as the AVX-512 path does) and
// sum exactly in i32. Float formats and attention are in float_neon.cc.
#include <arm_neon.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/cpu_features.h"
#include "core/half.h"
#include "kernels/act_rows.h"
#include "kernels/activation_quant.h"
#include "kernels/arm/neon_util.h"
#include "kernels/kernel_table.h"
#include "quant/block_formats.h"

namespace zhi {
namespace {

constexpr int kRowTile = 4;

inline uint32_t load_u32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// 32 codes of a Q4_0-layout block as two 16-byte halves (elements 0-15, 16-31).
inline void nibbles(const uint8_t* qs, uint8x16_t* lo, uint8x16_t* hi) {
  const uint8x16_t v = vld1q_u8(qs);
  *lo = vandq_u8(v, vdupq_n_u8(0x0F));
  *hi = vshrq_n_u8(v, 4);
}

// 0x10 in byte j where bit j of the 32-bit qh is set: elements 0-15 and 16-31.
inline void fifth_bits(uint32_t qh, uint8x16_t* lo, uint8x16_t* hi) {
  const uint8x16_t bytes = vreinterpretq_u8_u32(vdupq_n_u32(qh));
  const uint8_t idx_lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
  const uint8_t idx_hi[16] = {2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
  const uint8_t bit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  const uint8x16_t b = vld1q_u8(bit), m = vdupq_n_u8(0x10);
  *lo = vandq_u8(vtstq_u8(vqtbl1q_u8(bytes, vld1q_u8(idx_lo)), b), m);
  *hi = vandq_u8(vtstq_u8(vqtbl1q_u8(bytes, vld1q_u8(idx_hi)), b), m);
}

// ---- 32-element formats: signed values of one block ----

struct Q8_0N {
  using Block = BlockQ8_0;
  static constexpr bool kMin = false;
  static void values(const Block& b, int8x16_t* lo, int8x16_t* hi) {
    *lo = vld1q_s8(b.qs);
    *hi = vld1q_s8(b.qs + 16);
  }
};
struct Q4_0N {
  using Block = BlockQ4_0;
  static constexpr bool kMin = false;
  static void values(const Block& b, int8x16_t* lo, int8x16_t* hi) {
    uint8x16_t l, h;
    nibbles(b.qs, &l, &h);
    *lo = vsubq_s8(vreinterpretq_s8_u8(l), vdupq_n_s8(8));
    *hi = vsubq_s8(vreinterpretq_s8_u8(h), vdupq_n_s8(8));
  }
};
struct Q5_0N {
  using Block = BlockQ5_0;
  static constexpr bool kMin = false;
  static void values(const Block& b, int8x16_t* lo, int8x16_t* hi) {
    uint8x16_t l, h, bl, bh;
    nibbles(b.qs, &l, &h);
    fifth_bits(load_u32(b.qh), &bl, &bh);
    *lo = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(l, bl)), vdupq_n_s8(16));
    *hi = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(h, bh)), vdupq_n_s8(16));
  }
};
struct Iq4NlN {
  using Block = BlockIq4Nl;
  static constexpr bool kMin = false;
  static void values(const Block& b, int8x16_t* lo, int8x16_t* hi) {
    uint8x16_t l, h;
    nibbles(b.qs, &l, &h);
    const int8x16_t table = vld1q_s8(kIq4nlValues);
    *lo = vqtbl1q_s8(table, l);
    *hi = vqtbl1q_s8(table, h);
  }
};
struct Q4_1N {
  using Block = BlockQ4_1;
  static constexpr bool kMin = true;
  static void values(const Block& b, int8x16_t* lo, int8x16_t* hi) {
    uint8x16_t l, h;
    nibbles(b.qs, &l, &h);
    *lo = vreinterpretq_s8_u8(l);
    *hi = vreinterpretq_s8_u8(h);
  }
};
struct Q5_1N {
  using Block = BlockQ5_1;
  static constexpr bool kMin = true;
  static void values(const Block& b, int8x16_t* lo, int8x16_t* hi) {
    uint8x16_t l, h, bl, bh;
    nibbles(b.qs, &l, &h);
    fifth_bits(load_u32(b.qh), &bl, &bh);
    *lo = vreinterpretq_s8_u8(vorrq_u8(l, bl));
    *hi = vreinterpretq_s8_u8(vorrq_u8(h, bh));
  }
};

template <class T, int R>
void legacy_rows(const uint8_t* w, int64_t ws, const ActView& x, int64_t t, float* out) {
  using Block = typename T::Block;
  const int64_t nb = x.cols / kQK;
  const int8_t* q = x.q(t);
  const float* d = x.d(t);
  float32x4_t lo[R], hi[R];
  float summs[R];
  for (int r = 0; r < R; ++r) lo[r] = vdupq_n_f32(0.0f), hi[r] = vdupq_n_f32(0.0f), summs[r] = 0.0f;
  const int32x4_t zero = vdupq_n_s32(0);
  for (int64_t b = 0; b < nb; ++b) {
    const int8x16_t q0 = vld1q_s8(q + b * kQK), q1 = vld1q_s8(q + b * kQK + 16);
    for (int r = 0; r < R; ++r) {
      const Block& blk = reinterpret_cast<const Block*>(w + r * ws)[b];
      int8x16_t v0, v1;
      T::values(blk, &v0, &v1);
      const float dd = f16_to_f32(blk.d) * d[b];
      lo[r] = vfmaq_n_f32(lo[r], vcvtq_f32_s32(vdotq_s32(zero, v0, q0)), dd);
      hi[r] = vfmaq_n_f32(hi[r], vcvtq_f32_s32(vdotq_s32(zero, v1, q1)), dd);
      if constexpr (T::kMin) summs[r] = std::fma(f16_to_f32(blk.m), x.s(t)[b], summs[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r] = hsum8(lo[r], hi[r]) + summs[r];
}

// A prompt's tokens meet the rows R x NT at a time: each block's codes are
// unpacked once for NT tokens and each token's quants loaded once for R rows.
// Every (row, token) keeps legacy_rows' arithmetic (two four-lane halves,
// the same product d_w * d_x, blocks in order). R = 2, NT = 4: 16
// accumulators + 4 code and 2 quant registers of the 32.
template <class T, int R, int NT>
void legacy_tile(const uint8_t* w, int64_t ws, const ActView& x, int64_t t0, float* out,
                 int64_t ldo) {
  using Block = typename T::Block;
  const int64_t nb = x.cols / kQK;
  float32x4_t lo[R][NT], hi[R][NT];
  float summs[R][NT];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < NT; ++t)
      lo[r][t] = vdupq_n_f32(0.0f), hi[r][t] = vdupq_n_f32(0.0f), summs[r][t] = 0.0f;
  const int32x4_t zero = vdupq_n_s32(0);
  for (int64_t b = 0; b < nb; ++b) {
    int8x16_t v0[R], v1[R];
    float dw[R];
    for (int r = 0; r < R; ++r) {
      const Block& blk = reinterpret_cast<const Block*>(w + r * ws)[b];
      T::values(blk, &v0[r], &v1[r]);
      dw[r] = f16_to_f32(blk.d);
    }
    for (int t = 0; t < NT; ++t) {
      const int8_t* q = x.q(t0 + t) + b * kQK;
      const int8x16_t q0 = vld1q_s8(q), q1 = vld1q_s8(q + 16);
      const float dx = x.d(t0 + t)[b];
      for (int r = 0; r < R; ++r) {
        const float dd = dw[r] * dx;
        lo[r][t] = vfmaq_n_f32(lo[r][t], vcvtq_f32_s32(vdotq_s32(zero, v0[r], q0)), dd);
        hi[r][t] = vfmaq_n_f32(hi[r][t], vcvtq_f32_s32(vdotq_s32(zero, v1[r], q1)), dd);
        if constexpr (T::kMin) {
          const Block& blk = reinterpret_cast<const Block*>(w + r * ws)[b];
          summs[r][t] = std::fma(f16_to_f32(blk.m), x.s(t0 + t)[b], summs[r][t]);
        }
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < NT; ++t) out[(t0 + t) * ldo + r] = hsum8(lo[r][t], hi[r][t]) + summs[r][t];
}

template <class T>
void gemm_legacy(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
                 int64_t ldo) {
  constexpr int kTileRows = 2, kTileTokens = 4;
  int64_t t = 0;
  for (; t + kTileTokens <= nt; t += kTileTokens) {
    int64_t r = 0;
    for (; r + kTileRows <= nr; r += kTileRows)
      legacy_tile<T, kTileRows, kTileTokens>(w + r * ws, ws, x, t, out + r, ldo);
    for (; r < nr; ++r) legacy_tile<T, 1, kTileTokens>(w + r * ws, ws, x, t, out + r, ldo);
  }
  for (; t < nt; ++t) {
    int64_t r = 0;
    for (; r + kRowTile <= nr; r += kRowTile)
      legacy_rows<T, kRowTile>(w + r * ws, ws, x, t, out + t * ldo + r);
    for (; r < nr; ++r) legacy_rows<T, 1>(w + r * ws, ws, x, t, out + t * ldo + r);
  }
}

// ---- IQ4_XS: eight lanes per super-block ----

void gemm_iq4_xs(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
                 int64_t ldo) {
  const int64_t nb = x.cols / kQK_K;
  const int8x16_t table = vld1q_s8(kIq4nlValues);
  const int32x4_t zero = vdupq_n_s32(0);
  for (int64_t t = 0; t < nt; ++t) {
    const int8_t* q = x.q(t);
    const float* d8 = x.d(t);
    for (int64_t r = 0; r < nr; ++r) {
      const BlockIq4Xs* b = reinterpret_cast<const BlockIq4Xs*>(w + r * ws);
      float32x4_t lo = vdupq_n_f32(0.0f), hi = vdupq_n_f32(0.0f);
      for (int64_t i = 0; i < nb; ++i) {
        int32x4_t l4 = zero, h4 = zero;
        for (int g = 0; g < 8; ++g) {
          const int ls = (((b[i].scales_l[g / 2] >> (4 * (g % 2))) & 15) |
                          (((b[i].scales_h >> (2 * g)) & 3) << 4)) -
                         32;
          uint8x16_t nl, nh;
          nibbles(b[i].qs + 16 * g, &nl, &nh);
          const int8_t* qg = q + i * kQK_K + 32 * g;
          l4 = vmlaq_n_s32(l4, vdotq_s32(zero, vqtbl1q_s8(table, nl), vld1q_s8(qg)), ls);
          h4 = vmlaq_n_s32(h4, vdotq_s32(zero, vqtbl1q_s8(table, nh), vld1q_s8(qg + 16)), ls);
        }
        const float dd = f16_to_f32(b[i].d) * d8[i];
        lo = vfmaq_n_f32(lo, vcvtq_f32_s32(l4), dd);
        hi = vfmaq_n_f32(hi, vcvtq_f32_s32(h4), dd);
      }
      out[t * ldo + r] = hsum8(lo, hi);
    }
  }
}

// ---- K-quants: codes, scales and aux per super-block ----

struct KUnpacked {
  uint8_t codes[kQK_K];  // < 64, element order
  int16_t scales[16];    // per 16 elements
  int16_t aux[16];       // correction (added to the sum) or mins (separate)
  float d, dmin;
};

void q3_scales(const uint8_t packed[12], int16_t out[16]) {
  uint32_t a[3];
  std::memcpy(a, packed, 12);
  const uint32_t s[4] = {
      (a[0] & 0x0f0f0f0fu) | (((a[2] >> 0) & 0x03030303u) << 4),
      (a[1] & 0x0f0f0f0fu) | (((a[2] >> 2) & 0x03030303u) << 4),
      ((a[0] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 4) & 0x03030303u) << 4),
      ((a[1] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 6) & 0x03030303u) << 4),
  };
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 4; ++j)
      out[4 * k + j] = static_cast<int16_t>(static_cast<int>((s[k] >> (8 * j)) & 0xFF) - 32);
}

struct Q2_KN {
  using Block = BlockQ2_K;
  static constexpr bool kMin = true;
  static void unpack(const Block& b, KUnpacked& u) {
    for (int h = 0; h < 2; ++h)
      for (int s = 0; s < 4; ++s)
        for (int half = 0; half < 2; ++half) {
          const uint8x16_t v = vld1q_u8(b.qs + 32 * h + 16 * half);
          vst1q_u8(u.codes + 128 * h + 32 * s + 16 * half,
                   vandq_u8(vshlq_u8(v, vdupq_n_s8(static_cast<int8_t>(-2 * s))), vdupq_n_u8(3)));
        }
    for (int g = 0; g < 16; ++g) u.scales[g] = b.scales[g] & 15, u.aux[g] = b.scales[g] >> 4;
    u.d = f16_to_f32(b.d);
    u.dmin = f16_to_f32(b.dmin);
  }
};

struct Q3_KN {
  using Block = BlockQ3_K;
  static constexpr bool kMin = false;
  static void unpack(const Block& b, KUnpacked& u) {
    for (int h = 0; h < 2; ++h)
      for (int s = 0; s < 4; ++s)
        for (int half = 0; half < 2; ++half) {
          const uint8x16_t v = vld1q_u8(b.qs + 32 * h + 16 * half);
          const uint8x16_t m = vld1q_u8(b.hmask + 16 * half);
          const uint8x16_t low =
              vandq_u8(vshlq_u8(v, vdupq_n_s8(static_cast<int8_t>(-2 * s))), vdupq_n_u8(3));
          const uint8x16_t bit =
              vandq_u8(vshlq_u8(m, vdupq_n_s8(static_cast<int8_t>(-(4 * h + s)))), vdupq_n_u8(1));
          vst1q_u8(u.codes + 128 * h + 32 * s + 16 * half, vorrq_u8(low, vshlq_n_u8(bit, 2)));
        }
    q3_scales(b.scales, u.scales);
    for (int g = 0; g < 16; ++g)
      u.aux[g] = static_cast<int16_t>(-4 * u.scales[g]);  // codes are value + 4
    u.d = f16_to_f32(b.d);
    u.dmin = 0.0f;
  }
};

template <bool kFifth, class Block>
void unpack_q45(const Block& b, const uint8_t* qh, KUnpacked& u) {
  for (int c = 0; c < 4; ++c)
    for (int half = 0; half < 2; ++half) {
      const uint8x16_t v = vld1q_u8(b.qs + 32 * c + 16 * half);
      uint8x16_t lo = vandq_u8(v, vdupq_n_u8(0x0F)), hi = vshrq_n_u8(v, 4);
      if constexpr (kFifth) {
        const uint8x16_t h = vld1q_u8(qh + 16 * half);
        lo = vorrq_u8(lo, vshlq_n_u8(vandq_u8(vshlq_u8(h, vdupq_n_s8(static_cast<int8_t>(-2 * c))),
                                              vdupq_n_u8(1)),
                                     4));
        hi = vorrq_u8(hi,
                      vshlq_n_u8(vandq_u8(vshlq_u8(h, vdupq_n_s8(static_cast<int8_t>(-2 * c - 1))),
                                          vdupq_n_u8(1)),
                                 4));
      }
      vst1q_u8(u.codes + 64 * c + 16 * half, lo);
      vst1q_u8(u.codes + 64 * c + 32 + 16 * half, hi);
    }
  for (int g = 0; g < 8; ++g) {
    uint8_t sc, mn;
    get_scale_min_k4(g, b.scales, &sc, &mn);
    u.scales[2 * g] = u.scales[2 * g + 1] = sc;
    u.aux[2 * g] = u.aux[2 * g + 1] = mn;
  }
  u.d = f16_to_f32(b.d);
  u.dmin = f16_to_f32(b.dmin);
}

struct Q4_KN {
  using Block = BlockQ4_K;
  static constexpr bool kMin = true;
  static void unpack(const Block& b, KUnpacked& u) { unpack_q45<false>(b, nullptr, u); }
};
struct Q5_KN {
  using Block = BlockQ5_K;
  static constexpr bool kMin = true;
  static void unpack(const Block& b, KUnpacked& u) { unpack_q45<true>(b, b.qh, u); }
};

struct Q6_KN {
  using Block = BlockQ6_K;
  static constexpr bool kMin = false;
  static void unpack(const Block& b, KUnpacked& u) {
    for (int h = 0; h < 2; ++h)
      for (int k = 0; k < 4; ++k)
        for (int half = 0; half < 2; ++half) {
          const uint8x16_t ql = vld1q_u8(b.ql + 64 * h + 32 * (k & 1) + 16 * half);
          const uint8x16_t qh = vld1q_u8(b.qh + 32 * h + 16 * half);
          const uint8x16_t lo = (k >> 1) ? vshrq_n_u8(ql, 4) : vandq_u8(ql, vdupq_n_u8(0x0F));
          const uint8x16_t hi =
              vandq_u8(vshlq_u8(qh, vdupq_n_s8(static_cast<int8_t>(-2 * k))), vdupq_n_u8(3));
          vst1q_u8(u.codes + 128 * h + 32 * k + 16 * half, vorrq_u8(lo, vshlq_n_u8(hi, 4)));
        }
    for (int g = 0; g < 16; ++g)
      u.scales[g] = b.scales[g], u.aux[g] = static_cast<int16_t>(-32 * b.scales[g]);
    u.d = f16_to_f32(b.d);
    u.dmin = 0.0f;
  }
};

// Each super-block of a row is unpacked once for up to kTokens tokens of a
// prompt; every (row, token) still accumulates over the super-blocks in
// order, with the same exact integer sums.
template <class K>
void gemm_k(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
            int64_t ldo) {
  using Block = typename K::Block;
  constexpr int kTokens = 8;
  const int64_t nb = x.cols / kQK_K;
  const int32x4_t zero = vdupq_n_s32(0);
  KUnpacked u;
  for (int64_t r = 0; r < nr; ++r) {
    const Block* row = reinterpret_cast<const Block*>(w + r * ws);
    for (int64_t t0 = 0; t0 < nt; t0 += kTokens) {
      const int64_t n = std::min<int64_t>(kTokens, nt - t0);
      float acc[kTokens] = {}, acc_min[kTokens] = {};
      for (int64_t i = 0; i < nb; ++i) {
        K::unpack(row[i], u);
        for (int64_t t = 0; t < n; ++t) {
          const int8_t* q8 = x.q(t0 + t);
          const int16_t* bsums = x.bsums(t0 + t);
          int32x4_t s = zero;
          for (int g = 0; g < 16; ++g) {
            const int32x4_t p = vdotq_s32(zero, vreinterpretq_s8_u8(vld1q_u8(u.codes + 16 * g)),
                                          vld1q_s8(q8 + i * kQK_K + 16 * g));
            s = vmlaq_n_s32(s, p, u.scales[g]);
          }
          int32_t aux = 0;
          for (int g = 0; g < 16; ++g) aux += u.aux[g] * bsums[i * 16 + g];
          const float d8 = x.d(t0 + t)[i];
          if constexpr (K::kMin) {
            acc[t] = std::fma(static_cast<float>(vaddvq_s32(s)), d8 * u.d, acc[t]);
            acc_min[t] = std::fma(static_cast<float>(aux), d8 * u.dmin, acc_min[t]);
          } else {
            acc[t] = std::fma(static_cast<float>(vaddvq_s32(s) + aux), d8 * u.d, acc[t]);
          }
        }
      }
      for (int64_t t = 0; t < n; ++t) out[(t0 + t) * ldo + r] = acc[t] - acc_min[t];
    }
  }
}

// ---- activation quantizers (the scalar bytes, exactly) ----

template <bool kSums>
void quantize_q8(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{kSums ? GgmlType::kQ8_1 : GgmlType::kQ8_0, row, 0, cols};
  int8_t* q = const_cast<int8_t*>(v.q(0));
  float* d = const_cast<float*>(v.d(0));
  for (int64_t b = 0; b < cols / kQK; ++b) {
    float32x4_t f[8];
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int k = 0; k < 8; ++k) {
      f[k] = vld1q_f32(x + b * kQK + 4 * k);
      m = vmaxq_f32(m, vabsq_f32(f[k]));
    }
    const float amax = vmaxvq_f32(m);
    const float dd = amax / 127.0f;
    const float inv = amax != 0.0f ? 127.0f / amax : 0.0f;
    int32x4_t sum = vdupq_n_s32(0);
    for (int k = 0; k < 8; k += 2) {
      // Round half to even, as the scalar nearbyint.
      const int32x4_t i0 = vcvtnq_s32_f32(vmulq_n_f32(f[k], inv));
      const int32x4_t i1 = vcvtnq_s32_f32(vmulq_n_f32(f[k + 1], inv));
      sum = vaddq_s32(sum, vaddq_s32(i0, i1));
      const int16x8_t s16 = vcombine_s16(vqmovn_s32(i0), vqmovn_s32(i1));
      vst1_s8(q + b * kQK + 4 * k, vqmovn_s16(s16));
    }
    d[b] = f16_to_f32(f32_to_f16(dd));
    if constexpr (kSums)
      const_cast<float*>(v.s(0))[b] =
          f16_to_f32(f32_to_f16(dd * static_cast<float>(vaddvq_s32(sum))));
  }
}

void quantize_q8_0(const float* x, int64_t cols, uint8_t* row) { quantize_q8<false>(x, cols, row); }
void quantize_q8_1(const float* x, int64_t cols, uint8_t* row) { quantize_q8<true>(x, cols, row); }

void quantize_q8_k(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kQ8_K, row, 0, cols};
  int8_t* q = const_cast<int8_t*>(v.q(0));
  float* d = const_cast<float*>(v.d(0));
  int16_t* bsums = const_cast<int16_t*>(v.bsums(0));
  for (int64_t b = 0; b < cols / kQK_K; ++b) {
    const float* xb = x + b * kQK_K;
    int8_t* qb = q + b * kQK_K;
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int k = 0; k < kQK_K; k += 4) m = vmaxq_f32(m, vabsq_f32(vld1q_f32(xb + k)));
    const float amax = vmaxvq_f32(m);
    if (amax == 0.0f) {
      d[b] = 0.0f;
      std::memset(qb, 0, kQK_K);
      for (int g = 0; g < 16; ++g) bsums[b * 16 + g] = 0;
      continue;
    }
    float max = 0.0f;  // the first element of largest magnitude, with its sign
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(xb[j]) == amax) {
        max = xb[j];
        break;
      }
    }
    const float iscale = -127.0f / max;
    for (int g = 0; g < 16; ++g) {
      int16x8_t w[2];
      for (int h = 0; h < 2; ++h) {
        const int32x4_t i0 = vminq_s32(
            vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(xb + 16 * g + 8 * h), iscale)), vdupq_n_s32(127));
        const int32x4_t i1 =
            vminq_s32(vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(xb + 16 * g + 8 * h + 4), iscale)),
                      vdupq_n_s32(127));
        w[h] = vcombine_s16(vqmovn_s32(i0), vqmovn_s32(i1));
      }
      vst1q_s8(qb + 16 * g, vcombine_s8(vqmovn_s16(w[0]), vqmovn_s16(w[1])));
      bsums[b * 16 + g] = static_cast<int16_t>(vaddvq_s16(vaddq_s16(w[0], w[1])));
    }
    d[b] = 1.0f / iscale;
  }
}

void quantize_f16(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kF16, row, 0, cols};
  uint16_t* h = const_cast<uint16_t*>(v.h(0));
  float* f = const_cast<float*>(v.f(0));
  int64_t i = 0;
  for (; i + 4 <= cols; i += 4) {
    const float16x4_t hv = vcvt_f16_f32(vld1q_f32(x + i));
    vst1_u16(h + i, vreinterpret_u16_f16(hv));
    vst1q_f32(f + i, vcvt_f32_f16(hv));
  }
  for (; i < cols; ++i) {
    h[i] = f32_to_f16(x[i]);
    f[i] = f16_to_f32(h[i]);
  }
}

// ---- attention ----

void round_f16(float* p, int64_t n) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(p + i, vcvt_f32_f16(vcvt_f16_f32(vld1q_f32(p + i))));
  for (; i < n; ++i) p[i] = f16_to_f32(f32_to_f16(p[i]));
}

template <GgmlType kType>
void set(KernelTable& t, GemmFn fn) {
  t.gemm[static_cast<uint32_t>(kType)] = fn;
}

}  // namespace

void fill_neon_packed(KernelTable& t);
void fill_neon_packed_kquant(KernelTable& t);
void fill_neon_i8mm(KernelTable& t);
void fill_neon_float(KernelTable& t);
void fill_neon_softmax(KernelTable& t);
void fill_neon_key_blocks(KernelTable& t);

void fill_neon_kernels(KernelTable& t) {
  fill_neon_packed(t);
  fill_neon_float(t);
  fill_neon_softmax(t);
  fill_neon_key_blocks(t);
  fill_neon_packed_kquant(t);
  // smmla (blocksum_i8mm.cc) where the CPU has it: HWCAP2_I8MM.
  if (cpu_features().i8mm) fill_neon_i8mm(t);
  t.isa = Isa::kNeon;
  set<GgmlType::kQ8_0>(t, gemm_legacy<Q8_0N>);
  set<GgmlType::kQ4_0>(t, gemm_legacy<Q4_0N>);
  set<GgmlType::kQ5_0>(t, gemm_legacy<Q5_0N>);
  set<GgmlType::kIQ4_NL>(t, gemm_legacy<Iq4NlN>);
  set<GgmlType::kQ4_1>(t, gemm_legacy<Q4_1N>);
  set<GgmlType::kQ5_1>(t, gemm_legacy<Q5_1N>);
  set<GgmlType::kIQ4_XS>(t, gemm_iq4_xs);
  set<GgmlType::kQ2_K>(t, gemm_k<Q2_KN>);
  set<GgmlType::kQ3_K>(t, gemm_k<Q3_KN>);
  set<GgmlType::kQ4_K>(t, gemm_k<Q4_KN>);
  set<GgmlType::kQ5_K>(t, gemm_k<Q5_KN>);
  set<GgmlType::kQ6_K>(t, gemm_k<Q6_KN>);
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_0)] = quantize_q8_0;
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_1)] = quantize_q8_1;
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_K)] = quantize_q8_k;
  t.quantize[static_cast<uint32_t>(GgmlType::kF16)] = quantize_f16;
  t.round_f16 = round_f16;
}

}  // namespace zhi
