// AVX-512 kernels for Q2_K, Q3_K, Q4_K, Q5_K and Q6_K, bit-identical to the
// scalar twins: per super-block the exact integer sum (and for formats with
// mins the exact sum of mins times bsums), folded into per-output f32
// accumulators with one fused multiply-add each.
//
// Every format is first brought to one shape per super-block: 256 unsigned
// codes (< 64) in element order, sixteen i16 scales (one per 16 elements),
// and sixteen i16 `aux` values that meet the activation's bsums: either a
// correction added to the integer sum (Q3_K: -4*scale, Q6_K: -32*scale, for
// their biased codes) or the mins (Q2_K, Q4_K, Q5_K). The dot product is then
// vpmaddubsw (codes x quants, pairs to i16; at most 2*63*127, no saturation)
// and vpdpwssd with the scales: two instructions per 64 elements.
//
// A row's super-block is unpacked once and used for up to eight tokens.
#include <cmath>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/x86_kernels.h"
#include "quant/block_formats.h"

namespace zhi {
namespace {

struct Unpacked {
  __m512i codes[4];  // elements 64k .. 64k+63
  __m256i scales;    // i16 per 16 elements
  __m256i aux;       // i16 per 16 elements
  float d, dmin;
};

// 32 bytes in both halves of a zmm; the upper half shifted right by `up`
// more bits than the lower (per byte, as the masks below keep only low bits).
inline __m512i broadcast32(const uint8_t* p) {
  return _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512i shift_halves(__m512i v, int lo, int up) {
  const __m512i a = _mm512_srli_epi16(v, lo);
  return _mm512_mask_srli_epi16(a, 0xFFFF0000u, a, up);
}
inline __m512i bits(__m512i v, int lo, int up, int mask) {
  return _mm512_and_si512(shift_halves(v, lo, up), _mm512_set1_epi8(static_cast<char>(mask)));
}

// Each of 8 bytes repeated twice as i16 (a per-32 value for both 16s).
inline __m256i twice_u8(uint64_t eight) {
  const __m128i w = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<int64_t>(eight)));
  return _mm256_set_m128i(_mm_unpackhi_epi16(w, w), _mm_unpacklo_epi16(w, w));
}

// Q4_K / Q5_K: eight 6-bit scales and mins from 12 bytes.
inline void k4_scales(const uint8_t q[12], uint64_t* sc, uint64_t* mn) {
  uint32_t a0, a1, a2;
  std::memcpy(&a0, q, 4);
  std::memcpy(&a1, q + 4, 4);
  std::memcpy(&a2, q + 8, 4);
  const uint32_t sc_lo = a0 & 0x3f3f3f3fu, mn_lo = a1 & 0x3f3f3f3fu;
  const uint32_t sc_hi = (a2 & 0x0f0f0f0fu) | (((a0 >> 6) & 0x03030303u) << 4);
  const uint32_t mn_hi = ((a2 >> 4) & 0x0f0f0f0fu) | (((a1 >> 6) & 0x03030303u) << 4);
  *sc = sc_lo | (static_cast<uint64_t>(sc_hi) << 32);
  *mn = mn_lo | (static_cast<uint64_t>(mn_hi) << 32);
}

struct Q4_KZ {
  using Block = BlockQ4_K;
  static constexpr bool kMin = true;
  static void unpack(const Block& b, Unpacked& u) {
    for (int k = 0; k < 4; ++k) u.codes[k] = bits(broadcast32(b.qs + 32 * k), 0, 4, 0x0F);
    uint64_t sc, mn;
    k4_scales(b.scales, &sc, &mn);
    u.scales = twice_u8(sc);
    u.aux = twice_u8(mn);
    u.d = half_to_float(b.d);
    u.dmin = half_to_float(b.dmin);
  }
};

struct Q5_KZ {
  using Block = BlockQ5_K;
  static constexpr bool kMin = true;
  static void unpack(const Block& b, Unpacked& u) {
    const __m512i qh = broadcast32(b.qh);
    // Group g = 2k (lower half) and 2k+1 (upper): fifth bit is bit g of qh[l].
    for (int k = 0; k < 4; ++k) {
      const __m512i hi = _mm512_slli_epi16(bits(qh, 2 * k, 1, 0x01), 4);
      u.codes[k] = _mm512_or_si512(bits(broadcast32(b.qs + 32 * k), 0, 4, 0x0F), hi);
    }
    uint64_t sc, mn;
    k4_scales(b.scales, &sc, &mn);
    u.scales = twice_u8(sc);
    u.aux = twice_u8(mn);
    u.d = half_to_float(b.d);
    u.dmin = half_to_float(b.dmin);
  }
};

struct Q6_KZ {
  using Block = BlockQ6_K;
  static constexpr bool kMin = false;
  static void unpack(const Block& b, Unpacked& u) {
    // Zmm 2h + j holds quarters k = 2j and 2j+1 of half h: low nibbles
    // (j = 0) or high nibbles (j = 1) of ql[64h .. 64h+63], with the high
    // bits of qh[32h + l] >> 2k.
    for (int h = 0; h < 2; ++h) {
      const __m512i ql = _mm512_loadu_si512(b.ql + 64 * h);
      const __m512i qh = broadcast32(b.qh + 32 * h);
      for (int j = 0; j < 2; ++j) {
        const __m512i lo =
            _mm512_and_si512(j ? _mm512_srli_epi16(ql, 4) : ql, _mm512_set1_epi8(0x0F));
        const __m512i hi = _mm512_slli_epi16(bits(qh, 4 * j, 2, 0x03), 4);
        u.codes[2 * h + j] = _mm512_or_si512(lo, hi);
      }
    }
    u.scales = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    // Codes are stored +32: subtract 32 * scale * (sum of the group's quants).
    u.aux = _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_slli_epi16(u.scales, 5));
    u.d = half_to_float(b.d);
    u.dmin = 0.0f;
  }
};

struct Q2_KZ {
  using Block = BlockQ2_K;
  static constexpr bool kMin = true;
  static void unpack(const Block& b, Unpacked& u) {
    // Zmm 2h + j: bit pairs 2j (lower half) and 2j+1 (upper) of qs[32h + l].
    for (int h = 0; h < 2; ++h) {
      const __m512i q = broadcast32(b.qs + 32 * h);
      for (int j = 0; j < 2; ++j) u.codes[2 * h + j] = bits(q, 4 * j, 2, 0x03);
    }
    const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    u.scales = _mm256_cvtepu8_epi16(_mm_and_si128(s, _mm_set1_epi8(0x0F)));
    u.aux = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(s, 4), _mm_set1_epi8(0x0F)));
    u.d = half_to_float(b.d);
    u.dmin = half_to_float(b.dmin);
  }
};

struct Q3_KZ {
  using Block = BlockQ3_K;
  static constexpr bool kMin = false;
  static void unpack(const Block& b, Unpacked& u) {
    const __m512i hm = broadcast32(b.hmask);
    for (int h = 0; h < 2; ++h) {
      const __m512i q = broadcast32(b.qs + 32 * h);
      for (int j = 0; j < 2; ++j) {
        // Element e's high bit is bit e/32 of hmask[e % 32]: bits 4h+2j, 4h+2j+1.
        const __m512i hi = _mm512_slli_epi16(bits(hm, 4 * h + 2 * j, 1, 0x01), 2);
        u.codes[2 * h + j] = _mm512_or_si512(bits(q, 4 * j, 2, 0x03), hi);
      }
    }
    uint32_t a[3];
    std::memcpy(a, b.scales, 12);
    const uint32_t s[4] = {
        (a[0] & 0x0f0f0f0fu) | (((a[2] >> 0) & 0x03030303u) << 4),
        (a[1] & 0x0f0f0f0fu) | (((a[2] >> 2) & 0x03030303u) << 4),
        ((a[0] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 4) & 0x03030303u) << 4),
        ((a[1] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 6) & 0x03030303u) << 4),
    };
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    u.scales = _mm256_sub_epi16(_mm256_cvtepu8_epi16(raw), _mm256_set1_epi16(32));
    // Codes are low2 + 4*bit, the value is code - 4.
    u.aux = _mm256_sub_epi16(_mm256_setzero_si256(), _mm256_slli_epi16(u.scales, 2));
    u.d = half_to_float(b.d);
    u.dmin = 0.0f;
  }
};

// Scale vector for zmm k: i16 word j covers elements 64k + 2j, 2j+1, group 4k + j/8.
inline __m512i scale_words(__m256i scales, int k) {
  alignas(64) static constexpr uint16_t kIdx[4][32] = {
      {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
       2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3},
      {4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5,
       6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7},
      {8,  8,  8,  8,  8,  8,  8,  8,  9,  9,  9,  9,  9,  9,  9,  9,
       10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11},
      {12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13,
       14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15}};
  return _mm512_permutexvar_epi16(_mm512_load_si512(kIdx[k]), _mm512_castsi256_si512(scales));
}

// Eight vectors of i32 lanes to their eight totals (exact, any order).
inline __m256i sum8_lanes(const __m512i v[8]) {
  __m512i x[4], y[2];
  for (int i = 0; i < 4; ++i)
    x[i] = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2 * i], v[2 * i + 1]),
                            _mm512_unpackhi_epi32(v[2 * i], v[2 * i + 1]));
  for (int i = 0; i < 2; ++i)
    y[i] = _mm512_add_epi32(_mm512_unpacklo_epi64(x[2 * i], x[2 * i + 1]),
                            _mm512_unpackhi_epi64(x[2 * i], x[2 * i + 1]));
  // Each 128-bit lane of y[i] now holds partial sums of tokens 4i..4i+3.
  __m128i q[2];
  for (int i = 0; i < 2; ++i) {
    const __m256i h =
        _mm256_add_epi32(_mm512_castsi512_si256(y[i]), _mm512_extracti64x4_epi64(y[i], 1));
    q[i] = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
  }
  // After the two unpack levels q[i] holds tokens 4i .. 4i+3 in order.
  return _mm256_set_m128i(q[1], q[0]);
}

inline __m256i sum8_lanes(const __m256i v[8]) {
  __m512i w[8];
  for (int i = 0; i < 8; ++i) w[i] = _mm512_zextsi256_si512(v[i]);
  return sum8_lanes(w);
}

// Rows of one task against eight tokens: each row's super-block is unpacked
// once; per token, eight instructions for the 256 products; then the eight
// tokens' exact sums are reduced together and meet their f32 accumulators
// in one vector FMA (each lane is one output's accumulator).
template <class K>
void rows_8_tokens(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t t0,
                   float* out, int64_t ldo) {
  using Block = typename K::Block;
  const int64_t nb = x.cols / kQK_K;
  for (int64_t r = 0; r < nr; ++r) {
    const Block* row = reinterpret_cast<const Block*>(w + r * ws);
    __m256 acc = _mm256_setzero_ps(), acc_min = _mm256_setzero_ps();
    for (int64_t i = 0; i < nb; ++i) {
      Unpacked u;
      K::unpack(row[i], u);
      __m512i sv[4];
      for (int k = 0; k < 4; ++k) sv[k] = scale_words(u.scales, k);
      __m512i sums[8];
      __m256i aux[8];
      alignas(32) float d8[8];
      for (int t = 0; t < 8; ++t) {
        const int8_t* q = x.q(t0 + t) + i * kQK_K;
        __m512i s = _mm512_setzero_si512();
        for (int k = 0; k < 4; ++k)
          s = _mm512_dpwssd_epi32(
              s, _mm512_maddubs_epi16(u.codes[k], _mm512_load_si512(q + 64 * k)), sv[k]);
        aux[t] = _mm256_madd_epi16(
            _mm256_load_si256(reinterpret_cast<const __m256i*>(x.bsums(t0 + t) + 16 * i)), u.aux);
        if constexpr (!K::kMin) s = _mm512_add_epi32(s, _mm512_zextsi256_si512(aux[t]));
        sums[t] = s;
        d8[t] = x.d(t0 + t)[i];
      }
      const __m256 dx = _mm256_load_ps(d8);
      acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum8_lanes(sums)),
                            _mm256_mul_ps(dx, _mm256_set1_ps(u.d)), acc);
      if constexpr (K::kMin)
        acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum8_lanes(aux)),
                                  _mm256_mul_ps(dx, _mm256_set1_ps(u.dmin)), acc_min);
    }
    alignas(32) float res[8];
    _mm256_store_ps(res, _mm256_sub_ps(acc, acc_min));
    for (int t = 0; t < 8; ++t) out[(t0 + t) * ldo + r] = res[t];
  }
}

// One token (decode): per row and super-block the exact sums, then scalar FMAs.
template <class K>
void rows_1_token(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t t, float* out,
                  int64_t ldo) {
  using Block = typename K::Block;
  const int64_t nb = x.cols / kQK_K;
  const float* d8 = x.d(t);
  for (int64_t r = 0; r < nr; ++r) {
    const Block* row = reinterpret_cast<const Block*>(w + r * ws);
    float acc = 0.0f, acc_min = 0.0f;
    for (int64_t i = 0; i < nb; ++i) {
      prefetch_slice(w + (r + 1) * ws, ws, i, nb);
      Unpacked u;
      K::unpack(row[i], u);
      const int8_t* q = x.q(t) + i * kQK_K;
      __m512i s = _mm512_setzero_si512();
      for (int k = 0; k < 4; ++k)
        s = _mm512_dpwssd_epi32(s, _mm512_maddubs_epi16(u.codes[k], _mm512_load_si512(q + 64 * k)),
                                scale_words(u.scales, k));
      const __m256i aux = _mm256_madd_epi16(
          _mm256_load_si256(reinterpret_cast<const __m256i*>(x.bsums(t) + 16 * i)), u.aux);
      if constexpr (K::kMin) {
        acc = std::fma(static_cast<float>(_mm512_reduce_add_epi32(s)), d8[i] * u.d, acc);
        acc_min = std::fma(static_cast<float>(hsum_i32(aux)), d8[i] * u.dmin, acc_min);
      } else {
        const int32_t isum = _mm512_reduce_add_epi32(s) + hsum_i32(aux);
        acc = std::fma(static_cast<float>(isum), d8[i] * u.d, acc);
      }
    }
    out[t * ldo + r] = acc - acc_min;
  }
}

template <class K>
void gemm(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
          int64_t ldo) {
  int64_t t = 0;
  for (; t + 8 <= nt; t += 8) rows_8_tokens<K>(w, ws, nr, x, t, out, ldo);
  for (; t < nt; ++t) rows_1_token<K>(w, ws, nr, x, t, out, ldo);
}

}  // namespace

void fill_avx512_kquant(KernelTable& t) {
  t.gemm[static_cast<uint32_t>(GgmlType::kQ2_K)] = gemm<Q2_KZ>;
  t.gemm[static_cast<uint32_t>(GgmlType::kQ3_K)] = gemm<Q3_KZ>;
  t.gemm[static_cast<uint32_t>(GgmlType::kQ4_K)] = gemm<Q4_KZ>;
  t.gemm[static_cast<uint32_t>(GgmlType::kQ5_K)] = gemm<Q5_KZ>;
  t.gemm[static_cast<uint32_t>(GgmlType::kQ6_K)] = gemm<Q6_KZ>;
}

}  // namespace zhi
