// AVX2 scores over F16 key blocks (kernels/key_blocks.h): the AVX-512
// kernel's arithmetic (key_block_avx512.cc) on eight keys per ymm, so a
// block is two halves. Sixteen ymm registers hold two queries' chains and
// partial sums at a time.
#include <algorithm>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/key_blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

// Element rows of eight keys (one half of a block), converted as used.
struct HalfBlock {
  const uint8_t* b;
  __m256 load(int64_t i) const {
    return _mm256_cvtph_ps(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i * kKeyBlock * 2)));
  }
};

// P[l] and P[l + 8] of Lanes16 for eight keys, summed (h[l] of the tree).
template <int Q, int kSteps>
inline void lane_pair(const HalfBlock& k, const float* const* x, int64_t hd16, int l, __m256* h) {
  __m256 a[Q], b[Q];
  for (int q = 0; q < Q; ++q) a[q] = b[q] = _mm256_setzero_ps();
  const int64_t end = kSteps > 0 ? 16 * kSteps : hd16;
  for (int64_t i0 = 0; i0 < end; i0 += 16) {
    const __m256 ka = k.load(i0 + l), kb = k.load(i0 + l + 8);
    for (int q = 0; q < Q; ++q) {
      a[q] = _mm256_fmadd_ps(ka, _mm256_broadcast_ss(&x[q][i0 + l]), a[q]);
      b[q] = _mm256_fmadd_ps(kb, _mm256_broadcast_ss(&x[q][i0 + l + 8]), b[q]);
    }
  }
  for (int q = 0; q < Q; ++q) h[q] = _mm256_add_ps(a[q], b[q]);
}

// (h[l] + h[l + 4]) + (h[l + 2] + h[l + 6]).
template <int Q, int kSteps>
inline void tree_half(const HalfBlock& k, const float* const* x, int64_t hd16, int l, __m256* e) {
  __m256 h0[Q], h4[Q], h2[Q], h6[Q];
  lane_pair<Q, kSteps>(k, x, hd16, l, h0);
  lane_pair<Q, kSteps>(k, x, hd16, l + 4, h4);
  for (int q = 0; q < Q; ++q) h0[q] = _mm256_add_ps(h0[q], h4[q]);
  lane_pair<Q, kSteps>(k, x, hd16, l + 2, h2);
  lane_pair<Q, kSteps>(k, x, hd16, l + 6, h6);
  for (int q = 0; q < Q; ++q) e[q] = _mm256_add_ps(h0[q], _mm256_add_ps(h2[q], h6[q]));
}

template <int Q, int kSteps>
inline void half_scores(const HalfBlock& k, const ActView& x, int64_t t0, int64_t nk, float* out,
                        int64_t ldo) {
  const int64_t hd = x.cols;
  const int64_t hd16 = hd / 16 * 16;
  const float* xs[Q];
  for (int q = 0; q < Q; ++q) xs[q] = x.f(t0 + q);
  __m256 e0[Q], e1[Q];
  tree_half<Q, kSteps>(k, xs, hd16, 0, e0);
  tree_half<Q, kSteps>(k, xs, hd16, 1, e1);
  __m256 s[Q];
  for (int q = 0; q < Q; ++q) s[q] = _mm256_add_ps(e0[q], e1[q]);
  for (int64_t i = hd16; i < hd; ++i) {
    const __m256 ki = k.load(i);
    for (int q = 0; q < Q; ++q) s[q] = _mm256_fmadd_ps(ki, _mm256_broadcast_ss(&xs[q][i]), s[q]);
  }
  for (int q = 0; q < Q; ++q) {
    float* o = out + (t0 + q) * ldo;
    if (nk == 8) {
      _mm256_storeu_ps(o, s[q]);
    } else {
      alignas(32) float tmp[8];
      _mm256_store_ps(tmp, s[q]);
      std::memcpy(o, tmp, static_cast<size_t>(nk) * 4);
    }
  }
}

template <int kSteps>
void all_queries(const HalfBlock& k, const ActView& x, int64_t nq, int64_t nk, float* out,
                 int64_t ldo) {
  int64_t t = 0;
  for (; t + 2 <= nq; t += 2) half_scores<2, kSteps>(k, x, t, nk, out, ldo);
  if (t < nq) half_scores<1, kSteps>(k, x, t, nk, out, ldo);
}

void key_block_scores(const uint8_t* blocks, int64_t n, const ActView& q, int64_t nq, float* out,
                      int64_t ldo) {
  const int64_t hd = q.cols;
  const int64_t bb = key_block_bytes(hd);
  for (int64_t j0 = 0; j0 < n; j0 += 8) {
    const uint8_t* b = blocks + j0 / kKeyBlock * bb;
    if (j0 % kKeyBlock == 0) prefetch_span(b + 2 * bb, bb);
    const HalfBlock k{b + j0 % kKeyBlock * 2};
    const int64_t nk = std::min<int64_t>(8, n - j0);
    if (hd == 64)
      all_queries<4>(k, q, nq, nk, out + j0, ldo);
    else if (hd == 128)
      all_queries<8>(k, q, nq, nk, out + j0, ldo);
    else
      all_queries<0>(k, q, nq, nk, out + j0, ldo);
  }
}

}  // namespace

void fill_avx2_key_blocks(KernelTable& t) { t.key_block_scores_f16 = key_block_scores; }

}  // namespace zhi
