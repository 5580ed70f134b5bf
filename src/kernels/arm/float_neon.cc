// NEON kernels for float weights and for attention over the KV cache (F32,
// F16 and BF16 rows; the Q8_0 cache's values), bit-identical to the scalar
// twins: sixteen f32 lanes in four q registers, element i into lane i % 16
// by fused multiply-add, folded (k, k+8) first, then in the eight-lane order.
//
// The tiles follow attention's shapes, where these kernels spend their time
// on a phone (float weight matrices are rare in published files):
//  - Scores are K rows against one KV head's queries (seven in Qwen2.5-0.5B
//    decode, blocks of eight in prefill). Each chunk of a K row is converted
//    once for up to seven queries: 7 x 4 accumulators, the chunk and one
//    query load fill 30 of the 32 v registers. One query at a time converted
//    every K row seven times.
//  - Value sums keep up to six queries' chains over sixteen outputs (6 x 4
//    accumulators + 4 converted V chunks = 28 registers), so a V row is read
//    and converted once per six queries. One query alone still gets four
//    independent chains, where a single four-wide chain waited on the FMA
//    latency at every key.
//  - Short rows (an attention head's 64-128 values) are hinted into the
//    cache kAheadRows rows ahead; a head's rows sit a whole position apart.
#include <arm_neon.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/half.h"
#include "kernels/act_rows.h"
#include "kernels/arm/neon_util.h"
#include "kernels/kernel_table.h"

namespace zhi {
namespace {

constexpr int64_t kAheadRows = 8;
constexpr int kMaxScoreTokens = 7;
constexpr int kMaxValueQueries = 6;

struct F32N {
  static constexpr int kBytes = 4;
  static float32x4_t load(const void* p, int64_t i) {
    return vld1q_f32(static_cast<const float*>(p) + i);
  }
  static float one(const void* p, int64_t i) { return static_cast<const float*>(p)[i]; }
};
struct F16N {
  static constexpr int kBytes = 2;
  static float32x4_t load(const void* p, int64_t i) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(static_cast<const uint16_t*>(p) + i)));
  }
  static float one(const void* p, int64_t i) {
    return f16_to_f32(static_cast<const uint16_t*>(p)[i]);
  }
};
struct Bf16N {
  static constexpr int kBytes = 2;
  static float32x4_t load(const void* p, int64_t i) {
    return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(static_cast<const uint16_t*>(p) + i), 16));
  }
  static float one(const void* p, int64_t i) {
    return bf16_to_f32(static_cast<const uint16_t*>(p)[i]);
  }
};
// A Q8_0 cache row (34-byte blocks of 32: f16 d, then int8 q): value i is
// d * q rounded to f32, as the twin (attn_accum_q8_0) forms it. i is a
// multiple of four, so a load stays inside one block. kBytes only sizes the
// prefetch hints (34 bytes per 32 values).
struct Q8N {
  static constexpr int kBytes = 2;
  static float32x4_t load(const void* p, int64_t i) {
    const uint8_t* b = static_cast<const uint8_t*>(p) + (i / 32) * 34;
    uint16_t h;
    int32_t q4;
    std::memcpy(&h, b, 2);
    std::memcpy(&q4, b + 2 + i % 32, 4);
    const int16x8_t q = vmovl_s8(vreinterpret_s8_s32(vdup_n_s32(q4)));
    return vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(q))), f16_to_f32(h));
  }
  static float one(const void* p, int64_t i) {
    const uint8_t* b = static_cast<const uint8_t*>(p) + (i / 32) * 34;
    uint16_t h;
    std::memcpy(&h, b, 2);
    return f16_to_f32(h) * static_cast<float>(static_cast<int8_t>(b[2 + i % 32]));
  }
};

template <class L>
inline bool short_rows(int64_t n) {
  return n * L::kBytes <= 512;
}

// Calls f(std::integral_constant<int, n>{}) for n in 1..kMax: a count known
// only at run time picks a tile compiled for it.
template <int kMax, class F>
void with_count(int64_t n, F&& f) {
  if constexpr (kMax >= 1) {
    if (n == kMax) return f(std::integral_constant<int, kMax>{});
    with_count<kMax - 1>(n, std::forward<F>(f));
  }
}

// Hints the two lines at the start of the row kAheadRows past `row`.
inline void hint_ahead(const uint8_t* row, int64_t stride) {
  const uint8_t* a = row + kAheadRows * stride;
  prefetch_line(a);
  prefetch_line(a + 64);
}

// One row of n values against T tokens: out[t * ldo] = the twin's dot product.
template <class L, int T>
void row_tokens(const uint8_t* w, const float* const* xs, int64_t n, float* out, int64_t ldo) {
  float32x4_t a[T][4];
  for (int t = 0; t < T; ++t)
    for (int k = 0; k < 4; ++k) a[t][k] = vdupq_n_f32(0.0f);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    for (int k = 0; k < 4; ++k) {
      const float32x4_t wv = L::load(w, i + 4 * k);
      for (int t = 0; t < T; ++t) a[t][k] = vfmaq_f32(a[t][k], wv, vld1q_f32(xs[t] + i + 4 * k));
    }
  }
  for (int t = 0; t < T; ++t) {
    float sum = hsum8(vaddq_f32(a[t][0], a[t][2]), vaddq_f32(a[t][1], a[t][3]));
    for (int64_t j = i; j < n; ++j) sum = std::fma(L::one(w, j), xs[t][j], sum);
    out[t * ldo] = sum;
  }
}

template <class L, int T>
void rows_tokens(const uint8_t* w, int64_t ws, int64_t nr, const float* const* xs, int64_t n,
                 float* out, int64_t ldo) {
  const bool hint = short_rows<L>(n);
  for (int64_t r = 0; r < nr; ++r) {
    if (hint) hint_ahead(w + r * ws, ws);
    row_tokens<L, T>(w + r * ws, xs, n, out + r, ldo);
  }
}

// Tokens in chunks of at most kMaxScoreTokens, as even as possible (eight
// is four and four, not seven and one).
template <class L>
void gemm_float(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
                int64_t ldo) {
  const int64_t chunks = (nt + kMaxScoreTokens - 1) / kMaxScoreTokens;
  int64_t t0 = 0;
  for (int64_t c = 1; c <= chunks; ++c) {
    const int64_t t1 = nt * c / chunks;
    const float* xs[kMaxScoreTokens];
    for (int64_t k = 0; k < t1 - t0; ++k) xs[k] = x.f(t0 + k);
    float* o = out + t0 * ldo;
    with_count<kMaxScoreTokens>(t1 - t0, [&]<int T>(std::integral_constant<int, T>) {
      rows_tokens<L, T>(w, ws, nr, xs, x.cols, o, ldo);
    });
    t0 = t1;
  }
}

// ---- attention value sums: out[i] = fma(p[j], V[j][i], out[i]), j in order ----

// Q queries over outputs [i, i + 16) and keys [j0, j1); their sums go
// through `out` between calls, which keeps each chain the twin's.
template <class L, int Q>
void values16(const float* p, int64_t ldp, const uint8_t* v, int64_t stride, int64_t j0, int64_t j1,
              int64_t i, float* out, int64_t ldo, bool hint) {
  float32x4_t o[Q][4];
  for (int q = 0; q < Q; ++q)
    for (int u = 0; u < 4; ++u) o[q][u] = vld1q_f32(out + q * ldo + i + 4 * u);
  for (int64_t j = j0; j < j1; ++j) {
    const uint8_t* row = v + j * stride;
    if (hint) prefetch_line(row + kAheadRows * stride + i * L::kBytes);
    float32x4_t vv[4];
    for (int u = 0; u < 4; ++u) vv[u] = L::load(row, i + 4 * u);
    for (int q = 0; q < Q; ++q) {
      const float pj = p[q * ldp + j];
      for (int u = 0; u < 4; ++u) o[q][u] = vfmaq_n_f32(o[q][u], vv[u], pj);
    }
  }
  for (int q = 0; q < Q; ++q)
    for (int u = 0; u < 4; ++u) vst1q_f32(out + q * ldo + i + 4 * u, o[q][u]);
}

// Head sizes that are not a multiple of sixteen: four outputs per chain.
template <class L>
void accum_narrow(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd,
                  float* out) {
  int64_t i = 0;
  for (; i + 4 <= hd; i += 4) {
    float32x4_t o = vld1q_f32(out + i);
    for (int64_t j = 0; j < n; ++j) o = vfmaq_n_f32(o, L::load(v + j * stride, i), p[j]);
    vst1q_f32(out + i, o);
  }
  for (; i < hd; ++i)
    for (int64_t j = 0; j < n; ++j) out[i] = std::fma(p[j], L::one(v + j * stride, i), out[i]);
}

// Queries in slices of at most kMaxValueQueries, as even as possible. With
// more than one slice the keys go in blocks of 64 (8 KB of a 64-value F16
// head), so each slice after the first finds the block's V rows in L1.
template <class L>
void accum_multi(const float* p, int64_t ldp, int64_t nq, const uint8_t* v, int64_t stride,
                 int64_t n, int64_t hd, float* out, int64_t ldo) {
  if (hd % 16 != 0) {
    for (int64_t q = 0; q < nq; ++q) accum_narrow<L>(p + q * ldp, v, stride, n, hd, out + q * ldo);
    return;
  }
  const int64_t slices = (nq + kMaxValueQueries - 1) / kMaxValueQueries;
  const int64_t block = slices == 1 ? n : 64;
  const bool hint = short_rows<L>(hd);
  for (int64_t j0 = 0; j0 < n; j0 += block) {
    const int64_t j1 = std::min(n, j0 + block);
    int64_t q0 = 0;
    for (int64_t s = 1; s <= slices; ++s) {
      const int64_t q1 = nq * s / slices;
      const float* ps = p + q0 * ldp;
      float* o = out + q0 * ldo;
      const bool h = hint && q0 == 0;  // the first slice brings the rows in
      for (int64_t i = 0; i < hd; i += 16) {
        with_count<kMaxValueQueries>(q1 - q0, [&]<int Q>(std::integral_constant<int, Q>) {
          values16<L, Q>(ps, ldp, v, stride, j0, j1, i, o, ldo, h);
        });
      }
      q0 = q1;
    }
  }
}

template <class L>
void accum(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd, float* out) {
  accum_multi<L>(p, 0, 1, v, stride, n, hd, out, 0);
}

template <GgmlType kType, class L>
void set_cache(KernelTable& t) {
  t.attn_accum[static_cast<uint32_t>(kType)] = accum<L>;
  t.attn_accum_multi[static_cast<uint32_t>(kType)] = accum_multi<L>;
}

}  // namespace

void fill_neon_float(KernelTable& t) {
  t.gemm[static_cast<uint32_t>(GgmlType::kF32)] = gemm_float<F32N>;
  t.gemm[static_cast<uint32_t>(GgmlType::kF16)] = gemm_float<F16N>;
  t.gemm[static_cast<uint32_t>(GgmlType::kBF16)] = gemm_float<Bf16N>;
  set_cache<GgmlType::kF16, F16N>(t);
  set_cache<GgmlType::kF32, F32N>(t);
  set_cache<GgmlType::kQ8_0, Q8N>(t);
}

}  // namespace zhi
