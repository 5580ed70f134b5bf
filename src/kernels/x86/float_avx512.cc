// AVX-512 kernels for F32, F16 and BF16 weights: the scalar twins' sixteen
// lanes are exactly one zmm accumulator per output (element i into lane
// i % 16 by fused multiply-add), folded high-to-low as the twins do.
//
// BF16 converts to f32 and uses the same FMA rather than vdpbf16ps: that
// instruction pairs two products per lane and flushes denormals, which would
// break bit equality with the twin (and the products are exact in f32 anyway).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

struct F32Z {
  static constexpr int kBytes = 4;
  static __m512 load(const void* p, int64_t i) {
    return _mm512_loadu_ps(static_cast<const float*>(p) + i);
  }
  static float one(const void* p, int64_t i) { return static_cast<const float*>(p)[i]; }
};
struct F16Z {
  static constexpr int kBytes = 2;
  static __m512 load(const void* p, int64_t i) {
    return _mm512_cvtph_ps(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(p) + i)));
  }
  static float one(const void* p, int64_t i) {
    return half_to_float(static_cast<const uint16_t*>(p)[i]);
  }
};
// A Q8_0 KV cache row (34-byte blocks of 32: f16 d, then int8 q): value i
// is d * q rounded to f32, as the scalar twin (attn_accum_q8_0) forms it.
// i is a multiple of 16, so a load stays inside one block. kBytes (2) only
// sizes the value kernels' prefetch: 128 bytes per 64 values more than cover
// the 68 they take.
struct Q8Z {
  static constexpr int kBytes = 2;
  static __m512 load(const void* p, int64_t i) {
    const uint8_t* b = static_cast<const uint8_t*>(p) + (i / 32) * 34;
    uint16_t h;
    std::memcpy(&h, b, 2);
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 2 + i % 32));
    return _mm512_mul_ps(_mm512_set1_ps(half_to_float(h)),
                         _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q)));
  }
  static float one(const void* p, int64_t i) {
    const uint8_t* b = static_cast<const uint8_t*>(p) + (i / 32) * 34;
    uint16_t h;
    std::memcpy(&h, b, 2);
    return half_to_float(h) * static_cast<float>(static_cast<int8_t>(b[2 + i % 32]));
  }
};
struct Bf16Z {
  static constexpr int kBytes = 2;
  static __m512 load(const void* p, int64_t i) {
    const __m256i h =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(p) + i));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static float one(const void* p, int64_t i) {
    const uint32_t u = static_cast<uint32_t>(static_cast<const uint16_t*>(p)[i]) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
};

// Lanes16::hsum: lanes k and k+8 first, then the eight-lane order.
inline float hsum16(__m512 v) {
  return hsum8(_mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)));
}

// hsum16 of sixteen vectors at once, with hsum16's pairings: each stage
// adds the same lanes hsum16 adds, for two to four vectors per instruction,
// so the sums are bit-identical. 30 shuffles and 15 adds instead of 16 x 8
// dependent steps; the score rows of attention are mostly these folds.
// Result lane 4k + j holds the sum of a[4j + k].
inline __m512 fold16(const __m512* a) {
  __m512 c[8], e[4], g[2];
  for (int m = 0; m < 8; ++m)  // lanes k + 8: [a lo 256 + hi 256, b lo + hi]
    c[m] = _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * m], a[2 * m + 1], 0x44),
                         _mm512_shuffle_f32x4(a[2 * m], a[2 * m + 1], 0xEE));
  for (int m = 0; m < 4; ++m)  // lanes k + 4: 128-bit halves of each 8
    e[m] = _mm512_add_ps(_mm512_shuffle_f32x4(c[2 * m], c[2 * m + 1], 0x88),
                         _mm512_shuffle_f32x4(c[2 * m], c[2 * m + 1], 0xDD));
  for (int m = 0; m < 2; ++m)  // lanes (0, 2) and (1, 3) of each 4
    g[m] = _mm512_add_ps(_mm512_shuffle_ps(e[2 * m], e[2 * m + 1], 0x44),
                         _mm512_shuffle_ps(e[2 * m], e[2 * m + 1], 0xEE));
  return _mm512_add_ps(_mm512_shuffle_ps(g[0], g[1], 0x88),  // the last pair
                       _mm512_shuffle_ps(g[0], g[1], 0xDD));
}

// Folds a tile's R x T accumulators sixteen at a time (fewer are padded).
template <int R, int T>
inline void fold_tile(const __m512 (&acc)[R][T], float* out, int64_t ldo) {
  constexpr int kItems = R * T;
  for (int base = 0; base < kItems; base += 16) {
    __m512 a[16];
    for (int k = 0; k < 16; ++k)
      a[k] = base + k < kItems ? acc[(base + k) / T][(base + k) % T] : _mm512_setzero_ps();
    alignas(64) float sums[16];
    _mm512_store_ps(sums, fold16(a));
    for (int lane = 0; lane < 16; ++lane) {
      const int item = base + lane % 4 * 4 + lane / 4;
      if (item < kItems) out[item % T * ldo + item / T] = sums[lane];
    }
  }
}

template <class L>
inline float tail(float sum, const void* w, const float* x, int64_t i, int64_t n) {
  for (; i < n; ++i) sum = std::fma(L::one(w, i), x[i], sum);
  return sum;
}

// Prefetches `rows` rows of n values starting at p, when the rows are short
// enough to be attention heads (long weight rows stream well unaided).
template <class L>
inline void prefetch_short_rows(const uint8_t* p, int64_t stride, int64_t rows, int64_t n) {
  if (n * L::kBytes > 512) return;
  for (int64_t r = 0; r < rows; ++r) prefetch_span(p + r * stride, n * L::kBytes);
}

// R rows x T tokens: R*T accumulators, one FMA per (row, token, 16 values).
//   R = 4, T = 6: 24 accumulators + 4 converted weight vectors = 28 zmm.
template <class L, int R, int T>
void tile(const uint8_t* w, int64_t ws, const float* const* xs, int64_t n, float* out,
          int64_t ldo) {
  __m512 acc[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
  if constexpr (T > 1) prefetch_short_rows<L>(w + kAheadRows * ws, ws, R, n);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    // Decode (one token) streams the rows from DRAM: each row's line 1 KB
    // ahead, as the packed decode kernels do (avx2_util.h). On the Xeon CI
    // machine 0.5B F16 decode went from 19 to 24-25 tok/s (69% -> about 90%
    // of the probed bandwidth) against prefetching the next four rows over
    // this pass, which runs too far ahead there; 512 and 2048 bytes measured
    // 23.4 and 23.7.
    if constexpr (T == 1) {
      if ((i * L::kBytes) % 64 == 0)
        for (int r = 0; r < R; ++r) prefetch_ahead(w + r * ws + i * L::kBytes, 1);
    }
    __m512 wv[R];
    for (int r = 0; r < R; ++r) wv[r] = L::load(w + r * ws, i);
    for (int t = 0; t < T; ++t) {
      const __m512 xv = _mm512_loadu_ps(xs[t] + i);
      for (int r = 0; r < R; ++r) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
    }
  }
  if constexpr (T > 1) {
    if (i == n) return fold_tile<R, T>(acc, out, ldo);
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t)
      out[t * ldo + r] = tail<L>(hsum16(acc[r][t]), w + r * ws, xs[t], i, n);
}

template <class L, int T>
void rows(const uint8_t* w, int64_t ws, int64_t nr, const float* const* xs, int64_t n, float* out,
          int64_t ldo) {
  int64_t r = 0;
  for (; r + 4 <= nr; r += 4) tile<L, 4, T>(w + r * ws, ws, xs, n, out + r, ldo);
  for (; r < nr; ++r) tile<L, 1, T>(w + r * ws, ws, xs, n, out + r, ldo);
}

// Seven or eight queries (one KV head's group in decode) as two 4-row tiles
// per row block, back to back, so each K row comes from memory once: a
// single 3 x 7 tile would leave no registers for the fold.
template <class L, int T2>
void rows_split(const uint8_t* w, int64_t ws, int64_t nr, const float* const* xs, int64_t n,
                float* out, int64_t ldo) {
  int64_t r = 0;
  for (; r + 4 <= nr; r += 4) {
    tile<L, 4, 4>(w + r * ws, ws, xs, n, out + r, ldo);
    tile<L, 4, T2>(w + r * ws, ws, xs + 4, n, out + 4 * ldo + r, ldo);
  }
  for (; r < nr; ++r) {
    tile<L, 1, 4>(w + r * ws, ws, xs, n, out + r, ldo);
    tile<L, 1, T2>(w + r * ws, ws, xs + 4, n, out + 4 * ldo + r, ldo);
  }
}

template <class L, int T>
void rows_from(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t t0, float* out,
               int64_t ldo) {
  const float* xs[T];
  for (int k = 0; k < T; ++k) xs[k] = x.f(t0 + k);
  rows<L, T>(w, ws, nr, xs, x.cols, out + t0 * ldo, ldo);
}

template <class L>
void gemm(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
          int64_t ldo) {
  // Seven or eight tokens are one KV head's queries in grouped decode: one tile.
  if (nt == 7 || nt == 8) {
    const float* xs[8];
    for (int k = 0; k < nt; ++k) xs[k] = x.f(k);
    if (nt == 7) return rows_split<L, 3>(w, ws, nr, xs, x.cols, out, ldo);
    return rows_split<L, 4>(w, ws, nr, xs, x.cols, out, ldo);
  }
  constexpr int kT = 6;
  int64_t t = 0;
  for (; t + kT <= nt; t += kT) rows_from<L, kT>(w, ws, nr, x, t, out, ldo);
  // The last 1-5 tokens in one tile too: a split decode group (3-6 queries)
  // then converts each K row once for all of them.
  switch (nt - t) {
    case 5:
      return rows_from<L, 5>(w, ws, nr, x, t, out, ldo);
    case 4:
      return rows_from<L, 4>(w, ws, nr, x, t, out, ldo);
    case 3:
      return rows_from<L, 3>(w, ws, nr, x, t, out, ldo);
    case 2:
      return rows_from<L, 2>(w, ws, nr, x, t, out, ldo);
    case 1:
      return rows_from<L, 1>(w, ws, nr, x, t, out, ldo);
    default:
      return;
  }
}

// ---- attention ----

// out[i] = fma(p[j], V[j][i], out[i]) for j in order; 64 outputs per pass.
template <class L>
void accum(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd, float* out) {
  int64_t i = 0;
  for (; i + 64 <= hd; i += 64) {
    __m512 o[4];
    for (int u = 0; u < 4; ++u) o[u] = _mm512_loadu_ps(out + i + 16 * u);
    for (int64_t j = 0; j < n; ++j) {
      prefetch_span(v + (j + kAheadRows) * stride + i * L::kBytes, 64 * L::kBytes);
      const __m512 pj = _mm512_set1_ps(p[j]);
      for (int u = 0; u < 4; ++u)
        o[u] = _mm512_fmadd_ps(pj, L::load(v + j * stride, i + 16 * u), o[u]);
    }
    for (int u = 0; u < 4; ++u) _mm512_storeu_ps(out + i + 16 * u, o[u]);
  }
  for (; i + 16 <= hd; i += 16) {
    __m512 o = _mm512_loadu_ps(out + i);
    for (int64_t j = 0; j < n; ++j)
      o = _mm512_fmadd_ps(_mm512_set1_ps(p[j]), L::load(v + j * stride, i), o);
    _mm512_storeu_ps(out + i, o);
  }
  for (; i < hd; ++i)
    for (int64_t j = 0; j < n; ++j) out[i] = std::fma(p[j], L::one(v + j * stride, i), out[i]);
}

// Up to fourteen queries at a time over 32 outputs (14 x 2 accumulators +
// 2 converted V vectors = 30 zmm; the weights come as broadcast loads). A
// 64-value head takes two such passes over each block of keys, so each V
// value is converted once per block whatever the group size: a grouped
// decode head's seven queries share every conversion. The keys go in blocks
// of 64 that stay in L1 between passes, and the accumulators go through
// `out` between blocks, which keeps each FMA chain exactly as the one-query
// kernel runs it. Head sizes that are not a multiple of 32 take the
// one-query kernel per query (same arithmetic).
// Rows kAheadRows ahead are prefetched (prefetch_bytes of each) by the
// first pass over a block only.
template <class L, int Q>
void accum_pass(const float* p, int64_t ldp, const uint8_t* v, int64_t stride, int64_t j0,
                int64_t j1, int64_t i, int64_t prefetch_bytes, float* out, int64_t ldo) {
  __m512 o[Q][2];
  for (int q = 0; q < Q; ++q)
    for (int u = 0; u < 2; ++u) o[q][u] = _mm512_loadu_ps(out + q * ldo + i + 16 * u);
  for (int64_t j = j0; j < j1; ++j) {
    if (prefetch_bytes > 0) prefetch_span(v + (j + kAheadRows) * stride, prefetch_bytes);
    const __m512 v0 = L::load(v + j * stride, i);
    const __m512 v1 = L::load(v + j * stride, i + 16);
    for (int q = 0; q < Q; ++q) {
      const __m512 pj = _mm512_set1_ps(p[q * ldp + j]);
      o[q][0] = _mm512_fmadd_ps(pj, v0, o[q][0]);
      o[q][1] = _mm512_fmadd_ps(pj, v1, o[q][1]);
    }
  }
  for (int q = 0; q < Q; ++q)
    for (int u = 0; u < 2; ++u) _mm512_storeu_ps(out + q * ldo + i + 16 * u, o[q][u]);
}

template <class L>
using AccumPassFn = void (*)(const float*, int64_t, const uint8_t*, int64_t, int64_t, int64_t,
                             int64_t, int64_t, float*, int64_t);

template <class L, int... Q>
constexpr AccumPassFn<L> kAccumPasses[] = {nullptr, accum_pass<L, Q>...};

template <class L>
void accum_multi(const float* p, int64_t ldp, int64_t nq, const uint8_t* v, int64_t stride,
                 int64_t n, int64_t hd, float* out, int64_t ldo) {
  if (hd % 32 != 0) {
    for (int64_t q = 0; q < nq; ++q) accum<L>(p + q * ldp, v, stride, n, hd, out + q * ldo);
    return;
  }
  constexpr int kMaxQ = 14;
  constexpr const AccumPassFn<L>* passes =
      kAccumPasses<L, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14>;
  // 64 keys of a 128-dim F16 head are 16 KB: the block stays in L1.
  constexpr int64_t kBlock = 64;
  for (int64_t j0 = 0; j0 < n; j0 += kBlock) {
    const int64_t j1 = std::min(n, j0 + kBlock);
    for (int64_t q0 = 0; q0 < nq; q0 += kMaxQ) {
      const int64_t nqc = std::min<int64_t>(kMaxQ, nq - q0);
      for (int64_t i = 0; i < hd; i += 32)
        passes[nqc](p + q0 * ldp, ldp, v, stride, j0, j1, i, q0 == 0 && i == 0 ? hd * L::kBytes : 0,
                    out + q0 * ldo, ldo);
    }
  }
}

}  // namespace

void fill_avx512_float(KernelTable& t) {
  t.gemm[static_cast<uint32_t>(GgmlType::kF32)] = gemm<F32Z>;
  t.gemm[static_cast<uint32_t>(GgmlType::kF16)] = gemm<F16Z>;
  t.gemm[static_cast<uint32_t>(GgmlType::kBF16)] = gemm<Bf16Z>;
  t.attn_accum[static_cast<uint32_t>(GgmlType::kF16)] = accum<F16Z>;
  t.attn_accum[static_cast<uint32_t>(GgmlType::kF32)] = accum<F32Z>;
  t.attn_accum_multi[static_cast<uint32_t>(GgmlType::kF16)] = accum_multi<F16Z>;
  t.attn_accum_multi[static_cast<uint32_t>(GgmlType::kF32)] = accum_multi<F32Z>;
  t.attn_accum[static_cast<uint32_t>(GgmlType::kQ8_0)] = accum<Q8Z>;
  t.attn_accum_multi[static_cast<uint32_t>(GgmlType::kQ8_0)] = accum_multi<Q8Z>;
}

}  // namespace zhi
