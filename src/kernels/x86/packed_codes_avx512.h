// What the AVX-512 kernels over packed 32-element blocks share
// (kernels/packed_weights.h has the layout): the per-format constants and
// the code unpacking. Included only by *_avx512.cc files.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/x86/avx512_intrinsics.h"

namespace zhi::packed_avx512 {

enum class Fmt { kQ8_0, kQ4_0, kQ5_0 };

// Codes are stored unsigned (w + offset) so vpdpbusd can take them; a dot
// product starts from -offset * (sum of the activation quants).
template <Fmt F>
constexpr int kOffset = F == Fmt::kQ8_0 ? 128 : F == Fmt::kQ4_0 ? 8 : 16;

// Bytes of one packed block of sixteen rows: f16 d[16] and the slabs.
template <Fmt F>
constexpr int64_t kBlockBytes = F == Fmt::kQ8_0 ? 544 : F == Fmt::kQ4_0 ? 288 : 352;

inline __m512i broadcast_u32(const void* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// Bytes j of each dword get the fifth bit of element 4k+j in bit 4: bit
// 8j+k of qh' moved to 8j+4.
template <int k>
inline __m512i fifth_bits(__m512i qh) {
  __m512i v;
  if constexpr (k < 4) {
    v = _mm512_slli_epi32(qh, 4 - k);
  } else if constexpr (k > 4) {
    v = _mm512_srli_epi32(qh, k - 4);
  } else {
    v = qh;
  }
  return _mm512_and_si512(v, _mm512_set1_epi8(0x10));
}

// (nibbles & 0x0F) | fifth: ternary-logic truth table 0xEA = (A & B) | C.
inline __m512i merge_fifth(__m512i nibbles, __m512i fifth) {
  return _mm512_ternarylogic_epi32(nibbles, _mm512_set1_epi8(0x0F), fifth, 0xEA);
}

// Slab k of the block at p as unsigned codes: byte 4r+j of codes[k] is row
// r's element 4k+j.
template <Fmt F>
inline void block_codes(const uint8_t* p, __m512i codes[8]) {
  const uint8_t* s = p + 32;
  // Blocks are 32 bytes past a 64-byte multiple every other time: loadu.
  auto slab = [s](int i) { return _mm512_loadu_si512(s + 64 * i); };
  if constexpr (F == Fmt::kQ8_0) {
    for (int k = 0; k < 8; ++k) codes[k] = slab(k);
  } else if constexpr (F == Fmt::kQ4_0) {
    const __m512i lo = _mm512_set1_epi8(0x0F);
    for (int k = 0; k < 4; ++k) {
      const __m512i v = slab(k);
      codes[k] = _mm512_and_si512(v, lo);
      codes[k + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), lo);
    }
  } else {
    const __m512i qh = slab(0);
    const __m512i v0 = slab(1), v1 = slab(2), v2 = slab(3), v3 = slab(4);
    codes[0] = merge_fifth(v0, fifth_bits<0>(qh));
    codes[1] = merge_fifth(v1, fifth_bits<1>(qh));
    codes[2] = merge_fifth(v2, fifth_bits<2>(qh));
    codes[3] = merge_fifth(v3, fifth_bits<3>(qh));
    codes[4] = merge_fifth(_mm512_srli_epi16(v0, 4), fifth_bits<4>(qh));
    codes[5] = merge_fifth(_mm512_srli_epi16(v1, 4), fifth_bits<5>(qh));
    codes[6] = merge_fifth(_mm512_srli_epi16(v2, 4), fifth_bits<6>(qh));
    codes[7] = merge_fifth(_mm512_srli_epi16(v3, 4), fifth_bits<7>(qh));
  }
}

// -offset * (sum of each four quants) of a row of `cols` quants (the
// unsigned codes' lane offsets; avx2_util.h's lane_offsets, sixteen at a time):
// vpdpbusd of the offset (as unsigned bytes; 128 fits) and the quants gives
// offset * sum per dword.
inline void lane_offsets_row(const int8_t* q, int64_t cols, int offset, int32_t* init) {
  const __m512i off = _mm512_set1_epi8(static_cast<char>(offset));
  int64_t i = 0;
  for (; i + 64 <= cols; i += 64) {
    const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), off, _mm512_loadu_si512(q + i));
    _mm512_storeu_si512(init + i / 4, _mm512_sub_epi32(_mm512_setzero_si512(), s));
  }
  if (i < cols) {  // cols is a multiple of 32: one half register left
    const __m512i v = _mm512_maskz_loadu_epi8(0xFFFFFFFFull, q + i);
    const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), off, v);
    _mm512_mask_storeu_epi32(init + i / 4, 0x00FF, _mm512_sub_epi32(_mm512_setzero_si512(), s));
  }
}

// ---- K-quants ----

// Byte i of each dword of v, as a dword.
inline __m512i byte_lane(__m512i v, int i) {
  return _mm512_and_si512(_mm512_srli_epi32(v, 8 * i), _mm512_set1_epi32(0xFF));
}

inline __m512 f16x16(const uint8_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// A packed Q4_K super-block's sixteen rows' 6-bit scales and mins: byte g
// of sc03's dwords is scale g (< 4), of sc47's scale 4 + g; mins likewise.
// Scales and mins 0-3 are the low six bits of bytes 0-3 and 4-7; 4-7 take
// their low four bits from bytes 8-11 and the top two from the top of
// bytes 0-3 (scales) or 4-7 (mins).
struct Q4KScales {
  __m512i sc03, mn03, sc47, mn47;
  explicit Q4KScales(const uint8_t* p) {
    const __m512i m0f = _mm512_set1_epi8(0x0F), m3f = _mm512_set1_epi8(0x3F),
                  m30 = _mm512_set1_epi8(0x30);
    const __m512i d0 = _mm512_loadu_si512(p + 64), d1 = _mm512_loadu_si512(p + 128),
                  d2 = _mm512_loadu_si512(p + 192);
    sc03 = _mm512_and_si512(d0, m3f);
    mn03 = _mm512_and_si512(d1, m3f);
    sc47 = _mm512_ternarylogic_epi32(d2, m0f, _mm512_and_si512(_mm512_srli_epi32(d0, 2), m30), 0xEA);
    mn47 = _mm512_ternarylogic_epi32(_mm512_srli_epi32(d2, 4), m0f,
                                     _mm512_and_si512(_mm512_srli_epi32(d1, 2), m30), 0xEA);
  }
  __m512i scale(int g) const { return byte_lane(g < 4 ? sc03 : sc47, g % 4); }
  __m512i min(int g) const { return byte_lane(g < 4 ? mn03 : mn47, g % 4); }
};

// The four 6-bit code registers of a packed Q6_K slab triple (ql a, ql b,
// qh): codes[k] holds the elements of quarter k.
__attribute__((always_inline)) inline void q6_k_codes(const uint8_t* slab, __m512i codes[4]) {
  const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  const __m512i a = _mm512_loadu_si512(slab), b = _mm512_loadu_si512(slab + 64),
                qh = _mm512_loadu_si512(slab + 128);
  codes[0] = _mm512_ternarylogic_epi32(a, m0f, _mm512_and_si512(_mm512_slli_epi32(qh, 4), m30), 0xEA);
  codes[1] = _mm512_ternarylogic_epi32(b, m0f, _mm512_and_si512(_mm512_slli_epi32(qh, 2), m30), 0xEA);
  codes[2] = _mm512_ternarylogic_epi32(_mm512_srli_epi16(a, 4), m0f, _mm512_and_si512(qh, m30), 0xEA);
  codes[3] = _mm512_ternarylogic_epi32(_mm512_srli_epi16(b, 4), m0f,
                                       _mm512_and_si512(_mm512_srli_epi32(qh, 2), m30), 0xEA);
}

}  // namespace zhi::packed_avx512
