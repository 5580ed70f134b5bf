// AVX2 + FMA + F16C matrix kernels for every weight format. Each output is
// computed with exactly the scalar twin's arithmetic (kernels/scalar/), so the
// two agree bit for bit: 32-element formats and IQ4_XS keep eight f32 lanes
// (lane k = products at positions 4k..4k+3 of each 32-block), K-quants fold
// an exact integer super-block sum with one fused multiply-add, and the float
// formats keep sixteen lanes in two ymm registers.
//
// Rows are processed four at a time so each activation block is loaded once
// for four weight rows; tokens are the outer loop, so a task's rows stay in L1
// while every token passes over them.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/gemm_legacy_avx2.h"
#include "kernels/x86/x86_kernels.h"
#include "quant/block_formats.h"

namespace zhi {
namespace {

// ---- IQ4_XS: eight lanes per super-block ----

template <int R>
void iq4_xs_rows(const uint8_t* w, int64_t ws, const ActView& x, int64_t t, float* out) {
  const int64_t nb = x.cols / kQK_K;
  const int8_t* q = x.q(t);
  const float* d8 = x.d(t);
  const __m256i table =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
  __m256 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
  for (int64_t i = 0; i < nb; ++i) {
    prefetch_slice(w + R * ws, R * ws, i, nb);
    for (int r = 0; r < R; ++r) {
      const BlockIq4Xs& blk = reinterpret_cast<const BlockIq4Xs*>(w + r * ws)[i];
      __m256i lanes = _mm256_setzero_si256();
      for (int g = 0; g < 8; ++g) {
        const int ls = (((blk.scales_l[g / 2] >> (4 * (g % 2))) & 15) |
                        (((blk.scales_h >> (2 * g)) & 3) << 4)) -
                       32;
        const __m256i v = _mm256_shuffle_epi8(table, unpack_nibbles(blk.qs + 16 * g));
        const __m256i qv =
            _mm256_load_si256(reinterpret_cast<const __m256i*>(q + i * kQK_K + 32 * g));
        const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(v, v), _mm256_sign_epi8(qv, v));
        lanes = _mm256_add_epi32(
            lanes, _mm256_madd_epi16(p16, _mm256_set1_epi16(static_cast<int16_t>(ls))));
      }
      acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk.d) * d8[i]),
                               _mm256_cvtepi32_ps(lanes), acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r] = hsum8(acc[r]);
}

void gemm_iq4_xs(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
                 int64_t ldo) {
  for (int64_t t = 0; t < nt; ++t) {
    int64_t r = 0;
    for (; r + kRowTile <= nr; r += kRowTile)
      iq4_xs_rows<kRowTile>(w + r * ws, ws, x, t, out + t * ldo + r);
    for (; r < nr; ++r) iq4_xs_rows<1>(w + r * ws, ws, x, t, out + t * ldo + r);
  }
}

// ---- K-quants: exact integer sums per super-block ----

// Scales as i16 for bytes 0..15 (a) and 16..31 (b) of a 32-byte chunk.
inline __m256i scale_pair(int a, int b) {
  return _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>(b)),
                          _mm_set1_epi16(static_cast<int16_t>(a)));
}

inline __m256i load32(const void* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

struct KSums {
  int32_t isum, msum;
};

KSums q2_k_sums(const BlockQ2_K& b, const int8_t* q, const int16_t* bsums) {
  __m256i acc = _mm256_setzero_si256();
  const __m256i m3 = _mm256_set1_epi8(3);
  for (int h = 0; h < 2; ++h) {
    const __m256i bits = load32(b.qs + 32 * h);
    for (int s = 0; s < 4; ++s) {
      const __m256i v = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * s), m3);
      const int g = 8 * h + 2 * s;
      const __m256i p16 = _mm256_maddubs_epi16(v, load32(q + 128 * h + 32 * s));
      acc = _mm256_add_epi32(
          acc, _mm256_madd_epi16(p16, scale_pair(b.scales[g] & 15, b.scales[g + 1] & 15)));
    }
  }
  int32_t msum = 0;
  for (int g = 0; g < 16; ++g) msum += (b.scales[g] >> 4) * bsums[g];
  return {hsum_i32(acc), msum};
}

void q3_k_scales(const uint8_t packed[12], int out[16]) {
  uint32_t a[3];
  std::memcpy(a, packed, 12);
  const uint32_t s[4] = {
      (a[0] & 0x0f0f0f0fu) | (((a[2] >> 0) & 0x03030303u) << 4),
      (a[1] & 0x0f0f0f0fu) | (((a[2] >> 2) & 0x03030303u) << 4),
      ((a[0] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 4) & 0x03030303u) << 4),
      ((a[1] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 6) & 0x03030303u) << 4),
  };
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 4; ++j) out[4 * k + j] = static_cast<int>((s[k] >> (8 * j)) & 0xFF) - 32;
}

KSums q3_k_sums(const BlockQ3_K& b, const int8_t* q, const int16_t* bsums) {
  int sc[16];
  q3_k_scales(b.scales, sc);
  __m256i acc = _mm256_setzero_si256();
  const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
  const __m256i hm = load32(b.hmask);
  for (int h = 0; h < 2; ++h) {
    const __m256i bits = load32(b.qs + 32 * h);
    for (int s = 0; s < 4; ++s) {
      // u = low2 + 4 * high bit; the value is u - 4, applied below through bsums.
      const __m256i low = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * s), m3);
      const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hm, 4 * h + s), one);
      const __m256i u = _mm256_or_si256(low, _mm256_slli_epi16(high, 2));
      const int g = 8 * h + 2 * s;
      const __m256i p16 = _mm256_maddubs_epi16(u, load32(q + 128 * h + 32 * s));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p16, scale_pair(sc[g], sc[g + 1])));
    }
  }
  int32_t corr = 0;
  for (int g = 0; g < 16; ++g) corr += sc[g] * bsums[g];
  return {hsum_i32(acc) - 4 * corr, 0};
}

inline void k4_scales(const uint8_t packed[12], int sc[8], int mn[8]) {
  for (int g = 0; g < 8; ++g) {
    uint8_t s, m;
    get_scale_min_k4(g, packed, &s, &m);
    sc[g] = s;
    mn[g] = m;
  }
}

template <bool kFifthBit, class Block>
KSums q45_k_sums(const Block& b, const int8_t* q, const int16_t* bsums) {
  int sc[8], mn[8];
  k4_scales(b.scales, sc, mn);
  __m256i acc = _mm256_setzero_si256();
  const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
  __m256i qh = _mm256_setzero_si256();
  if constexpr (kFifthBit) qh = load32(b.qh);
  for (int c = 0; c < 4; ++c) {
    const __m256i bits = load32(b.qs + 32 * c);
    for (int half = 0; half < 2; ++half) {
      const int g = 2 * c + half;
      __m256i v = _mm256_and_si256(half ? _mm256_srli_epi16(bits, 4) : bits, m4);
      if constexpr (kFifthBit)
        v = _mm256_or_si256(v,
                            _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, g), one), 4));
      const __m256i p16 = _mm256_maddubs_epi16(v, load32(q + 32 * g));
      acc = _mm256_add_epi32(
          acc, _mm256_madd_epi16(p16, _mm256_set1_epi16(static_cast<int16_t>(sc[g]))));
    }
  }
  int32_t msum = 0;
  for (int g = 0; g < 8; ++g) msum += mn[g] * (bsums[2 * g] + bsums[2 * g + 1]);
  return {hsum_i32(acc), msum};
}

KSums q4_k_sums(const BlockQ4_K& b, const int8_t* q, const int16_t* bsums) {
  return q45_k_sums<false>(b, q, bsums);
}
KSums q5_k_sums(const BlockQ5_K& b, const int8_t* q, const int16_t* bsums) {
  return q45_k_sums<true>(b, q, bsums);
}

// Group k (0-3) of one Q6_K half: the low nibbles of ql0/ql1 (k = 0, 1),
// then their high nibbles (k = 2, 3), with two bits of qh each on top.
__attribute__((always_inline)) inline __m256i q6_k_codes(__m256i ql0, __m256i ql1, __m256i qh,
                                                         int k) {
  const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
  const __m256i ql = (k & 1) ? ql1 : ql0;
  const __m256i lo = _mm256_and_si256((k >> 1) ? _mm256_srli_epi16(ql, 4) : ql, m4);
  const __m256i hi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), m3), 4);
  return _mm256_or_si256(lo, hi);
}

KSums q6_k_sums(const BlockQ6_K& b, const int8_t* q, const int16_t* bsums) {
  __m256i acc = _mm256_setzero_si256();
  for (int h = 0; h < 2; ++h) {
    const __m256i ql0 = load32(b.ql + 64 * h), ql1 = load32(b.ql + 64 * h + 32);
    const __m256i qh = load32(b.qh + 32 * h);
    for (int k = 0; k < 4; ++k) {
      const int g = 8 * h + 2 * k;
      const __m256i p16 =
          _mm256_maddubs_epi16(q6_k_codes(ql0, ql1, qh, k), load32(q + 128 * h + 32 * k));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p16, scale_pair(b.scales[g], b.scales[g + 1])));
    }
  }
  // Codes are stored +32; take 32 * scale * (sum of the group's quants) back out.
  int32_t corr = 0;
  for (int g = 0; g < 16; ++g) corr += b.scales[g] * bsums[g];
  return {hsum_i32(acc) - 32 * corr, 0};
}

// A prompt's tokens share each super-block's unpacking (decode keeps the
// kSums above, straight from registers: through this struct it ran at half
// the speed): the codes of a
// Q4_K, Q5_K or Q6_K super-block are decoded once into eight 32-code groups
// with their 16-bit scale pairs, plus one i16 weight per 16 quants for the
// activations' block sums (the mins, or the codes' +32 offset), and every
// token then takes its integer sums from that. The sums are exact integers,
// the same as kSums gives, so the result is the same bits.
struct DecodedK {
  __m256i codes[8];
  __m256i scales[8];
  __m256i sum_weights;  // i16 x 16, against the activations' bsums
};

void decode_k(const BlockQ4_K& b, DecodedK& out) {
  int sc[8], mn[8];
  k4_scales(b.scales, sc, mn);
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  alignas(32) int16_t w[16];
  for (int c = 0; c < 4; ++c) {
    const __m256i bits = load32(b.qs + 32 * c);
    out.codes[2 * c] = _mm256_and_si256(bits, m4);
    out.codes[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(bits, 4), m4);
  }
  for (int g = 0; g < 8; ++g) {
    out.scales[g] = _mm256_set1_epi16(static_cast<int16_t>(sc[g]));
    w[2 * g] = w[2 * g + 1] = static_cast<int16_t>(mn[g]);
  }
  out.sum_weights = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
}

void decode_k(const BlockQ5_K& b, DecodedK& out) {
  int sc[8], mn[8];
  k4_scales(b.scales, sc, mn);
  const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
  const __m256i qh = load32(b.qh);
  alignas(32) int16_t w[16];
  for (int c = 0; c < 4; ++c) {
    const __m256i bits = load32(b.qs + 32 * c);
    for (int half = 0; half < 2; ++half) {
      const int g = 2 * c + half;
      const __m256i v = _mm256_and_si256(half ? _mm256_srli_epi16(bits, 4) : bits, m4);
      out.codes[g] =
          _mm256_or_si256(v, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, g), one), 4));
    }
  }
  for (int g = 0; g < 8; ++g) {
    out.scales[g] = _mm256_set1_epi16(static_cast<int16_t>(sc[g]));
    w[2 * g] = w[2 * g + 1] = static_cast<int16_t>(mn[g]);
  }
  out.sum_weights = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
}

void decode_k(const BlockQ6_K& b, DecodedK& out) {
  alignas(32) int16_t w[16];
  for (int h = 0; h < 2; ++h) {
    const __m256i ql0 = load32(b.ql + 64 * h), ql1 = load32(b.ql + 64 * h + 32);
    const __m256i qh = load32(b.qh + 32 * h);
    for (int k = 0; k < 4; ++k) {
      const int g = 8 * h + 2 * k;
      out.codes[4 * h + k] = q6_k_codes(ql0, ql1, qh, k);
      out.scales[4 * h + k] = scale_pair(b.scales[g], b.scales[g + 1]);
    }
  }
  for (int g = 0; g < 16; ++g) w[g] = static_cast<int16_t>(32 * b.scales[g]);
  out.sum_weights = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
}

template <bool kMin>
KSums decoded_sums(const DecodedK& d, const int8_t* q, const int16_t* bsums) {
  __m256i acc = _mm256_setzero_si256();
  for (int g = 0; g < 8; ++g) {
    const __m256i p16 = _mm256_maddubs_epi16(d.codes[g], load32(q + 32 * g));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p16, d.scales[g]));
  }
  const int32_t weighted = hsum_i32(_mm256_madd_epi16(d.sum_weights, load32(bsums)));
  if constexpr (kMin) return {hsum_i32(acc), weighted};
  return {hsum_i32(acc) - weighted, 0};
}

// Tokens of a prompt, up to kTokens at a time, per row: one decode per
// super-block for all of them. Each (row, token) accumulates in gemm_k's
// order.
template <class Block, bool kMin>
void gemm_k_decoded(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t t0,
                    int64_t nt, float* out, int64_t ldo) {
  constexpr int kTokens = 8;
  const int64_t nb = x.cols / kQK_K;
  for (; nt > 0; t0 += kTokens, nt -= kTokens) {
    const int64_t n = std::min<int64_t>(kTokens, nt);
    for (int64_t r = 0; r < nr; ++r) {
      const Block* b = reinterpret_cast<const Block*>(w + r * ws);
      float acc[kTokens] = {}, acc_min[kTokens] = {};
      for (int64_t i = 0; i < nb; ++i) {
        DecodedK d;
        decode_k(b[i], d);
        const float dw = half_to_float(b[i].d);
        for (int64_t t = 0; t < n; ++t) {
          const KSums s = decoded_sums<kMin>(d, x.q(t0 + t) + i * kQK_K, x.bsums(t0 + t) + i * 16);
          const float d8 = x.d(t0 + t)[i];
          acc[t] = std::fma(static_cast<float>(s.isum), d8 * dw, acc[t]);
          if constexpr (kMin)
            acc_min[t] =
                std::fma(static_cast<float>(s.msum), d8 * half_to_float(b[i].dmin), acc_min[t]);
        }
      }
      for (int64_t t = 0; t < n; ++t) out[(t0 + t) * ldo + r] = acc[t] - acc_min[t];
    }
  }
}

template <class Block, KSums (*kSums)(const Block&, const int8_t*, const int16_t*), bool kMin>
void gemm_k(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
            int64_t ldo) {
  if constexpr (std::is_same_v<Block, BlockQ4_K> || std::is_same_v<Block, BlockQ5_K> ||
                std::is_same_v<Block, BlockQ6_K>) {
    if (nt > 1) return gemm_k_decoded<Block, kMin>(w, ws, nr, x, 0, nt, out, ldo);
  }
  const int64_t nb = x.cols / kQK_K;
  for (int64_t t = 0; t < nt; ++t) {
    const int8_t* q = x.q(t);
    const float* d8 = x.d(t);
    const int16_t* bsums = x.bsums(t);
    for (int64_t r = 0; r < nr; ++r) {
      const Block* b = reinterpret_cast<const Block*>(w + r * ws);
      float acc = 0.0f, acc_min = 0.0f;
      for (int64_t i = 0; i < nb; ++i) {
        if (nt == 1) prefetch_slice(w + (r + 1) * ws, ws, i, nb);
        const KSums s = kSums(b[i], q + i * kQK_K, bsums + i * 16);
        acc = std::fma(static_cast<float>(s.isum), d8[i] * half_to_float(b[i].d), acc);
        if constexpr (kMin)
          acc_min = std::fma(static_cast<float>(s.msum), d8[i] * half_to_float(b[i].dmin), acc_min);
      }
      out[t * ldo + r] = acc - acc_min;
    }
  }
}

// ---- float formats: sixteen lanes in two ymm ----

struct F32Load {
  static constexpr int kBytes = 4;
  static __m256 load(const void* p, int64_t i) {
    return _mm256_loadu_ps(static_cast<const float*>(p) + i);
  }
  static float one(const void* p, int64_t i) { return static_cast<const float*>(p)[i]; }
};
struct F16Load {
  static constexpr int kBytes = 2;
  static __m256 load(const void* p, int64_t i) {
    return _mm256_cvtph_ps(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(p) + i)));
  }
  static float one(const void* p, int64_t i) {
    return half_to_float(static_cast<const uint16_t*>(p)[i]);
  }
};
struct Bf16Load {
  static constexpr int kBytes = 2;
  static __m256 load(const void* p, int64_t i) {
    const __m128i h =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(p) + i));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static float one(const void* p, int64_t i) {
    const uint32_t u = static_cast<uint32_t>(static_cast<const uint16_t*>(p)[i]) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
};

// Activations come as f32 (ActView keeps F16/BF16 rows widened), so only
// the weights are converted.
template <class L, int R>
void float_rows(const uint8_t* w, int64_t ws, const float* xa, int64_t n, float* out) {
  __m256 lo[R], hi[R];
  for (int r = 0; r < R; ++r) lo[r] = _mm256_setzero_ps(), hi[r] = _mm256_setzero_ps();
  int64_t i = 0;
  // Attention's K rows are one head (128 bytes in F16) a position apart: the
  // next tile is too close to hide DRAM latency, so those rows are fetched
  // kAheadRows ahead instead (as the AVX-512 kernels do).
  const bool short_rows = n * L::kBytes <= 512;
  if (short_rows)
    for (int r = 0; r < R; ++r) prefetch_span(w + (kAheadRows + r) * ws, n * L::kBytes);
  for (; i + 16 <= n; i += 16) {
    // Long rows (weights): each row's line 1 KB ahead (float_avx512.cc says why).
    if (!short_rows && (i * L::kBytes) % 64 == 0)
      for (int r = 0; r < R; ++r) prefetch_ahead(w + r * ws + i * L::kBytes, 1);
    const __m256 x0 = _mm256_loadu_ps(xa + i), x1 = _mm256_loadu_ps(xa + i + 8);
    for (int r = 0; r < R; ++r) {
      lo[r] = _mm256_fmadd_ps(L::load(w + r * ws, i), x0, lo[r]);
      hi[r] = _mm256_fmadd_ps(L::load(w + r * ws, i + 8), x1, hi[r]);
    }
  }
  for (int r = 0; r < R; ++r) {
    float sum = hsum8(_mm256_add_ps(lo[r], hi[r]));
    for (int64_t j = i; j < n; ++j) sum = std::fma(L::one(w + r * ws, j), xa[j], sum);
    out[r] = sum;
  }
}

// Attention's scores: short rows (one head) against several queries. Each
// K row is converted once for T queries, whose values come straight from
// memory into the FMAs (2T accumulators + 2 converted halves). Every (row,
// query) keeps float_rows' arithmetic.
template <class L, int T>
void float_tokens(const uint8_t* w, int64_t ws, int64_t nr, const float* const* xs, int64_t n,
                  float* out, int64_t ldo) {
  for (int64_t r = 0; r < nr; ++r) {
    const uint8_t* wr = w + r * ws;
    prefetch_span(wr + kAheadRows * ws, n * L::kBytes);
    __m256 lo[T], hi[T];
    for (int t = 0; t < T; ++t) lo[t] = _mm256_setzero_ps(), hi[t] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m256 w0 = L::load(wr, i), w1 = L::load(wr, i + 8);
      for (int t = 0; t < T; ++t) {
        lo[t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(xs[t] + i), lo[t]);
        hi[t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xs[t] + i + 8), hi[t]);
      }
    }
    for (int t = 0; t < T; ++t) {
      float sum = hsum8(_mm256_add_ps(lo[t], hi[t]));
      for (int64_t j = i; j < n; ++j) sum = std::fma(L::one(wr, j), xs[t][j], sum);
      out[t * ldo + r] = sum;
    }
  }
}

template <class L>
void gemm_float(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
                int64_t ldo) {
  if (nt > 1 && x.cols * L::kBytes <= 512) {
    for (int64_t t0 = 0; t0 < nt; t0 += 4) {
      const float* xs[4] = {};
      const int64_t k = std::min<int64_t>(4, nt - t0);
      for (int64_t j = 0; j < k; ++j) xs[j] = x.f(t0 + j);
      float* o = out + t0 * ldo;
      if (k == 4) float_tokens<L, 4>(w, ws, nr, xs, x.cols, o, ldo);
      if (k == 3) float_tokens<L, 3>(w, ws, nr, xs, x.cols, o, ldo);
      if (k == 2) float_tokens<L, 2>(w, ws, nr, xs, x.cols, o, ldo);
      if (k == 1) float_tokens<L, 1>(w, ws, nr, xs, x.cols, o, ldo);
    }
    return;
  }
  for (int64_t t = 0; t < nt; ++t) {
    const float* xa = x.f(t);
    int64_t r = 0;
    for (; r + kRowTile <= nr; r += kRowTile)
      float_rows<L, kRowTile>(w + r * ws, ws, xa, x.cols, out + t * ldo + r);
    for (; r < nr; ++r) float_rows<L, 1>(w + r * ws, ws, xa, x.cols, out + t * ldo + r);
  }
}

// ---- attention over one KV head ----

// out[i] = fma(p[j], V[j][i], out[i]) for j in order; 32 outputs per pass
// keep four accumulators in registers while the values stream by.
template <class L>
void accum_float(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd,
                 float* out) {
  int64_t i = 0;
  for (; i + 32 <= hd; i += 32) {
    __m256 o[4];
    for (int u = 0; u < 4; ++u) o[u] = _mm256_loadu_ps(out + i + 8 * u);
    for (int64_t j = 0; j < n; ++j) {
      prefetch_span(v + (j + kAheadRows) * stride + i * L::kBytes, 32 * L::kBytes);
      const __m256 pj = _mm256_set1_ps(p[j]);
      for (int u = 0; u < 4; ++u)
        o[u] = _mm256_fmadd_ps(pj, L::load(v + j * stride, i + 8 * u), o[u]);
    }
    for (int u = 0; u < 4; ++u) _mm256_storeu_ps(out + i + 8 * u, o[u]);
  }
  for (; i < hd; ++i)
    for (int64_t j = 0; j < n; ++j) out[i] = std::fma(p[j], L::one(v + j * stride, i), out[i]);
}

// Several queries over the same V rows (grouped-query decode, a prompt's
// query block): 16-wide slices, two accumulators per query, up to six
// queries per pass (12 + 2 converted V vectors of the 16 ymm), so each V
// slice is converted once for all of them. Same FMA chains as accum_float.
template <class L>
void accum_multi_float(const float* p, int64_t ldp, int64_t nq, const uint8_t* v, int64_t stride,
                       int64_t n, int64_t hd, float* out, int64_t ldo) {
  if (hd % 16 != 0) {
    for (int64_t q = 0; q < nq; ++q) accum_float<L>(p + q * ldp, v, stride, n, hd, out + q * ldo);
    return;
  }
  constexpr int kMaxQ = 6;
  for (int64_t q0 = 0; q0 < nq; q0 += kMaxQ) {
    const int nqc = static_cast<int>(std::min<int64_t>(kMaxQ, nq - q0));
    for (int64_t i = 0; i < hd; i += 16) {
      __m256 o[kMaxQ][2];
      for (int q = 0; q < nqc; ++q)
        for (int u = 0; u < 2; ++u) o[q][u] = _mm256_loadu_ps(out + (q0 + q) * ldo + i + 8 * u);
      for (int64_t j = 0; j < n; ++j) {
        prefetch_span(v + (j + kAheadRows) * stride + i * L::kBytes, 16 * L::kBytes);
        const __m256 v0 = L::load(v + j * stride, i), v1 = L::load(v + j * stride, i + 8);
        for (int q = 0; q < nqc; ++q) {
          const __m256 pj = _mm256_set1_ps(p[(q0 + q) * ldp + j]);
          o[q][0] = _mm256_fmadd_ps(pj, v0, o[q][0]);
          o[q][1] = _mm256_fmadd_ps(pj, v1, o[q][1]);
        }
      }
      for (int q = 0; q < nqc; ++q)
        for (int u = 0; u < 2; ++u) _mm256_storeu_ps(out + (q0 + q) * ldo + i + 8 * u, o[q][u]);
    }
  }
}

void accum_q8_0(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd,
                float* out) {
  for (int64_t i = 0; i < hd; i += kQK) {
    __m256 o[4];
    for (int u = 0; u < 4; ++u) o[u] = _mm256_loadu_ps(out + i + 8 * u);
    for (int64_t j = 0; j < n; ++j) {
      const BlockQ8_0& b = reinterpret_cast<const BlockQ8_0*>(v + j * stride)[i / kQK];
      const __m256 pj = _mm256_set1_ps(p[j]), d = _mm256_set1_ps(half_to_float(b.d));
      for (int u = 0; u < 4; ++u) {
        const __m256i q =
            _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b.qs + 8 * u)));
        o[u] = _mm256_fmadd_ps(pj, _mm256_mul_ps(d, _mm256_cvtepi32_ps(q)), o[u]);
      }
    }
    for (int u = 0; u < 4; ++u) _mm256_storeu_ps(out + i + 8 * u, o[u]);
  }
}

template <GgmlType kType>
void set(KernelTable& t, GemmFn fn) {
  t.gemm[static_cast<uint32_t>(kType)] = fn;
}

}  // namespace

void fill_avx2_gemm(KernelTable& t) {
  fill_legacy_gemm<MaddDot>(t);
  set<GgmlType::kIQ4_XS>(t, gemm_iq4_xs);
  set<GgmlType::kQ2_K>(t, gemm_k<BlockQ2_K, q2_k_sums, true>);
  set<GgmlType::kQ3_K>(t, gemm_k<BlockQ3_K, q3_k_sums, false>);
  set<GgmlType::kQ4_K>(t, gemm_k<BlockQ4_K, q4_k_sums, true>);
  set<GgmlType::kQ5_K>(t, gemm_k<BlockQ5_K, q5_k_sums, true>);
  set<GgmlType::kQ6_K>(t, gemm_k<BlockQ6_K, q6_k_sums, false>);
  set<GgmlType::kF32>(t, gemm_float<F32Load>);
  set<GgmlType::kF16>(t, gemm_float<F16Load>);
  set<GgmlType::kBF16>(t, gemm_float<Bf16Load>);
}

void fill_avx2_attention(KernelTable& t) {
  t.attn_accum[static_cast<uint32_t>(GgmlType::kF16)] = accum_float<F16Load>;
  t.attn_accum[static_cast<uint32_t>(GgmlType::kF32)] = accum_float<F32Load>;
  t.attn_accum[static_cast<uint32_t>(GgmlType::kQ8_0)] = accum_q8_0;
  t.attn_accum_multi[static_cast<uint32_t>(GgmlType::kF16)] = accum_multi_float<F16Load>;
  t.attn_accum_multi[static_cast<uint32_t>(GgmlType::kF32)] = accum_multi_float<F32Load>;
}

}  // namespace zhi
