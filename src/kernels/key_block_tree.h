// The key-block score kernels' arithmetic (kernels/key_blocks.h), written
// once for every ISA. A vector holds one of the scalar twin's sixteen lanes
// (Lanes16) for K::kKeys keys: P[l] += K[i] * q[i] for i = l (mod 16), then
// P[l] + P[l + 8] and the rest of Lanes16::hsum's tree as vertical adds,
// then the tail elements in order. Per query and key: head_dim FMAs and 15
// adds per kKeys keys, against a shuffle fold per score over key rows.
//
// Lanes go in pairs (l, l + 8), in the order the tree adds them, so at most
// a pair's chains and three partial sums per query are live: K::kQueries
// queries share each K load.
//
// K, one per ISA file (key_block_avx512.cc, key_block_avx2.cc,
// key_block_neon.cc), is the element rows of kKeys keys of a block:
//   Reg load(int64_t i) const;             element i of the keys, as f32
//   static Reg zero(), add(Reg, Reg);
//   static Reg fma(Reg k, const float* x, Reg acc);   acc + k * x[0], fused
//   static void store(float* out, Reg s, int64_t nk); the first nk keys
//   static void prefetch(const uint8_t* p, int64_t bytes);
//   kKeys (a divisor of 16), kQueries.
// Internal linkage: each ISA file compiles its own copy with its own target.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/act_rows.h"
#include "kernels/key_blocks.h"

namespace zhi {
namespace {

// kSteps: head_dim / 16 when known at compile time (the common head sizes,
// whose short loops then unroll), else 0 and hd16 = head_dim rounded down
// to 16.
template <class K, int Q, int kSteps>
[[gnu::always_inline]] inline void lane_pair(const K& k, const float* const* x, int64_t hd16, int l,
                                             typename K::Reg* h) {
  typename K::Reg a[Q], b[Q];
  for (int q = 0; q < Q; ++q) a[q] = b[q] = K::zero();
  const int64_t end = kSteps > 0 ? 16 * kSteps : hd16;
  for (int64_t i0 = 0; i0 < end; i0 += 16) {
    const typename K::Reg ka = k.load(i0 + l), kb = k.load(i0 + l + 8);
    for (int q = 0; q < Q; ++q) {
      a[q] = K::fma(ka, &x[q][i0 + l], a[q]);
      b[q] = K::fma(kb, &x[q][i0 + l + 8], b[q]);
    }
  }
  for (int q = 0; q < Q; ++q) h[q] = K::add(a[q], b[q]);
}

// (h[l] + h[l + 4]) + (h[l + 2] + h[l + 6]), h[l] = P[l] + P[l + 8]: half of
// ((h0 + h4) + (h2 + h6)) + ((h1 + h5) + (h3 + h7)).
template <class K, int Q, int kSteps>
[[gnu::always_inline]] inline void tree_half(const K& k, const float* const* x, int64_t hd16, int l,
                                             typename K::Reg* e) {
  typename K::Reg h0[Q], h4[Q], h2[Q], h6[Q];
  lane_pair<K, Q, kSteps>(k, x, hd16, l, h0);
  lane_pair<K, Q, kSteps>(k, x, hd16, l + 4, h4);
  for (int q = 0; q < Q; ++q) h0[q] = K::add(h0[q], h4[q]);
  lane_pair<K, Q, kSteps>(k, x, hd16, l + 2, h2);
  lane_pair<K, Q, kSteps>(k, x, hd16, l + 6, h6);
  for (int q = 0; q < Q; ++q) e[q] = K::add(h0[q], K::add(h2[q], h6[q]));
}

// Queries t0 .. t0 + Q - 1 against the nk keys of k.
template <class K, int Q, int kSteps>
inline void query_group(const K& k, const ActView& x, int64_t t0, int64_t nk, float* out,
                        int64_t ldo) {
  const int64_t hd = x.cols;
  const int64_t hd16 = hd / 16 * 16;
  const float* xs[Q];
  for (int q = 0; q < Q; ++q) xs[q] = x.f(t0 + q);
  typename K::Reg e0[Q], e1[Q], s[Q];
  tree_half<K, Q, kSteps>(k, xs, hd16, 0, e0);
  tree_half<K, Q, kSteps>(k, xs, hd16, 1, e1);
  for (int q = 0; q < Q; ++q) s[q] = K::add(e0[q], e1[q]);
  for (int64_t i = hd16; i < hd; ++i) {
    const typename K::Reg ki = k.load(i);
    for (int q = 0; q < Q; ++q) s[q] = K::fma(ki, &xs[q][i], s[q]);
  }
  for (int q = 0; q < Q; ++q) K::store(out + (t0 + q) * ldo, s[q], nk);
}

// The last nq - t (fewer than K::kQueries) queries, as one group.
template <class K, int Q, int kSteps>
inline void last_group(const K& k, const ActView& x, int64_t t, int64_t nq, int64_t nk, float* out,
                       int64_t ldo) {
  if constexpr (Q > 0) {
    if (nq - t == Q) return query_group<K, Q, kSteps>(k, x, t, nk, out, ldo);
    last_group<K, Q - 1, kSteps>(k, x, t, nq, nk, out, ldo);
  }
}

template <class K, int kSteps>
inline void all_queries(const K& k, const ActView& x, int64_t nq, int64_t nk, float* out,
                        int64_t ldo) {
  int64_t t = 0;
  for (; t + K::kQueries <= nq; t += K::kQueries)
    query_group<K, K::kQueries, kSteps>(k, x, t, nk, out, ldo);
  last_group<K, K::kQueries - 1, kSteps>(k, x, t, nq, nk, out, ldo);
}

// KeyBlockScoresFn (kernels/kernel_table.h) over K.
template <class K>
void key_block_scores_with(const uint8_t* blocks, int64_t n, const ActView& q, int64_t nq,
                           float* out, int64_t ldo) {
  static_assert(kKeyBlock % K::kKeys == 0);
  const int64_t hd = q.cols;
  const int64_t bb = key_block_bytes(hd);
  for (int64_t j0 = 0; j0 < n; j0 += K::kKeys) {
    const uint8_t* b = blocks + j0 / kKeyBlock * bb;
    if (j0 % kKeyBlock == 0) K::prefetch(b + 2 * bb, bb);
    const K k{b + j0 % kKeyBlock * 2};
    const int64_t nk = std::min<int64_t>(K::kKeys, n - j0);
    if (hd == 64)
      all_queries<K, 4>(k, q, nq, nk, out + j0, ldo);
    else if (hd == 128)
      all_queries<K, 8>(k, q, nq, nk, out + j0, ldo);
    else
      all_queries<K, 0>(k, q, nq, nk, out + j0, ldo);
  }
}

}  // namespace
}  // namespace zhi
