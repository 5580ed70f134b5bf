// The AVX2 decode kernels over packed 32-element weights, written once for
// two ways of forming a lane's four products (packed_avx2.cc: vpmaddubsw
// then vpmaddwd; packed_avxvnni.cc: AVX-VNNI's vpdpbusd). Everything here
// has internal linkage: each including file compiles its own copy with its
// own ISA flags.
//
// AVX2 decode over packed 32-element weights (kernels/packed_weights.h),
// bit-identical to the scalar twins: for machines without AVX-512, such as
// most laptops' Intel cores.
//
// A group's sixteen rows are taken as two halves of eight: a ymm holds the
// same four code bytes of eight rows (half a slab), so eight registers keep
// lane k of eight rows each, as the twins' eight f32 lanes per row. Without
// vpdpbusd, one lane's products are vpmaddubsw (unsigned codes times signed
// quants, pairs to i16) then vpmaddwd by ones (pairs of pairs to i32):
//  - Q4_0 and Q5_0 codes are unsigned (w + 8, w + 16), at most 31, so a pair
//    stays below 2 * 31 * 127 and cannot saturate; the lane then adds
//    -offset * (sum of its four quants), precomputed once per token;
//  - Q8_0 codes are stored w XOR 0x80; back to signed w, |w| times the quant
//    with w's sign (vpsignb) gives w * q with pairs at most 2 * 128 * 127.
// Each lane's exact sum then meets its accumulator in one conversion and
// one FMA by the eight rows' d_w * d_x, as in the twin.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"
#include "kernels/x86/avx2_util.h"

namespace zhi {
namespace {

// A Dot policy provides
//   static __m256i dot4_us_add(__m256i init, __m256i codes, __m256i q):
//     init plus, per dword, the four products of unsigned codes and signed q
//     (exact: the codes are small enough that no pair saturates);
//   static constexpr bool kUnsignedQ8: Q8_0 lanes go through dot4_us_add
//     with lane offsets for the 128 (else vpsignb moves w's sign onto q).
enum class Fmt { kQ8_0, kQ4_0, kQ5_0 };

// Codes are stored unsigned, w + offset (Q8_0: w XOR 0x80, which is w + 128).
template <Fmt F>
constexpr int kOffset = F == Fmt::kQ8_0 ? 128 : F == Fmt::kQ4_0 ? 8 : 16;

template <Fmt F>
constexpr int64_t kBlockBytes = F == Fmt::kQ8_0 ? 544 : F == Fmt::kQ4_0 ? 288 : 352;

inline __m256i broadcast_u32(const int8_t* p) {
  return _mm256_set1_epi32(static_cast<int32_t>(load_u32(p)));
}

inline __m256i load_half_slab(const uint8_t* slab, int h) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(slab + 32 * h));
}

// Byte j of each dword gets the fifth bit of element 4k+j in bit 4 (bit
// 8j+k of the row's qh' moved to 8j+4).
template <int k>
inline __m256i fifth_bits(__m256i qh) {
  __m256i v;
  if constexpr (k < 4) {
    v = _mm256_slli_epi32(qh, 4 - k);
  } else if constexpr (k > 4) {
    v = _mm256_srli_epi32(qh, k - 4);
  } else {
    v = qh;
  }
  return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

// Lane k of eight rows: codes (unsigned) times the token's quants 4k..4k+3,
// plus init[k].
template <class Dot>
inline __m256i lane_unsigned(__m256i codes, const int8_t* q, const int32_t* init, int k) {
  return Dot::dot4_us_add(_mm256_set1_epi32(init[k]), codes, broadcast_u32(q + 4 * k));
}

inline void accumulate(__m256i lanes, __m256 dd, __m256* acc) {
  *acc = _mm256_fmadd_ps(dd, _mm256_cvtepi32_ps(lanes), *acc);
}

// One block, rows 8h .. 8h+7.
template <Fmt F, class Dot>
inline void block_half(const uint8_t* p, int h, const int8_t* q, const int32_t* init, float dx,
                       __m256* acc) {
  const __m256 dd = _mm256_mul_ps(
      _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * h))),
      _mm256_set1_ps(dx));
  const uint8_t* s = p + 32;
  if constexpr (F == Fmt::kQ8_0 && Dot::kUnsignedQ8) {
    for (int k = 0; k < 8; ++k)
      accumulate(lane_unsigned<Dot>(load_half_slab(s + 64 * k, h), q, init, k), dd, &acc[k]);
  } else if constexpr (F == Fmt::kQ8_0) {
    for (int k = 0; k < 8; ++k) {
      const __m256i w = _mm256_xor_si256(load_half_slab(s + 64 * k, h), _mm256_set1_epi8(-128));
      accumulate(dot4_ss(w, broadcast_u32(q + 4 * k)), dd, &acc[k]);
    }
  } else if constexpr (F == Fmt::kQ4_0) {
    const __m256i lo = _mm256_set1_epi8(0x0F);
    for (int k = 0; k < 4; ++k) {
      const __m256i v = load_half_slab(s + 64 * k, h);
      accumulate(lane_unsigned<Dot>(_mm256_and_si256(v, lo), q, init, k), dd, &acc[k]);
      accumulate(lane_unsigned<Dot>(_mm256_and_si256(_mm256_srli_epi16(v, 4), lo), q, init, k + 4), dd,
                 &acc[k + 4]);
    }
  } else {
    const __m256i lo = _mm256_set1_epi8(0x0F);
    const __m256i qh = load_half_slab(s, h);
    const __m256i fifth[8] = {fifth_bits<0>(qh), fifth_bits<1>(qh), fifth_bits<2>(qh),
                              fifth_bits<3>(qh), fifth_bits<4>(qh), fifth_bits<5>(qh),
                              fifth_bits<6>(qh), fifth_bits<7>(qh)};
    for (int k = 0; k < 4; ++k) {
      const __m256i v = load_half_slab(s + 64 * (k + 1), h);
      const __m256i c_lo = _mm256_or_si256(_mm256_and_si256(v, lo), fifth[k]);
      const __m256i c_hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v, 4), lo), fifth[k + 4]);
      accumulate(lane_unsigned<Dot>(c_lo, q, init, k), dd, &acc[k]);
      accumulate(lane_unsigned<Dot>(c_hi, q, init, k + 4), dd, &acc[k + 4]);
    }
  }
}

// The token's lane offsets, eight per block.
thread_local I32Scratch tl_init;

template <Fmt F, class Dot>
void gemv_packed(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t t, float* out) {
  const int64_t nb = x.cols / kQK;
  const int8_t* q = x.q(t);
  const float* dx = x.d(t);
  int32_t* init = nullptr;
  if constexpr (F != Fmt::kQ8_0 || Dot::kUnsignedQ8) {
    init = tl_init.get(nb * 8);
    lane_offsets(q, nb * 8, kOffset<F>, init);
  }
  const int64_t group_bytes = nb * kBlockBytes<F>;
  for (int64_t g = 0; g < n_groups; ++g) {
    const uint8_t* p = groups + g * group_bytes;
    for (int h = 0; h < 2; ++h) {
      __m256 acc[8];
      for (auto& a : acc) a = _mm256_setzero_ps();
      for (int64_t b = 0; b < nb; ++b) {
        // The second half reads the lines the first brought in.
        if (h == 0) prefetch_ahead(p + b * kBlockBytes<F>, kBlockBytes<F>);
        const int32_t* block_init = init == nullptr ? nullptr : init + 8 * b;
        block_half<F, Dot>(p + b * kBlockBytes<F>, h, q + b * kQK, block_init, dx[b], acc);
      }
      // The twins' lane order: ((0+4) + (2+6)) + ((1+5) + (3+7)).
      const __m256 sum =
          _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[4]), _mm256_add_ps(acc[2], acc[6])),
                        _mm256_add_ps(_mm256_add_ps(acc[1], acc[5]), _mm256_add_ps(acc[3], acc[7])));
      _mm256_storeu_ps(out + kPackRows * g + 8 * h, sum);
    }
  }
}

// The three formats' packed decode entries of `t`, over Dot.
template <class Dot>
void fill_packed_decode(KernelTable& t) {
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ8_0)] = gemv_packed<Fmt::kQ8_0, Dot>;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ4_0)] = gemv_packed<Fmt::kQ4_0, Dot>;
  t.gemv_packed[static_cast<uint32_t>(GgmlType::kQ5_0)] = gemv_packed<Fmt::kQ5_0, Dot>;
}

}  // namespace
}  // namespace zhi
