// AVX-512 VNNI decode over packed weights (kernels/packed_weights.h): one
// token against sixteen rows at a time, bit-identical to the scalar twins.
//
// The twins keep eight f32 lanes per row, lane k summing the products at
// positions 4k..4k+3 of every block. Here register acc[k] holds lane k of
// all sixteen rows. Per block and lane, one vpdpbusd multiplies slab k (the
// rows' four codes at 4k..4k+3, one 64-byte load) by the token's four quants
// at 4k..4k+3 (a 32-bit broadcast), starting from -offset * (their sum) so
// unsigned codes give the signed products; one conversion and one FMA by the
// sixteen rows' d_w * d_x then feed acc[k], exactly as the twin's fma. The
// per-row work of the row-major kernels (pairing, per-row scale gathers) is
// gone: a block of sixteen rows costs eight vpdpbusd, eight conversions and
// eight FMAs, plus the code unpacking of the 4- and 5-bit formats.
#include <type_traits>

#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/packed_codes_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

using packed_avx512::broadcast_u32;
using packed_avx512::fifth_bits;
using packed_avx512::Fmt;
using packed_avx512::kBlockBytes;
using packed_avx512::kOffset;
using packed_avx512::merge_fifth;

template <int k>
inline void lane_step(__m512i codes, const int8_t* q, const int32_t* init, __m512 dd, __m512* acc) {
  const __m512i lanes =
      _mm512_dpbusd_epi32(_mm512_set1_epi32(init[k]), codes, broadcast_u32(q + 4 * k));
  acc[k] = _mm512_fmadd_ps(dd, _mm512_cvtepi32_ps(lanes), acc[k]);
}

template <Fmt F>
inline void block_step(const uint8_t* p, const int8_t* q, const int32_t* init, float dx,
                       __m512* acc) {
  const __m512 dd = _mm512_mul_ps(
      _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(p))), _mm512_set1_ps(dx));
  const uint8_t* s = p + 32;
  // Blocks are 32 bytes past a 64-byte multiple every other time: loadu.
  auto slab = [&](int i) { return _mm512_loadu_si512(s + 64 * i); };
  if constexpr (F == Fmt::kQ8_0) {
    lane_step<0>(slab(0), q, init, dd, acc);
    lane_step<1>(slab(1), q, init, dd, acc);
    lane_step<2>(slab(2), q, init, dd, acc);
    lane_step<3>(slab(3), q, init, dd, acc);
    lane_step<4>(slab(4), q, init, dd, acc);
    lane_step<5>(slab(5), q, init, dd, acc);
    lane_step<6>(slab(6), q, init, dd, acc);
    lane_step<7>(slab(7), q, init, dd, acc);
  } else if constexpr (F == Fmt::kQ4_0) {
    const __m512i lo = _mm512_set1_epi8(0x0F);
    auto pair = [&]<int k>(std::integral_constant<int, k>) {
      const __m512i v = slab(k);
      lane_step<k>(_mm512_and_si512(v, lo), q, init, dd, acc);
      lane_step<k + 4>(_mm512_and_si512(_mm512_srli_epi16(v, 4), lo), q, init, dd, acc);
    };
    pair(std::integral_constant<int, 0>{});
    pair(std::integral_constant<int, 1>{});
    pair(std::integral_constant<int, 2>{});
    pair(std::integral_constant<int, 3>{});
  } else {
    const __m512i qh = slab(0);
    auto pair = [&]<int k>(std::integral_constant<int, k>) {
      const __m512i v = slab(k + 1);
      lane_step<k>(merge_fifth(v, fifth_bits<k>(qh)), q, init, dd, acc);
      lane_step<k + 4>(merge_fifth(_mm512_srli_epi16(v, 4), fifth_bits<k + 4>(qh)), q, init, dd,
                       acc);
    };
    pair(std::integral_constant<int, 0>{});
    pair(std::integral_constant<int, 1>{});
    pair(std::integral_constant<int, 2>{});
    pair(std::integral_constant<int, 3>{});
  }
}

// The twins' lane order: ((0+4) + (2+6)) + ((1+5) + (3+7)).
inline __m512 fold_lanes(const __m512* acc) {
  return _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[4]), _mm512_add_ps(acc[2], acc[6])),
                       _mm512_add_ps(_mm512_add_ps(acc[1], acc[5]), _mm512_add_ps(acc[3], acc[7])));
}

// The token's -offset * (sum of each four quants), eight per block.
thread_local I32Scratch tl_init;

// ---- Q5_0 with GFNI ----
// The same codes as block_step<kQ5_0>, in fewer instructions: one
// gf2p8affineqb per slab pair moves each byte's two fifth bits (lanes k and
// k + 4) to bits 4 and 0 with the rest clear, so a bit-select against the
// nibbles gives lane k's codes, and a second select plus a bit rotation
// (another gf2p8affineqb) gives lane k + 4's. Sixteen instructions per
// block instead of twenty-seven.
//
// Measured on Zen 4 (matmul_bench, 4864 x 896, one token, one thread):
// 57 -> 64 GMAC/s. It stops short of Q8_0's 88 because gf2p8affineqb issues
// on the same two pipes as vpdpbusd and the FMAs, and vpternlogd competes
// with them too, while shifts and conversions take the other two: a
// variant with shifts for lane k + 4 measured the same.

// gf2p8affineqb matrix whose output bit i is input bit src[i] (-1: zero).
constexpr uint64_t bit_matrix(const int (&src)[8]) {
  uint64_t m = 0;
  for (int i = 0; i < 8; ++i)
    if (src[i] >= 0) m |= uint64_t{1} << (8 * (7 - i) + src[i]);
  return m;
}

template <int k>
constexpr uint64_t kFifthPair = bit_matrix({k + 4, -1, -1, -1, k, -1, -1, -1});
// (high nibble, fifth bit at 0) -> 5-bit code.
constexpr uint64_t kHighCode = bit_matrix({4, 5, 6, 7, 0, -1, -1, -1});

template <int k>
__attribute__((target("gfni"), always_inline)) inline void q5_0_pair_gfni(
    const uint8_t* s, __m512i qh, const int8_t* q, const int32_t* init, __m512 dd, __m512* acc) {
  const __m512i v = _mm512_loadu_si512(s + 64 * (k + 1));
  const __m512i w = _mm512_gf2p8affine_epi64_epi8(qh, _mm512_set1_epi64(kFifthPair<k>), 0);
  // A ? B : C is truth table 0xCA.
  const __m512i lo = _mm512_ternarylogic_epi32(_mm512_set1_epi8(0x0F), v, w, 0xCA);
  const __m512i hi =
      _mm512_gf2p8affine_epi64_epi8(_mm512_ternarylogic_epi32(_mm512_set1_epi8(0x0F), w, v, 0xCA),
                                    _mm512_set1_epi64(kHighCode), 0);
  lane_step<k>(lo, q, init, dd, acc);
  lane_step<k + 4>(hi, q, init, dd, acc);
}

__attribute__((target("gfni"))) inline void block_step_q5_0_gfni(const uint8_t* p, const int8_t* q,
                                                                 const int32_t* init, float dx,
                                                                 __m512* acc) {
  const __m512 dd = _mm512_mul_ps(
      _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(p))), _mm512_set1_ps(dx));
  const uint8_t* s = p + 32;
  const __m512i qh = _mm512_loadu_si512(s);
  q5_0_pair_gfni<0>(s, qh, q, init, dd, acc);
  q5_0_pair_gfni<1>(s, qh, q, init, dd, acc);
  q5_0_pair_gfni<2>(s, qh, q, init, dd, acc);
  q5_0_pair_gfni<3>(s, qh, q, init, dd, acc);
}

template <Fmt F>
void gemv_packed(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t, float* out) {
  const int64_t nb = x.cols / kQK;
  const int8_t* q = x.q(t);
  const float* dx = x.d(t);
  int32_t* init = tl_init.get(nb * 8);
  packed_avx512::lane_offsets_row(q, x.cols, kOffset<F>, init);
  const int64_t group_bytes = nb * kBlockBytes<F>;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* p = groups + g * group_bytes;
    __m512 acc[8];
    for (auto& a : acc) a = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      prefetch_ahead(p + b * kBlockBytes<F>, kBlockBytes<F>);
      block_step<F>(p + b * kBlockBytes<F>, q + b * kQK, init + 8 * b, dx[b], acc);
    }
    _mm512_storeu_ps(out + kPackRows * g, fold_lanes(acc));
  }
}

__attribute__((target("gfni"))) void gemv_packed_q5_0_gfni(const uint8_t* groups, int64_t n_groups,
                                                           const ActView& x, int64_t t,
                                                           float* out) {
  const int64_t nb = x.cols / kQK;
  const int8_t* q = x.q(t);
  const float* dx = x.d(t);
  int32_t* init = tl_init.get(nb * 8);
  packed_avx512::lane_offsets_row(q, x.cols, kOffset<Fmt::kQ5_0>, init);
  const int64_t group_bytes = nb * kBlockBytes<Fmt::kQ5_0>;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* p = groups + g * group_bytes;
    __m512 acc[8];
    for (auto& a : acc) a = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      prefetch_ahead(p + b * kBlockBytes<Fmt::kQ5_0>, kBlockBytes<Fmt::kQ5_0>);
      block_step_q5_0_gfni(p + b * kBlockBytes<Fmt::kQ5_0>, q + b * kQK, init + 8 * b, dx[b], acc);
    }
    _mm512_storeu_ps(out + kPackRows * g, fold_lanes(acc));
  }
}

// ---- K-quants: 256-column super-blocks against Q8_K ----
// The twins take, per super-block and row, the exact integer sum over the
// sub-blocks (scale times sub-block dot product) and fold it in with one
// fused multiply-add by d_x * d_w (and the mins likewise into their own
// accumulator). Integer sums are exact in any order, so sixteen rows at a
// time give the same bits.

using packed_avx512::f16x16;
using packed_avx512::Q4KScales;

// Q4_K, 2304 bytes per super-block (see packed_weights.h).
void gemv_packed_q4_k(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t,
                      float* out) {
  constexpr int64_t kBlock = 2304;
  const int64_t nb = x.cols / kQK_K;
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  const int16_t* bsums = x.bsums(t);
  const __m512i m0f = _mm512_set1_epi8(0x0F);
  for (int64_t g = 0; g < n_groups; ++g) {
    __m512 acc = _mm512_setzero_ps(), acc_min = _mm512_setzero_ps();
    for (int64_t i = 0; i < nb; ++i) {
      const uint8_t* p = groups + (g * nb + i) * kBlock;
      const int8_t* q = q8 + i * kQK_K;
      const int16_t* bs = bsums + i * 16;
      const Q4KScales scales(p);
      __m512i isum = _mm512_setzero_si512(), msum = _mm512_setzero_si512();
      for (int c = 0; c < 4; ++c) {
        prefetch_ahead(p + kBlock / 4 * c, kBlock / 4);
        __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
        for (int k = 0; k < 8; ++k) {
          const __m512i v = _mm512_loadu_si512(p + 256 + 64 * (8 * c + k));
          lo = _mm512_dpbusd_epi32(lo, _mm512_and_si512(v, m0f), broadcast_u32(q + 64 * c + 4 * k));
          hi = _mm512_dpbusd_epi32(hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), m0f),
                                   broadcast_u32(q + 64 * c + 32 + 4 * k));
        }
        const __m512i sc_lo = scales.scale(2 * c), sc_hi = scales.scale(2 * c + 1);
        const __m512i mn_lo = scales.min(2 * c), mn_hi = scales.min(2 * c + 1);
        isum = _mm512_add_epi32(
            isum, _mm512_add_epi32(_mm512_mullo_epi32(lo, sc_lo), _mm512_mullo_epi32(hi, sc_hi)));
        msum = _mm512_add_epi32(
            msum, _mm512_add_epi32(
                      _mm512_mullo_epi32(mn_lo, _mm512_set1_epi32(bs[4 * c] + bs[4 * c + 1])),
                      _mm512_mullo_epi32(mn_hi, _mm512_set1_epi32(bs[4 * c + 2] + bs[4 * c + 3]))));
      }
      const __m512 vd8 = _mm512_set1_ps(d8[i]);
      acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(vd8, f16x16(p)), acc);
      acc_min =
          _mm512_fmadd_ps(_mm512_cvtepi32_ps(msum), _mm512_mul_ps(vd8, f16x16(p + 32)), acc_min);
    }
    _mm512_storeu_ps(out + kPackRows * g, _mm512_sub_ps(acc, acc_min));
  }
}

// Q6_K, 3360 bytes per super-block (see packed_weights.h). Codes are the
// unsigned 6-bit values; each sub-block's dot product starts from
// -32 * (sum of its 16 activation quants), the Q8_K bsums.
void gemv_packed_q6_k(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t,
                      float* out) {
  constexpr int64_t kBlock = 3360;
  const int64_t nb = x.cols / kQK_K;
  const int8_t* q8 = x.q(t);
  const float* d8 = x.d(t);
  const int16_t* bsums = x.bsums(t);
  for (int64_t g = 0; g < n_groups; ++g) {
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < nb; ++i) {
      const uint8_t* p = groups + (g * nb + i) * kBlock;
      const int8_t* q = q8 + i * kQK_K;
      const int16_t* bs = bsums + i * 16;
      __m512i isum = _mm512_setzero_si512();
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
#pragma GCC unroll 2
        for (int j = 0; j < 2; ++j) {
          prefetch_ahead(p + kBlock / 4 * (2 * h + j), kBlock / 4);
          // Sub-block 8h + 2k + j for quarter k: elements 128h + 32k + 16j ...
          __m512i s[4];
#pragma GCC unroll 4
          for (int k = 0; k < 4; ++k) s[k] = _mm512_set1_epi32(-32 * bs[8 * h + 2 * k + j]);
#pragma GCC unroll 4
          for (int c = 4 * j; c < 4 * j + 4; ++c) {
            __m512i codes[4];
            packed_avx512::q6_k_codes(p + 288 + 192 * (8 * h + c), codes);
#pragma GCC unroll 4
            for (int k = 0; k < 4; ++k)
              s[k] =
                  _mm512_dpbusd_epi32(s[k], codes[k], broadcast_u32(q + 128 * h + 32 * k + 4 * c));
          }
#pragma GCC unroll 4
          for (int k = 0; k < 4; ++k) {
            const __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128(
                reinterpret_cast<const __m128i*>(p + 32 + 16 * (8 * h + 2 * k + j))));
            isum = _mm512_add_epi32(isum, _mm512_mullo_epi32(s[k], sc));
          }
        }
      }
      acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum),
                            _mm512_mul_ps(_mm512_set1_ps(d8[i]), f16x16(p)), acc);
    }
    _mm512_storeu_ps(out + kPackRows * g, _mm512_sub_ps(acc, _mm512_setzero_ps()));
  }
}

}  // namespace

void fill_avx512_packed(KernelTable& t, bool gfni) {
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ4_K)] = gemv_packed_q4_k;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ6_K)] = gemv_packed_q6_k;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ8_0)] = gemv_packed<Fmt::kQ8_0>;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ4_0)] = gemv_packed<Fmt::kQ4_0>;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ5_0)] =
      gfni ? gemv_packed_q5_0_gfni : gemv_packed<Fmt::kQ5_0>;
}

}  // namespace zhi
