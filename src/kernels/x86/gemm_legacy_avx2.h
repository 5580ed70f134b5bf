// The AVX2 kernels over the 32-element formats (Q8_0, Q4_0, Q5_0, IQ4_NL,
// Q4_1, Q5_1) in the file's row layout, written once over a Dot policy:
// gemm_avx2.cc instantiates them with vpmaddubsw + vpmaddwd, and
// gemm_legacy_avxvnni.cc with AVX-VNNI's vpdpbusd. Everything here has
// internal linkage: each including file compiles its own copy with its own
// ISA flags. The arithmetic is the scalar twins' (eight f32 lanes, lane k =
// products 4k..4k+3 of each block), whichever policy forms the integer sums.
#pragma once

#include <cmath>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx2_util.h"
#include "quant/block_formats.h"

namespace zhi {
namespace {

constexpr int kRowTile = 4;

// ---- 32-element formats ----

// How a format's 32 codes meet the signed activation bytes.
enum class Codes { kSigned, kOffset, kUnsigned };

struct Q8_0T {
  using Block = BlockQ8_0;
  static constexpr Codes kCodes = Codes::kSigned;
  static constexpr bool kMin = false;
  static __m256i values(const Block& b) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs));
  }
};

struct Q4_0T {
  using Block = BlockQ4_0;
  static constexpr Codes kCodes = Codes::kOffset;
  static constexpr int kOffset = 8;
  static constexpr bool kMin = false;
  static __m256i values(const Block& b) { return unpack_nibbles(b.qs); }
};

struct Q5_0T {
  using Block = BlockQ5_0;
  static constexpr Codes kCodes = Codes::kOffset;
  static constexpr int kOffset = 16;
  static constexpr bool kMin = false;
  static __m256i values(const Block& b) {
    return _mm256_or_si256(unpack_nibbles(b.qs), bits_to_0x10(load_u32(b.qh)));
  }
};

struct Iq4NlT {
  using Block = BlockIq4Nl;
  static constexpr Codes kCodes = Codes::kSigned;
  static constexpr bool kMin = false;
  static __m256i values(const Block& b) {
    const __m256i table = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
    return _mm256_shuffle_epi8(table, unpack_nibbles(b.qs));
  }
};

struct Q4_1T {
  using Block = BlockQ4_1;
  static constexpr Codes kCodes = Codes::kUnsigned;
  static constexpr bool kMin = true;
  static __m256i values(const Block& b) { return unpack_nibbles(b.qs); }
};

struct Q5_1T {
  using Block = BlockQ5_1;
  static constexpr Codes kCodes = Codes::kUnsigned;
  static constexpr bool kMin = true;
  static __m256i values(const Block& b) {
    return _mm256_or_si256(unpack_nibbles(b.qs), bits_to_0x10(load_u32(b.qh)));
  }
};

// How a lane's four products are formed (a Dot policy):
//   codes<T>(v): the block's codes as the policy multiplies them (once per
//     row and block, shared by the tokens);
//   init<T>(qv): per token and block, what every row's lanes start from;
//   lanes<T>(codes, qv, init): the exact sums of the four products.
// MaddDot is AVX2 alone (vpmaddubsw then vpmaddwd; signed codes through
// vpsignb); gemm_legacy_avxvnni.cc has the AVX-VNNI one.
struct MaddDot {
  template <class T>
  static __m256i codes(__m256i v) {
    return v;
  }
  template <class T>
  static __m256i init(__m256i qv) {
    if constexpr (T::kCodes == Codes::kOffset) return dot4_us(_mm256_set1_epi8(T::kOffset), qv);
    return _mm256_setzero_si256();
  }
  template <class T>
  static __m256i lanes(__m256i v, __m256i qv, __m256i init) {
    if constexpr (T::kCodes == Codes::kSigned) return dot4_ss(v, qv);
    if constexpr (T::kCodes == Codes::kOffset) return _mm256_sub_epi32(dot4_us(v, qv), init);
    return dot4_us(v, qv);
  }
};

template <class T, class Dot, int R>
void legacy_rows(const uint8_t* w, int64_t ws, const ActView& x, int64_t t, float* out) {
  using Block = typename T::Block;
  const int64_t nb = x.cols / kQK;
  const int8_t* q = x.q(t);
  const float* d = x.d(t);
  __m256 acc[R];
  float summs[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps(), summs[r] = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    prefetch_slice(w + R * ws, R * ws, b, nb);  // the next rows, during this pass
    const __m256i qv = _mm256_load_si256(reinterpret_cast<const __m256i*>(q + b * kQK));
    const __m256i init = Dot::template init<T>(qv);
    for (int r = 0; r < R; ++r) {
      const Block& blk = reinterpret_cast<const Block*>(w + r * ws)[b];
      const __m256i lanes = Dot::template lanes<T>(Dot::template codes<T>(T::values(blk)), qv, init);
      const __m256 dd = _mm256_set1_ps(half_to_float(blk.d) * d[b]);
      acc[r] = _mm256_fmadd_ps(dd, _mm256_cvtepi32_ps(lanes), acc[r]);
      if constexpr (T::kMin) summs[r] = std::fma(half_to_float(blk.m), x.s(t)[b], summs[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r] = hsum8(acc[r]) + summs[r];
}

// A prompt's tokens meet the rows R x NT at a time: each block's codes are
// unpacked once per R rows for NT tokens, and each token's activation block
// (and its offset correction) once per R rows. Every (row, token) keeps
// legacy_rows' arithmetic: eight lanes, the same product d_w * d_x, blocks in
// order. R = 2, NT = 4: 8 accumulators + 2 code vectors + the activation,
// correction, lanes and scale of the product in flight = 14 of 16 ymm.
template <class T, class Dot, int R, int NT>
void legacy_tile(const uint8_t* w, int64_t ws, const ActView& x, int64_t t0, float* out,
                 int64_t ldo) {
  using Block = typename T::Block;
  const int64_t nb = x.cols / kQK;
  __m256 acc[R][NT];
  float summs[R][NT];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < NT; ++t) acc[r][t] = _mm256_setzero_ps(), summs[r][t] = 0.0f;
  for (int64_t b = 0; b < nb; ++b) {
    __m256i v[R];
    float dw[R];
    for (int r = 0; r < R; ++r) {
      const Block& blk = reinterpret_cast<const Block*>(w + r * ws)[b];
      v[r] = Dot::template codes<T>(T::values(blk));
      dw[r] = half_to_float(blk.d);
    }
    for (int t = 0; t < NT; ++t) {
      const __m256i qv = _mm256_load_si256(reinterpret_cast<const __m256i*>(x.q(t0 + t) + b * kQK));
      const __m256i init = Dot::template init<T>(qv);
      const float dx = x.d(t0 + t)[b];
      for (int r = 0; r < R; ++r) {
        const __m256i lanes = Dot::template lanes<T>(v[r], qv, init);
        acc[r][t] =
            _mm256_fmadd_ps(_mm256_set1_ps(dw[r] * dx), _mm256_cvtepi32_ps(lanes), acc[r][t]);
        if constexpr (T::kMin) {
          const Block& blk = reinterpret_cast<const Block*>(w + r * ws)[b];
          summs[r][t] = std::fma(half_to_float(blk.m), x.s(t0 + t)[b], summs[r][t]);
        }
      }
    }
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < NT; ++t) out[(t0 + t) * ldo + r] = hsum8(acc[r][t]) + summs[r][t];
}

template <class T, class Dot>
void gemm_legacy(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
                 int64_t ldo) {
  constexpr int kTileRows = 2, kTileTokens = 4;
  int64_t t = 0;
  for (; t + kTileTokens <= nt; t += kTileTokens) {
    int64_t r = 0;
    for (; r + kTileRows <= nr; r += kTileRows)
      legacy_tile<T, Dot, kTileRows, kTileTokens>(w + r * ws, ws, x, t, out + r, ldo);
    for (; r < nr; ++r) legacy_tile<T, Dot, 1, kTileTokens>(w + r * ws, ws, x, t, out + r, ldo);
  }
  for (; t < nt; ++t) {
    int64_t r = 0;
    for (; r + kRowTile <= nr; r += kRowTile)
      legacy_rows<T, Dot, kRowTile>(w + r * ws, ws, x, t, out + t * ldo + r);
    for (; r < nr; ++r) legacy_rows<T, Dot, 1>(w + r * ws, ws, x, t, out + t * ldo + r);
  }
}

// The six formats' GemmFn entries of `t`, over Dot.
template <class Dot>
void fill_legacy_gemm(KernelTable& t) {
  auto set = [&t](GgmlType type, GemmFn fn) { t.gemm[static_cast<uint32_t>(type)] = fn; };
  set(GgmlType::kQ8_0, gemm_legacy<Q8_0T, Dot>);
  set(GgmlType::kQ4_0, gemm_legacy<Q4_0T, Dot>);
  set(GgmlType::kQ5_0, gemm_legacy<Q5_0T, Dot>);
  set(GgmlType::kIQ4_NL, gemm_legacy<Iq4NlT, Dot>);
  set(GgmlType::kQ4_1, gemm_legacy<Q4_1T, Dot>);
  set(GgmlType::kQ5_1, gemm_legacy<Q5_1T, Dot>);
}

}  // namespace
}  // namespace zhi
