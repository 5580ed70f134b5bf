// NEON scores over F16 key blocks (kernels/key_blocks.h): the AVX-512
// kernel's arithmetic (x86/key_block_avx512.cc) on four keys per q
// register, so a block is four quarters. Per query, a lane pair's two
// chains and at most three partial sums are live: four queries (20
// registers) share each converted K row.
#include <arm_neon.h>

#include <algorithm>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/key_blocks.h"

namespace zhi {
namespace {

// Element rows of four keys (a quarter of a block), converted as used.
struct QuarterBlock {
  const uint8_t* b;
  float32x4_t load(int64_t i) const {
    return vcvt_f32_f16(
        vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t*>(b + i * kKeyBlock * 2))));
  }
};

// P[l] + P[l + 8] of Lanes16 for four keys (h[l] of the tree).
template <int Q, int kSteps>
inline void lane_pair(const QuarterBlock& k, const float* const* x, int64_t hd16, int l,
                      float32x4_t* h) {
  float32x4_t a[Q], b[Q];
  for (int q = 0; q < Q; ++q) a[q] = b[q] = vdupq_n_f32(0.0f);
  const int64_t end = kSteps > 0 ? 16 * kSteps : hd16;
  for (int64_t i0 = 0; i0 < end; i0 += 16) {
    const float32x4_t ka = k.load(i0 + l), kb = k.load(i0 + l + 8);
    for (int q = 0; q < Q; ++q) {
      a[q] = vfmaq_n_f32(a[q], ka, x[q][i0 + l]);
      b[q] = vfmaq_n_f32(b[q], kb, x[q][i0 + l + 8]);
    }
  }
  for (int q = 0; q < Q; ++q) h[q] = vaddq_f32(a[q], b[q]);
}

// (h[l] + h[l + 4]) + (h[l + 2] + h[l + 6]).
template <int Q, int kSteps>
inline void tree_half(const QuarterBlock& k, const float* const* x, int64_t hd16, int l,
                      float32x4_t* e) {
  float32x4_t h0[Q], h4[Q], h2[Q], h6[Q];
  lane_pair<Q, kSteps>(k, x, hd16, l, h0);
  lane_pair<Q, kSteps>(k, x, hd16, l + 4, h4);
  for (int q = 0; q < Q; ++q) h0[q] = vaddq_f32(h0[q], h4[q]);
  lane_pair<Q, kSteps>(k, x, hd16, l + 2, h2);
  lane_pair<Q, kSteps>(k, x, hd16, l + 6, h6);
  for (int q = 0; q < Q; ++q) e[q] = vaddq_f32(h0[q], vaddq_f32(h2[q], h6[q]));
}

template <int Q, int kSteps>
inline void quarter_scores(const QuarterBlock& k, const ActView& x, int64_t t0, int64_t nk,
                           float* out, int64_t ldo) {
  const int64_t hd = x.cols;
  const int64_t hd16 = hd / 16 * 16;
  const float* xs[Q];
  for (int q = 0; q < Q; ++q) xs[q] = x.f(t0 + q);
  float32x4_t e0[Q], e1[Q];
  tree_half<Q, kSteps>(k, xs, hd16, 0, e0);
  tree_half<Q, kSteps>(k, xs, hd16, 1, e1);
  float32x4_t s[Q];
  for (int q = 0; q < Q; ++q) s[q] = vaddq_f32(e0[q], e1[q]);
  for (int64_t i = hd16; i < hd; ++i) {
    const float32x4_t ki = k.load(i);
    for (int q = 0; q < Q; ++q) s[q] = vfmaq_n_f32(s[q], ki, xs[q][i]);
  }
  for (int q = 0; q < Q; ++q) {
    float* o = out + (t0 + q) * ldo;
    if (nk == 4) {
      vst1q_f32(o, s[q]);
    } else {
      float tmp[4];
      vst1q_f32(tmp, s[q]);
      std::memcpy(o, tmp, static_cast<size_t>(nk) * 4);
    }
  }
}

template <int kSteps>
void all_queries(const QuarterBlock& k, const ActView& x, int64_t nq, int64_t nk, float* out,
                 int64_t ldo) {
  int64_t t = 0;
  for (; t + 4 <= nq; t += 4) quarter_scores<4, kSteps>(k, x, t, nk, out, ldo);
  switch (nq - t) {
    case 3:
      return quarter_scores<3, kSteps>(k, x, t, nk, out, ldo);
    case 2:
      return quarter_scores<2, kSteps>(k, x, t, nk, out, ldo);
    case 1:
      return quarter_scores<1, kSteps>(k, x, t, nk, out, ldo);
    default:
      return;
  }
}

void key_block_scores(const uint8_t* blocks, int64_t n, const ActView& q, int64_t nq, float* out,
                      int64_t ldo) {
  const int64_t hd = q.cols;
  const int64_t bb = key_block_bytes(hd);
  for (int64_t j0 = 0; j0 < n; j0 += 4) {
    const uint8_t* b = blocks + j0 / kKeyBlock * bb;
    if (j0 % kKeyBlock == 0)
      for (int64_t off = 0; off < bb; off += 64) __builtin_prefetch(b + 2 * bb + off);
    const QuarterBlock k{b + j0 % kKeyBlock * 2};
    const int64_t nk = std::min<int64_t>(4, n - j0);
    if (hd == 64)
      all_queries<4>(k, q, nq, nk, out + j0, ldo);
    else if (hd == 128)
      all_queries<8>(k, q, nq, nk, out + j0, ldo);
    else
      all_queries<0>(k, q, nq, nk, out + j0, ldo);
  }
}

}  // namespace

void fill_neon_key_blocks(KernelTable& t) { t.key_block_scores_f16 = key_block_scores; }

}  // namespace zhi
