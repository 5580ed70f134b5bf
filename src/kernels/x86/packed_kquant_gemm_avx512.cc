// AVX-512 VNNI batched products (prefill) over packed Q4_K and Q6_K weights
// (kernels/packed_weights.h), bit-identical to the scalar twins: per row,
// token and super-block the exact integer sums sum(scale * sub-block dot)
// (and for Q4_K sum(min * bsum)), each folded in with one FMA by d_x * d_w
// (d_x * dmin).
//
// Tile: sixteen rows by kTileTokens tokens. A 64-element chunk's eight code
// slabs are unpacked once (low and high nibbles) and meet every token of
// the tile; per token the chunk costs sixteen vpdpbusd into two i32 chains
// and two multiplies by the sub-block scales. Per token the tile keeps the
// two chains, the two integer sums and the two f32 accumulators: six zmm,
// so three tokens (18) plus the four scale/min registers and the unpacked
// pair fit in 32 without spilling. Q6_K keeps four sub-block chains, one
// integer sum and one accumulator per token (18 for three tokens) beside
// the four codes of a slab triple.
#include <algorithm>

#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/packed_codes_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

using packed_avx512::broadcast_u32;

constexpr int kTileTokens = 3;
constexpr int64_t kQ4KBlock = 2304;

using packed_avx512::f16x16;
using packed_avx512::Q4KScales;

template <int T>
void tile_q4_k(const uint8_t* group, int64_t nb, const ActView& x, int64_t t0, float* out,
               int64_t ldo) {
  const __m512i m0f = _mm512_set1_epi8(0x0F);
  __m512 acc[T], acc_min[T];
  for (int j = 0; j < T; ++j) acc[j] = acc_min[j] = _mm512_setzero_ps();
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* p = group + i * kQ4KBlock;
    const Q4KScales scales(p);
    __m512i isum[T], msum[T];
    for (int j = 0; j < T; ++j) isum[j] = msum[j] = _mm512_setzero_si512();
    for (int c = 0; c < 4; ++c) {
      __m512i lo[T], hi[T];
      for (int j = 0; j < T; ++j) lo[j] = hi[j] = _mm512_setzero_si512();
      for (int k = 0; k < 8; ++k) {
        const __m512i v = _mm512_loadu_si512(p + 256 + 64 * (8 * c + k));
        const __m512i vl = _mm512_and_si512(v, m0f);
        const __m512i vh = _mm512_and_si512(_mm512_srli_epi16(v, 4), m0f);
        for (int j = 0; j < T; ++j) {
          const int8_t* q = x.q(t0 + j) + i * kQK_K + 64 * c + 4 * k;
          lo[j] = _mm512_dpbusd_epi32(lo[j], vl, broadcast_u32(q));
          hi[j] = _mm512_dpbusd_epi32(hi[j], vh, broadcast_u32(q + 32));
        }
      }
      const __m512i sc_lo = scales.scale(2 * c), sc_hi = scales.scale(2 * c + 1);
      const __m512i mn_lo = scales.min(2 * c), mn_hi = scales.min(2 * c + 1);
      for (int j = 0; j < T; ++j) {
        const int16_t* bs = x.bsums(t0 + j) + i * 16 + 4 * c;
        isum[j] = _mm512_add_epi32(isum[j], _mm512_add_epi32(_mm512_mullo_epi32(lo[j], sc_lo),
                                                             _mm512_mullo_epi32(hi[j], sc_hi)));
        msum[j] = _mm512_add_epi32(
            msum[j], _mm512_add_epi32(_mm512_mullo_epi32(mn_lo, _mm512_set1_epi32(bs[0] + bs[1])),
                                      _mm512_mullo_epi32(mn_hi, _mm512_set1_epi32(bs[2] + bs[3]))));
      }
    }
    const __m512 d = f16x16(p), dmin = f16x16(p + 32);
    for (int j = 0; j < T; ++j) {
      const __m512 vd8 = _mm512_set1_ps(x.d(t0 + j)[i]);
      acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[j]), _mm512_mul_ps(vd8, d), acc[j]);
      acc_min[j] =
          _mm512_fmadd_ps(_mm512_cvtepi32_ps(msum[j]), _mm512_mul_ps(vd8, dmin), acc_min[j]);
    }
  }
  for (int j = 0; j < T; ++j)
    _mm512_storeu_ps(out + (t0 + j) * ldo, _mm512_sub_ps(acc[j], acc_min[j]));
}

// Q6_K, 3360 bytes per super-block. Codes are the unsigned 6-bit values;
// each sub-block's dot product starts from -32 * (sum of its 16 quants).
constexpr int64_t kQ6KBlock = 3360;

// A Q6_K super-block's sixteen 64-element chunks of codes, unpacked to bytes
// (q6_k_codes' four registers each): 4 KB per super-block of a group.
constexpr int64_t kQ6KCodeBytes = 16 * 256;

// `codes`, when not null, holds the group's super-blocks unpacked by
// unpack_q6_k_codes; the tile then loads them instead of unpacking.
template <int T>
void tile_q6_k(const uint8_t* group, const uint8_t* codes_base, int64_t nb, const ActView& x,
               int64_t t0, float* out, int64_t ldo) {
  __m512 acc[T];
  for (int j = 0; j < T; ++j) acc[j] = _mm512_setzero_ps();
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* p = group + i * kQ6KBlock;
    __m512i isum[T];
    for (int j = 0; j < T; ++j) isum[j] = _mm512_setzero_si512();
    for (int h = 0; h < 2; ++h) {
      for (int half = 0; half < 2; ++half) {
        // Sub-block 8h + 2k + half for quarter k: elements 128h + 32k + 16 half ...
        __m512i s[T][4];
        for (int j = 0; j < T; ++j) {
          const int16_t* bs = x.bsums(t0 + j) + i * 16;
          for (int k = 0; k < 4; ++k) s[j][k] = _mm512_set1_epi32(-32 * bs[8 * h + 2 * k + half]);
        }
        for (int c = 4 * half; c < 4 * half + 4; ++c) {
          __m512i codes[4];
          if (codes_base != nullptr) {
            const uint8_t* u = codes_base + i * kQ6KCodeBytes + 256 * (8 * h + c);
            for (int k = 0; k < 4; ++k) codes[k] = _mm512_loadu_si512(u + 64 * k);
          } else {
            packed_avx512::q6_k_codes(p + 288 + 192 * (8 * h + c), codes);
          }
          for (int j = 0; j < T; ++j) {
            const int8_t* q = x.q(t0 + j) + i * kQK_K + 128 * h + 4 * c;
            for (int k = 0; k < 4; ++k)
              s[j][k] = _mm512_dpbusd_epi32(s[j][k], codes[k], broadcast_u32(q + 32 * k));
          }
        }
        for (int k = 0; k < 4; ++k) {
          const __m512i sc = _mm512_cvtepi8_epi32(_mm_loadu_si128(
              reinterpret_cast<const __m128i*>(p + 32 + 16 * (8 * h + 2 * k + half))));
          for (int j = 0; j < T; ++j)
            isum[j] = _mm512_add_epi32(isum[j], _mm512_mullo_epi32(s[j][k], sc));
        }
      }
    }
    const __m512 d = f16x16(p);
    for (int j = 0; j < T; ++j)
      acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[j]),
                               _mm512_mul_ps(_mm512_set1_ps(x.d(t0 + j)[i]), d), acc[j]);
  }
  // The twin subtracts a zero min term; x - 0 keeps its bits, -0 included.
  for (int j = 0; j < T; ++j)
    _mm512_storeu_ps(out + (t0 + j) * ldo, _mm512_sub_ps(acc[j], _mm512_setzero_ps()));
}

template <int T>
void tiles_q4_k(const uint8_t* groups, int64_t n_groups, int64_t nb, const ActView& x, int64_t t0,
                float* out, int64_t ldo) {
  for (int64_t g = 0; g < n_groups; ++g)
    tile_q4_k<T>(groups + g * nb * kQ4KBlock, nb, x, t0, out + kPackRows * g, ldo);
}

// Unpacking a Q6_K chunk is about a third of the tile's instructions; a
// batch of six or more tokens unpacks its groups once into this scratch
// (at most about 512 KB at a time, to stay in L2) and every token triple
// loads the bytes. The bytes are the ones the tile would unpack, so the
// results are the same.
thread_local I32Scratch tl_q6_k_codes;
constexpr int64_t kUnpackedBytes = int64_t{512} << 10;

void unpack_q6_k_codes(const uint8_t* groups, int64_t n_blocks, uint8_t* dst) {
  for (int64_t i = 0; i < n_blocks; ++i) {
    const uint8_t* p = groups + i * kQ6KBlock;
    for (int c = 0; c < 16; ++c) {
      __m512i codes[4];
      packed_avx512::q6_k_codes(p + 288 + 192 * c, codes);
      for (int k = 0; k < 4; ++k)
        _mm512_storeu_si512(dst + i * kQ6KCodeBytes + 256 * c + 64 * k, codes[k]);
    }
  }
}

template <int T>
void tiles_q6_k(const uint8_t* groups, int64_t n_groups, int64_t nb, const ActView& x, int64_t t0,
                float* out, int64_t ldo) {
  for (int64_t g = 0; g < n_groups; ++g)
    tile_q6_k<T>(groups + g * nb * kQ6KBlock, nullptr, nb, x, t0, out + kPackRows * g, ldo);
}

template <
    void (*Tiles3)(const uint8_t*, int64_t, int64_t, const ActView&, int64_t, float*, int64_t),
    void (*Tiles2)(const uint8_t*, int64_t, int64_t, const ActView&, int64_t, float*, int64_t),
    void (*Tiles1)(const uint8_t*, int64_t, int64_t, const ActView&, int64_t, float*, int64_t)>
void gemm_packed_k(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t n_tokens,
                   float* out, int64_t ldo) {
  const int64_t nb = x.cols / kQK_K;
  int64_t t = 0;
  for (; t + kTileTokens <= n_tokens; t += kTileTokens)
    Tiles3(groups, n_groups, nb, x, t, out, ldo);
  if (n_tokens - t == 2) Tiles2(groups, n_groups, nb, x, t, out, ldo);
  if (n_tokens - t == 1) Tiles1(groups, n_groups, nb, x, t, out, ldo);
}

void gemm_packed_q6_k(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t n_tokens,
                      float* out, int64_t ldo) {
  const int64_t nb = x.cols / kQK_K;
  if (n_tokens < 2 * kTileTokens) {
    gemm_packed_k<tiles_q6_k<3>, tiles_q6_k<2>, tiles_q6_k<1>>(groups, n_groups, x, n_tokens, out,
                                                               ldo);
    return;
  }
  const int64_t chunk = std::max<int64_t>(1, kUnpackedBytes / (nb * kQ6KCodeBytes));
  uint8_t* codes = reinterpret_cast<uint8_t*>(
      tl_q6_k_codes.get(std::min(chunk, n_groups) * nb * kQ6KCodeBytes / 4));
  for (int64_t g0 = 0; g0 < n_groups; g0 += chunk) {
    const int64_t ng = std::min(chunk, n_groups - g0);
    const uint8_t* src = groups + g0 * nb * kQ6KBlock;
    unpack_q6_k_codes(src, ng * nb, codes);
    int64_t t = 0;
    for (; t < n_tokens; t += kTileTokens) {
      for (int64_t g = 0; g < ng; ++g) {
        const uint8_t* gp = src + g * nb * kQ6KBlock;
        const uint8_t* gc = codes + g * nb * kQ6KCodeBytes;
        float* o = out + kPackRows * (g0 + g);
        switch (std::min<int64_t>(kTileTokens, n_tokens - t)) {
          case 3:
            tile_q6_k<3>(gp, gc, nb, x, t, o, ldo);
            break;
          case 2:
            tile_q6_k<2>(gp, gc, nb, x, t, o, ldo);
            break;
          default:
            tile_q6_k<1>(gp, gc, nb, x, t, o, ldo);
            break;
        }
      }
    }
  }
}

}  // namespace

void fill_avx512_packed_kquant_gemm(KernelTable& t) {
  static_assert(kTileTokens == 3, "gemm_packed_k takes tiles of 3, 2 and 1 tokens");
  t.gemm_packed[static_cast<uint32_t>(GgmlType::kQ4_K)] =
      gemm_packed_k<tiles_q4_k<3>, tiles_q4_k<2>, tiles_q4_k<1>>;
  t.gemm_packed[static_cast<uint32_t>(GgmlType::kQ6_K)] = gemm_packed_q6_k;
}

}  // namespace zhi
