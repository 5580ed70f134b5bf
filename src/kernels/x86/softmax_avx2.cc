// AVX2 attention softmax and SiLU: the scalar twins' operations eight lanes
// at a time (kernels/scalar/softmax_scalar.cc), the same bits out. Without
// them an AVX2 machine ran both on one core in scalar code with libm fmaf
// calls: 12% of a decode step on the 0.5B model, the other threads waiting.
#include <algorithm>
#include <limits>

#include "kernels/kernel_table.h"
#include "kernels/scalar/exp_approx.h"
#include "kernels/scalar/softmax_scalar.h"
#include "kernels/x86/x86_kernels.h"

#include <immintrin.h>

namespace zhi {
namespace {

// scalar::exp_approx, lane by lane.
inline __m256 exp8(__m256 x) {
  using namespace scalar;
  const __m256 keep = _mm256_cmp_ps(x, _mm256_set1_ps(kExpMin), _CMP_NLT_UQ);
  x = _mm256_min_ps(x, _mm256_set1_ps(kExpMax));
  const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fmadd_ps(k, _mm256_set1_ps(-kLn2Hi), x);
  r = _mm256_fmadd_ps(k, _mm256_set1_ps(-kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpPoly[0]);
  for (int i = 1; i < 6; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpPoly[i]));
  const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(k), _mm256_set1_epi32(127)), 23);
  return _mm256_and_ps(_mm256_mul_ps(y, _mm256_castsi256_ps(bits)), keep);
}

inline float hmax8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

void softmax(float* p, int64_t n, float scale, bool round_f16) {
  static_assert(scalar::kSoftmaxLanes == 16, "four f64 vectors of four lanes");
  const int64_t n16 = n / 16 * 16;
  const __m256 vscale = _mm256_set1_ps(scale);
  __m256 vmax = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  for (int64_t j = 0; j < n16; j += 8) {
    const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(p + j), vscale);
    _mm256_storeu_ps(p + j, v);
    vmax = _mm256_max_ps(vmax, v);
  }
  float max_score = hmax8(vmax);
  max_score = scalar::softmax_scale_max(p, n16, n, scale, max_score);
  const __m256 vm = _mm256_set1_ps(max_score);
  // Lane j % 16 of the twin's sixteen f64 sums: elements 0-3, 4-7, 8-11, 12-15.
  __m256d sums[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(),
                     _mm256_setzero_pd()};
  for (int64_t j = 0; j < n16; j += 16) {
    for (int h = 0; h < 2; ++h) {
      const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(p + j + 8 * h), vm));
      _mm256_storeu_ps(p + j + 8 * h, e);
      sums[2 * h] = _mm256_add_pd(sums[2 * h], _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
      sums[2 * h + 1] = _mm256_add_pd(sums[2 * h + 1], _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
  }
  alignas(32) double lanes[scalar::kSoftmaxLanes];
  for (int i = 0; i < 4; ++i) _mm256_store_pd(lanes + 4 * i, sums[i]);
  scalar::softmax_exp_sum(p, n16, n, max_score, lanes);
  const float inv_sum = scalar::softmax_inverse_sum(lanes);
  const __m256 vinv = _mm256_set1_ps(inv_sum);
  for (int64_t j = 0; j < n16; j += 8) {
    __m256 v = _mm256_mul_ps(_mm256_loadu_ps(p + j), vinv);
    if (round_f16)
      v = _mm256_cvtph_ps(_mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    _mm256_storeu_ps(p + j, v);
  }
  scalar::softmax_normalize(p, n16, n, inv_sum, round_f16);
}

void silu_mul(float* gate, const float* up, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
    const __m256 s = _mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
    _mm256_storeu_ps(gate + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
  }
  scalar::silu_mul(gate + i, up + i, n - i);
}

}  // namespace

void fill_avx2_softmax(KernelTable& t) {
  t.softmax = softmax;
  t.silu_mul = silu_mul;
}

}  // namespace zhi
