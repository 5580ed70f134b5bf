// AVX-512 VNNI batched products (prefill) over packed 32-element weights:
// a register tile of sixteen rows by kTileTokens tokens.
//
// Arithmetic (the twin is scalar::blocksum_dot_for): per row, token and
// block, the exact integer dot product of the 32 codes and quants, then one
// FMA by d_w * d_x into one f32 accumulator. The decode kernels keep eight
// f32 lanes per block (one conversion and one FMA per four products); here
// the eight vpdpbusd of a block chain into one integer register per token,
// so a block of sixteen rows costs eight vpdpbusd plus one conversion, one
// multiply and one FMA per token: about half the vector instructions, and
// the int8 unit, not the float conversions, sets the pace.
//
// Tile: the eight code registers of a block stay live across the tile's
// tokens, each token needs an integer and a float accumulator, and the
// scales take one more: 8 + 2 * 8 + 1 = 25 of the 32 zmm registers at
// eight tokens, leaving room for the broadcasts. Eight independent vpdpbusd
// chains also cover the instruction's latency. The weights of a task's few
// groups stay in L2 while the tiles walk the tokens; a tile's activations
// (8 x cols bytes) stay in L1.
#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/packed_codes_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

using packed_avx512::Fmt;

constexpr int kTileTokens = 8;

// Sixteen rows of one group against tokens t0 .. t0 + T - 1.
template <Fmt F, int T>
void tile(const uint8_t* group, int64_t nb, const ActView& x, int64_t t0, float* out,
          int64_t ldo) {
  using packed_avx512::broadcast_u32;
  constexpr int64_t kBlock = packed_avx512::kBlockBytes<F>;
  const int8_t* q[T];
  const float* dx[T];
  const int32_t* sums[T];
  for (int j = 0; j < T; ++j) {
    q[j] = x.q(t0 + j);
    dx[j] = x.d(t0 + j);
    sums[j] = x.block_sums + (t0 + j) * nb;
  }
  __m512 acc[T];
  for (int j = 0; j < T; ++j) acc[j] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* p = group + b * kBlock;
    __m512i codes[8];
    packed_avx512::block_codes<F>(p, codes);
    __m512i isum[T];
    for (int j = 0; j < T; ++j)
      isum[j] = _mm512_set1_epi32(-packed_avx512::kOffset<F> * sums[j][b]);
    if constexpr (T <= 2) {
      // Too few tokens to hide vpdpbusd's latency: two chains per token
      // (integer sums, so the split changes nothing).
      __m512i odd[T];
      for (int j = 0; j < T; ++j) odd[j] = _mm512_setzero_si512();
      for (int k = 0; k < 8; k += 2)
        for (int j = 0; j < T; ++j) {
          isum[j] = _mm512_dpbusd_epi32(isum[j], codes[k], broadcast_u32(q[j] + kQK * b + 4 * k));
          odd[j] = _mm512_dpbusd_epi32(odd[j], codes[k + 1],
                                       broadcast_u32(q[j] + kQK * b + 4 * k + 4));
        }
      for (int j = 0; j < T; ++j) isum[j] = _mm512_add_epi32(isum[j], odd[j]);
    } else {
      for (int k = 0; k < 8; ++k)
        for (int j = 0; j < T; ++j)
          isum[j] = _mm512_dpbusd_epi32(isum[j], codes[k], broadcast_u32(q[j] + kQK * b + 4 * k));
    }
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    for (int j = 0; j < T; ++j)
      acc[j] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(dx[j][b])),
                               _mm512_cvtepi32_ps(isum[j]), acc[j]);
  }
  for (int j = 0; j < T; ++j) _mm512_storeu_ps(out + (t0 + j) * ldo, acc[j]);
}

template <Fmt F, int T>
void tiles(const uint8_t* groups, int64_t n_groups, int64_t nb, const ActView& x, int64_t t0,
           float* out, int64_t ldo) {
  const int64_t group_bytes = nb * packed_avx512::kBlockBytes<F>;
  for (int64_t g = 0; g < n_groups; ++g)
    tile<F, T>(groups + g * group_bytes, nb, x, t0, out + kPackRows * g, ldo);
}

template <Fmt F>
void gemm_blocksum(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t n_tokens,
                 float* out, int64_t ldo) {
  const int64_t nb = x.cols / kQK;
  int64_t t = 0;
  for (; t + kTileTokens <= n_tokens; t += kTileTokens)
    tiles<F, kTileTokens>(groups, n_groups, nb, x, t, out, ldo);
  switch (n_tokens - t) {
    case 7: return tiles<F, 7>(groups, n_groups, nb, x, t, out, ldo);
    case 6: return tiles<F, 6>(groups, n_groups, nb, x, t, out, ldo);
    case 5: return tiles<F, 5>(groups, n_groups, nb, x, t, out, ldo);
    case 4: return tiles<F, 4>(groups, n_groups, nb, x, t, out, ldo);
    case 3: return tiles<F, 3>(groups, n_groups, nb, x, t, out, ldo);
    case 2: return tiles<F, 2>(groups, n_groups, nb, x, t, out, ldo);
    case 1: return tiles<F, 1>(groups, n_groups, nb, x, t, out, ldo);
    default: return;
  }
}

}  // namespace

void fill_avx512_blocksum_gemm(KernelTable& t) {
  t.gemm_blocksum[static_cast<uint32_t>(GgmlType::kQ8_0)] = gemm_blocksum<Fmt::kQ8_0>;
  t.gemm_blocksum[static_cast<uint32_t>(GgmlType::kQ4_0)] = gemm_blocksum<Fmt::kQ4_0>;
  t.gemm_blocksum[static_cast<uint32_t>(GgmlType::kQ5_0)] = gemm_blocksum<Fmt::kQ5_0>;
}

}  // namespace zhi
