// AVX-512 scores over F16 key blocks (kernels/key_blocks.h). Each zmm holds
// one lane of the scalar twin's sixteen (Lanes16) for the sixteen keys of a
// block: P[l] += K[i] * q[i] for i = l (mod 16), then P[l] + P[l + 8] and
// the rest of Lanes16::hsum's tree as vertical adds. Per query and block:
// head_dim FMAs and 15 adds, against head_dim / 16 FMAs and a shuffle fold
// per score over key rows.
#include <algorithm>

#include "kernels/kernel_table.h"
#include "kernels/key_blocks.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

// A block's element rows, converted as they are used: each group of four
// queries converts them again. (Converting a block once into an f32
// scratch for all queries was slower: 4 KB of stores per block, 63 against
// 35 cycles per key with seven queries.)
struct Direct {
  const uint8_t* b;
  __m512 load(int64_t i) const {
    return _mm512_cvtph_ps(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i * kKeyBlock * 2)));
  }
};

// A zero register by the zeroing idiom, which the CPU renames without
// executing; a setzero would be one register the compiler copies into each
// chain, a vmovaps per chain on the FMA pipes.
inline __m512 fresh_zero() {
  __m512 z;
  asm("vpxord %0, %0, %0" : "=v"(z));
  return z;
}

// acc + k * x[0] broadcast, as _mm512_fmadd_ps(k, _mm512_set1_ps(*x), acc),
// with the broadcast inside the FMA. Written out because GCC, given the
// intrinsics, hoists the broadcasts into registers and reads K from memory
// per FMA instead, and spills: 60 cycles per key rather than 38.
inline __m512 fma_bcast(__m512 k, const float* x, __m512 acc) {
  asm("vfmadd231ps %[x]%{1to16%}, %[k], %[acc]" : [acc] "+v"(acc) : [k] "v"(k), [x] "m"(*x));
  return acc;
}

// kSteps: head_dim / 16 when known at compile time (the common head sizes,
// whose short loops unroll), else 0 and hd16 = head_dim rounded down to 16.
template <class K, int Q, int kSteps>
[[gnu::always_inline]] inline void lane_pair(const K& k, const float* const* x, int64_t hd16, int l,
                                             __m512* h) {
  __m512 a[Q], b[Q];
  for (int q = 0; q < Q; ++q) a[q] = b[q] = fresh_zero();
  const int64_t end = kSteps > 0 ? 16 * kSteps : hd16;
  for (int64_t i0 = 0; i0 < end; i0 += 16) {
    const __m512 ka = k.load(i0 + l), kb = k.load(i0 + l + 8);
    for (int q = 0; q < Q; ++q) {
      a[q] = fma_bcast(ka, &x[q][i0 + l], a[q]);
      b[q] = fma_bcast(kb, &x[q][i0 + l + 8], b[q]);
    }
  }
  for (int q = 0; q < Q; ++q) h[q] = _mm512_add_ps(a[q], b[q]);
}

// (h[l] + h[l + 4]) + (h[l + 2] + h[l + 6]), h[l] = P[l] + P[l + 8]: half
// of Lanes16::hsum's tree, ((h0 + h4) + (h2 + h6)) + ((h1 + h5) + (h3 + h7)).
template <class K, int Q, int kSteps>
[[gnu::always_inline]] inline void tree_half(const K& k, const float* const* x, int64_t hd16, int l,
                                             __m512* e) {
  __m512 h0[Q], h4[Q], h2[Q], h6[Q];
  lane_pair<K, Q, kSteps>(k, x, hd16, l, h0);
  lane_pair<K, Q, kSteps>(k, x, hd16, l + 4, h4);
  for (int q = 0; q < Q; ++q) h0[q] = _mm512_add_ps(h0[q], h4[q]);
  lane_pair<K, Q, kSteps>(k, x, hd16, l + 2, h2);
  lane_pair<K, Q, kSteps>(k, x, hd16, l + 6, h6);
  for (int q = 0; q < Q; ++q) e[q] = _mm512_add_ps(h0[q], _mm512_add_ps(h2[q], h6[q]));
}

// Q queries over one block: s[q] gets the sixteen keys' scores. Lanes go
// in pairs (l, l + 8), in the order the tree adds them, so at most a pair's
// chains and three partial sums per query are live: four queries share
// each K load, and their q values come as embedded broadcasts. (One query
// at a time with sixteen live lanes made the compiler broadcast q into
// registers and read K from memory per FMA: 60 cycles per key with seven
// queries, no better than over key rows.)
template <class K, int Q, int kSteps>
[[gnu::always_inline]] inline void block_scores(const K& k, const float* const* x, int64_t hd,
                                                __m512* s) {
  const int64_t hd16 = hd / 16 * 16;
  __m512 e0[Q], e1[Q];
  tree_half<K, Q, kSteps>(k, x, hd16, 0, e0);
  tree_half<K, Q, kSteps>(k, x, hd16, 1, e1);
  for (int q = 0; q < Q; ++q) s[q] = _mm512_add_ps(e0[q], e1[q]);
  for (int64_t i = hd16; i < hd; ++i) {
    const __m512 ki = k.load(i);
    for (int q = 0; q < Q; ++q) s[q] = fma_bcast(ki, &x[q][i], s[q]);
  }
}

template <class K, int Q, int kSteps>
inline void store_block(const K& k, const ActView& x, int64_t t0, int64_t hd, __mmask16 m,
                        float* out, int64_t ldo) {
  const float* xs[Q];
  for (int q = 0; q < Q; ++q) xs[q] = x.f(t0 + q);
  __m512 s[Q];
  block_scores<K, Q, kSteps>(k, xs, hd, s);
  for (int q = 0; q < Q; ++q) _mm512_mask_storeu_ps(out + (t0 + q) * ldo, m, s[q]);
}

template <class K, int kSteps>
inline void all_queries(const K& k, const ActView& x, int64_t nq, int64_t hd, __mmask16 m,
                        float* out, int64_t ldo) {
  int64_t t = 0;
  for (; t + 4 <= nq; t += 4) store_block<K, 4, kSteps>(k, x, t, hd, m, out, ldo);
  switch (nq - t) {
    case 3:
      return store_block<K, 3, kSteps>(k, x, t, hd, m, out, ldo);
    case 2:
      return store_block<K, 2, kSteps>(k, x, t, hd, m, out, ldo);
    case 1:
      return store_block<K, 1, kSteps>(k, x, t, hd, m, out, ldo);
    default:
      return;
  }
}

void key_block_scores(const uint8_t* blocks, int64_t n, const ActView& q, int64_t nq, float* out,
                      int64_t ldo) {
  const int64_t hd = q.cols;
  const int64_t bb = key_block_bytes(hd);
  for (int64_t j0 = 0; j0 < n; j0 += kKeyBlock) {
    const Direct k{blocks + j0 / kKeyBlock * bb};
    prefetch_span(k.b + 2 * bb, bb);
    const int64_t nk = std::min(kKeyBlock, n - j0);
    const __mmask16 m = static_cast<__mmask16>((1u << nk) - 1);
    if (hd == 64)
      all_queries<Direct, 4>(k, q, nq, hd, m, out + j0, ldo);
    else if (hd == 128)
      all_queries<Direct, 8>(k, q, nq, hd, m, out + j0, ldo);
    else
      all_queries<Direct, 0>(k, q, nq, hd, m, out + j0, ldo);
  }
}

}  // namespace

void fill_avx512_key_blocks(KernelTable& t) { t.key_block_scores_f16 = key_block_scores; }

}  // namespace zhi
