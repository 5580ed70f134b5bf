// AVX-512 attention softmax and SiLU: the scalar twins' operations sixteen lanes at a
// time (kernels/scalar/softmax_scalar.cc), the same bits out.
#include <algorithm>
#include <limits>

#include "kernels/kernel_table.h"
#include "kernels/scalar/exp_approx.h"
#include "kernels/scalar/softmax_scalar.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

// scalar::exp_approx, lane by lane.
inline __m512 exp16(__m512 x) {
  using namespace scalar;
  const __mmask16 keep = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kExpMin), _CMP_NLT_UQ);
  x = _mm512_min_ps(x, _mm512_set1_ps(kExpMax));
  const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fmadd_ps(k, _mm512_set1_ps(-kLn2Hi), x);
  r = _mm512_fmadd_ps(k, _mm512_set1_ps(-kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kExpPoly[0]);
  for (int i = 1; i < 6; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpPoly[i]));
  const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
  const __m512i bits =
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(k), _mm512_set1_epi32(127)), 23);
  return _mm512_maskz_mov_ps(keep, _mm512_mul_ps(y, _mm512_castsi512_ps(bits)));
}

void softmax(float* p, int64_t n, float scale, bool round_f16) {
  const int64_t n16 = n / 16 * 16;
  const __m512 vscale = _mm512_set1_ps(scale);
  __m512 vmax = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (int64_t j = 0; j < n16; j += 16) {
    const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(p + j), vscale);
    _mm512_storeu_ps(p + j, v);
    vmax = _mm512_max_ps(vmax, v);
  }
  float max_score = _mm512_reduce_max_ps(vmax);
  max_score = scalar::softmax_scale_max(p, n16, n, scale, max_score);
  const __m512 vm = _mm512_set1_ps(max_score);
  __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
  for (int64_t j = 0; j < n16; j += 16) {
    const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(p + j), vm));
    _mm512_storeu_ps(p + j, e);
    lo = _mm512_add_pd(lo, _mm512_cvtps_pd(_mm512_castps512_ps256(e)));
    hi = _mm512_add_pd(
        hi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(e), 1))));
  }
  alignas(64) double lanes[scalar::kSoftmaxLanes];
  _mm512_store_pd(lanes, lo);
  _mm512_store_pd(lanes + 8, hi);
  scalar::softmax_exp_sum(p, n16, n, max_score, lanes);
  const float inv_sum = scalar::softmax_inverse_sum(lanes);
  const __m512 vinv = _mm512_set1_ps(inv_sum);
  for (int64_t j = 0; j < n16; j += 16) {
    __m512 v = _mm512_mul_ps(_mm512_loadu_ps(p + j), vinv);
    if (round_f16)
      v = _mm512_cvtph_ps(_mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    _mm512_storeu_ps(p + j, v);
  }
  scalar::softmax_normalize(p, n16, n, inv_sum, round_f16);
}

void silu_mul(float* gate, const float* up, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 g = _mm512_loadu_ps(gate + i);
    const __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), g));
    const __m512 s = _mm512_div_ps(g, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
    _mm512_storeu_ps(gate + i, _mm512_mul_ps(s, _mm512_loadu_ps(up + i)));
  }
  scalar::silu_mul(gate + i, up + i, n - i);
}

}  // namespace

void fill_avx512_softmax(KernelTable& t) {
  t.softmax = softmax;
  t.silu_mul = silu_mul;
}

}  // namespace zhi
