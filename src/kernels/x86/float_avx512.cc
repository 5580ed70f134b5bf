// AVX-512 kernels for F32, F16 and BF16 weights: the scalar twins' sixteen
// lanes are exactly one zmm accumulator per output (element i into lane
// i % 16 by fused multiply-add), folded high-to-low as the twins do.
//
// BF16 converts to f32 and uses the same FMA rather than vdpbf16ps: that
// instruction pairs two products per lane and flushes denormals, which would
// break bit equality with the twin (and the products are exact in f32 anyway).
#include <algorithm>
#include <cmath>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

struct F32Z {
  static __m512 load(const void* p, int64_t i) {
    return _mm512_loadu_ps(static_cast<const float*>(p) + i);
  }
  static float one(const void* p, int64_t i) { return static_cast<const float*>(p)[i]; }
};
struct F16Z {
  static __m512 load(const void* p, int64_t i) {
    return _mm512_cvtph_ps(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(p) + i)));
  }
  static float one(const void* p, int64_t i) {
    return half_to_float(static_cast<const uint16_t*>(p)[i]);
  }
};
struct Bf16Z {
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

template <class L>
inline float tail(float sum, const void* w, const float* x, int64_t i, int64_t n) {
  for (; i < n; ++i) sum = std::fma(L::one(w, i), x[i], sum);
  return sum;
}

// R rows x T tokens: R*T accumulators, one FMA per (row, token, 16 values).
//   R = 4, T = 6: 24 accumulators + 4 converted weight vectors = 28 zmm.
template <class L, int R, int T>
void tile(const uint8_t* w, int64_t ws, const float* const* xs, int64_t n, float* out,
          int64_t ldo) {
  __m512 acc[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if constexpr (T == 1) prefetch_slice(w + R * ws, R * ws, i / 16, n / 16);
    __m512 wv[R];
    for (int r = 0; r < R; ++r) wv[r] = L::load(w + r * ws, i);
    for (int t = 0; t < T; ++t) {
      const __m512 xv = _mm512_loadu_ps(xs[t] + i);
      for (int r = 0; r < R; ++r) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
    }
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

template <class L>
void gemm(const uint8_t* w, int64_t ws, int64_t nr, const ActView& x, int64_t nt, float* out,
          int64_t ldo) {
  auto xrow = [&](int64_t t) { return x.f(t); };
  constexpr int kT = 6;
  int64_t t = 0;
  for (; t + kT <= nt; t += kT) {
    const float* xs[kT];
    for (int k = 0; k < kT; ++k) xs[k] = xrow(t + k);
    rows<L, kT>(w, ws, nr, xs, x.cols, out + t * ldo, ldo);
  }
  // The last 1-5 tokens in one tile too: attention's grouped decode sends
  // 3-7 queries, and each weight row is then converted once for all of them.
  const float* xs[kT] = {};
  for (int64_t k = t; k < nt; ++k) xs[k - t] = xrow(k);
  switch (nt - t) {
    case 5:
      rows<L, 5>(w, ws, nr, xs, x.cols, out + t * ldo, ldo);
      break;
    case 4:
      rows<L, 4>(w, ws, nr, xs, x.cols, out + t * ldo, ldo);
      break;
    case 3:
      rows<L, 3>(w, ws, nr, xs, x.cols, out + t * ldo, ldo);
      break;
    case 2:
      rows<L, 2>(w, ws, nr, xs, x.cols, out + t * ldo, ldo);
      break;
    case 1:
      rows<L, 1>(w, ws, nr, xs, x.cols, out + t * ldo, ldo);
      break;
    default:
      break;
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

// Up to six queries at a time: 6 x 4 accumulators + 4 converted V vectors
// = 28 zmm. Head sizes that are not a multiple of 64 take the one-query
// kernel per query (same arithmetic).
template <class L>
void accum_multi(const float* p, int64_t ldp, int64_t nq, const uint8_t* v, int64_t stride,
                 int64_t n, int64_t hd, float* out, int64_t ldo) {
  if (hd % 64 != 0) {
    for (int64_t q = 0; q < nq; ++q) accum<L>(p + q * ldp, v, stride, n, hd, out + q * ldo);
    return;
  }
  constexpr int kMaxQ = 6;
  for (int64_t q0 = 0; q0 < nq; q0 += kMaxQ) {
    const int nqc = static_cast<int>(std::min<int64_t>(kMaxQ, nq - q0));
    for (int64_t i = 0; i < hd; i += 64) {
      __m512 o[kMaxQ][4];
      for (int q = 0; q < nqc; ++q)
        for (int u = 0; u < 4; ++u) o[q][u] = _mm512_loadu_ps(out + (q0 + q) * ldo + i + 16 * u);
      for (int64_t j = 0; j < n; ++j) {
        __m512 vv[4];
        for (int u = 0; u < 4; ++u) vv[u] = L::load(v + j * stride, i + 16 * u);
        for (int q = 0; q < nqc; ++q) {
          const __m512 pj = _mm512_set1_ps(p[(q0 + q) * ldp + j]);
          for (int u = 0; u < 4; ++u) o[q][u] = _mm512_fmadd_ps(pj, vv[u], o[q][u]);
        }
      }
      for (int q = 0; q < nqc; ++q)
        for (int u = 0; u < 4; ++u) _mm512_storeu_ps(out + (q0 + q) * ldo + i + 16 * u, o[q][u]);
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
}

}  // namespace zhi
