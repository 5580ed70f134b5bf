// AVX2 activation quantizers. They write the same bytes as the scalar ones
// (kernels/activation_quant.cc): max|x| is order-independent, the scale is
// the same f32 division, and rounding is the same round-half-to-even.
#include <cmath>

#include "kernels/act_rows.h"
#include "kernels/kernel_table.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

inline float hmax8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

inline float round_half(float f) { return _cvtsh_ss(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT)); }

inline __m256i round_to_i32(__m256 v) {
  return _mm256_cvtps_epi32(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

// Four vectors of eight i32 (values within int8) to 32 bytes in order.
inline __m256i pack_i32_to_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_packs_epi32(a, b);  // a0-3 b0-3 | a4-7 b4-7
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i abcd = _mm256_packs_epi16(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7
  return _mm256_permutevar8x32_epi32(abcd, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// Not a namespace-scope constant: its initializer would run AVX2 code at
// program start on every CPU.
inline __m256 abs_ps(__m256 v) {
  return _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
}

template <bool kSums>
void quantize_q8(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{kSums ? GgmlType::kQ8_1 : GgmlType::kQ8_0, row, 0, cols};
  int8_t* q = const_cast<int8_t*>(v.q(0));
  float* d = const_cast<float*>(v.d(0));
  for (int64_t b = 0; b < cols / kQK; ++b) {
    const float* xb = x + b * kQK;
    __m256 f[4];
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
      f[k] = _mm256_loadu_ps(xb + 8 * k);
      amax = _mm256_max_ps(amax, abs_ps(f[k]));
    }
    const float am = hmax8(amax);
    const float dd = am / 127.0f;
    const __m256 inv = _mm256_set1_ps(am != 0.0f ? 127.0f / am : 0.0f);
    __m256i i[4];
    for (int k = 0; k < 4; ++k) i[k] = round_to_i32(_mm256_mul_ps(f[k], inv));
    _mm256_store_si256(reinterpret_cast<__m256i*>(q + b * kQK),
                       pack_i32_to_i8(i[0], i[1], i[2], i[3]));
    d[b] = round_half(dd);
    if constexpr (kSums) {
      const int32_t sum =
          hsum_i32(_mm256_add_epi32(_mm256_add_epi32(i[0], i[1]), _mm256_add_epi32(i[2], i[3])));
      const_cast<float*>(v.s(0))[b] = round_half(dd * static_cast<float>(sum));
    }
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
    __m256 amax = _mm256_setzero_ps();
    for (int k = 0; k < kQK_K; k += 8) amax = _mm256_max_ps(amax, abs_ps(_mm256_loadu_ps(xb + k)));
    const float am = hmax8(amax);
    if (am == 0.0f) {
      d[b] = 0.0f;
      std::memset(qb, 0, kQK_K);
      for (int g = 0; g < 16; ++g) bsums[b * 16 + g] = 0;
      continue;
    }
    // The first element of largest magnitude keeps its sign, as in the scalar search.
    float max = 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(xb[j]) == am) {
        max = xb[j];
        break;
      }
    }
    const float iscale = -127.0f / max;
    const __m256 vs = _mm256_set1_ps(iscale);
    const __m256i lim = _mm256_set1_epi32(127);
    for (int k = 0; k < kQK_K; k += 32) {
      __m256i i[4];
      for (int u = 0; u < 4; ++u)
        i[u] =
            _mm256_min_epi32(lim, round_to_i32(_mm256_mul_ps(vs, _mm256_loadu_ps(xb + k + 8 * u))));
      const __m256i packed = pack_i32_to_i8(i[0], i[1], i[2], i[3]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(qb + k), packed);
      // Sums of each 16: widen to i16 and add pairs down to one per 16.
      const __m256i w0 = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(packed));
      const __m256i w1 = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(packed, 1));
      bsums[b * 16 + k / 16] =
          static_cast<int16_t>(hsum_i32(_mm256_madd_epi16(w0, _mm256_set1_epi16(1))));
      bsums[b * 16 + k / 16 + 1] =
          static_cast<int16_t>(hsum_i32(_mm256_madd_epi16(w1, _mm256_set1_epi16(1))));
    }
    d[b] = 1.0f / iscale;
  }
}

void quantize_f16(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kF16, row, 0, cols};
  uint16_t* h = const_cast<uint16_t*>(v.h(0));
  float* f = const_cast<float*>(v.f(0));
  int64_t i = 0;
  for (; i + 8 <= cols; i += 8) {
    const __m128i hv = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + i), hv);
    _mm256_storeu_ps(f + i, _mm256_cvtph_ps(hv));
  }
  for (; i < cols; ++i) {
    h[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
    f[i] = _cvtsh_ss(h[i]);
  }
}

void round_f16(float* p, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(
        p + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(p + i), _MM_FROUND_TO_NEAREST_INT)));
  for (; i < n; ++i) p[i] = round_half(p[i]);
}

}  // namespace

void fill_avx2_quantize(KernelTable& t) {
  t.round_f16 = round_f16;
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_0)] = quantize_q8_0;
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_1)] = quantize_q8_1;
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_K)] = quantize_q8_k;
  t.quantize[static_cast<uint32_t>(GgmlType::kF16)] = quantize_f16;
}

}  // namespace zhi
