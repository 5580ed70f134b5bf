// AVX-512 VNNI batched products (prefill) over packed 32-element weights,
// bit-identical to the scalar twins (the reference arithmetic: eight f32
// lanes per row, lane k summing products 4k..4k+3 of every block).
//
// Register tile: sixteen rows by two tokens. Lane k of the sixteen rows is
// one zmm per token, so a token takes eight accumulators; two tokens take
// sixteen, and the block's eight code registers (loaded and unpacked once
// for both tokens) bring it to 24 of the 32 zmm, with room for the scale
// and the lane sums in flight. A third token would need 32 and spill.
// Per block and token: eight vpdpbusd, eight conversions and eight FMAs for
// 512 products, as the decode kernel, but with the codes unpacked once per
// two tokens and no per-row gathers, where the row-major GEMM this replaces
// re-broadcasts each row's scales and the tokens' quants per row pair.
//
// Loop order: a task's tokens two at a time, its groups inside, so the
// groups' weights (a few tens of KB) stay in L1/L2. Each lane starts from
// -offset * (its four quants' sum): the ActView's lane offsets, made once
// per matmul, where it has them and the codes are offset by 128, else
// computed per token pair. With more than one token pair, a task's groups
// are first copied to an aligned layout, Q4_0 and Q5_0 codes unpacked to
// bytes offset by 128 as Q8_0's are (unpack_aligned).
#include <algorithm>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/packed_weights.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/packed_codes_avx512.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

using packed_avx512::broadcast_u32;
using packed_avx512::Fmt;

constexpr int kTileTokens = 2;

thread_local I32Scratch tl_init;

// Where a tile finds a block's sixteen scales and eight code slabs: format
// F's packed layout as it is in memory (kBlockBytes<F> apart), or the
// aligned copy unpack_aligned makes (kAlignedBlock apart, codes offset by
// 128 whatever F, each slab on a cache line of its own).
template <Fmt F>
struct InPlace {
  static constexpr int64_t kStride = packed_avx512::kBlockBytes<F>;
  static constexpr int kOffset = packed_avx512::kOffset<F>;
  static void codes(const uint8_t* p, __m512i c[8]) { packed_avx512::block_codes<F>(p, c); }
};

// 32 bytes of scales, 32 of padding, 512 of codes. The padding costs 6% more
// bytes in a copy that stays in L2; it saves the tile a split load for every
// slab of every other Q8_0 block (544-byte blocks put half of them 32 bytes
// off a line): a stand-alone tile over L2-resident weights went from 17.9 to
// 16.0 cycles per block and token on the Xeon CI machine.
constexpr int64_t kAlignedBlock = 576;
struct Aligned {
  static constexpr int64_t kStride = kAlignedBlock;
  static constexpr int kOffset = packed_avx512::kOffset<Fmt::kQ8_0>;
  static void codes(const uint8_t* p, __m512i c[8]) {
    for (int k = 0; k < 8; ++k) c[k] = _mm512_load_si512(p + 64 + 64 * k);
  }
};

template <class L, int T>
void tile(const uint8_t* group, int64_t nb, const int8_t* const* q, const float* const* dx,
          const int32_t* const* init, float* out, int64_t ldo) {
  __m512 acc[T][8];
  for (int j = 0; j < T; ++j)
    for (int k = 0; k < 8; ++k) acc[j][k] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* p = group + b * L::kStride;
    __m512i codes[8];
    L::codes(p, codes);
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    for (int j = 0; j < T; ++j) {
      const __m512 dd = _mm512_mul_ps(dw, _mm512_set1_ps(dx[j][b]));
      const int8_t* qb = q[j] + kQK * b;
      const int32_t* ib = init[j] + 8 * b;
      for (int k = 0; k < 8; ++k) {
        const __m512i lanes =
            _mm512_dpbusd_epi32(_mm512_set1_epi32(ib[k]), codes[k], broadcast_u32(qb + 4 * k));
        acc[j][k] = _mm512_fmadd_ps(dd, _mm512_cvtepi32_ps(lanes), acc[j][k]);
      }
    }
  }
  for (int j = 0; j < T; ++j) {
    // The twins' lane order: ((0+4) + (2+6)) + ((1+5) + (3+7)).
    const __m512 sum = _mm512_add_ps(
        _mm512_add_ps(_mm512_add_ps(acc[j][0], acc[j][4]), _mm512_add_ps(acc[j][2], acc[j][6])),
        _mm512_add_ps(_mm512_add_ps(acc[j][1], acc[j][5]), _mm512_add_ps(acc[j][3], acc[j][7])));
    _mm512_storeu_ps(out + j * ldo, sum);
  }
}

// A task's groups are copied (Q8_0) or unpacked (Q4_0, Q5_0) once into the
// aligned layout, instead of each token pair's tiles unpacking them again:
// a Q5_0 block's unpacking is about half as many instructions as its
// arithmetic for two tokens, and ran 22% slower per multiply-add than Q8_0
// (bench/matmul_bench, 512 tokens, one thread). Codes move from the
// format's own offset to 128, so the ActView's lane offsets fit them all.
// The codes are the same values the tile would unpack, so nothing changes
// but the time.
thread_local I32Scratch tl_codes;
// Groups unpacked at a time: about 512 KB of codes, to stay in L2.
constexpr int64_t kUnpackedBytes = int64_t{512} << 10;

template <Fmt F>
void unpack_aligned(const uint8_t* groups, int64_t n_groups, int64_t nb, uint8_t* dst) {
  const __m512i shift = _mm512_set1_epi8(
      static_cast<char>(packed_avx512::kOffset<Fmt::kQ8_0> - packed_avx512::kOffset<F>));
  for (int64_t b = 0; b < n_groups * nb; ++b) {
    const uint8_t* p = groups + b * packed_avx512::kBlockBytes<F>;
    uint8_t* o = dst + b * kAlignedBlock;
    std::memcpy(o, p, 32);  // the sixteen f16 scales
    __m512i codes[8];
    packed_avx512::block_codes<F>(p, codes);
    for (int k = 0; k < 8; ++k) {
      const __m512i c = F == Fmt::kQ8_0 ? codes[k] : _mm512_add_epi8(codes[k], shift);
      _mm512_store_si512(o + 64 + 64 * k, c);
    }
  }
}

// Token pairs (outer) against the groups at `codes`, laid out as L says.
template <class L>
void token_pairs(const uint8_t* codes, int64_t n_groups, const ActView& x, int64_t n_tokens,
                 float* out, int64_t ldo) {
  constexpr int kOffset = L::kOffset;
  const int64_t nb = x.cols / kQK;
  const int64_t group_bytes = nb * L::kStride;
  const bool made = x.lane_offsets != nullptr && kOffset == 128;
  int32_t* init_buf = made ? nullptr : tl_init.get(kTileTokens * nb * 8);
  for (int64_t t = 0; t < n_tokens; t += kTileTokens) {
    const int n = n_tokens - t < kTileTokens ? static_cast<int>(n_tokens - t) : kTileTokens;
    const int8_t* q[kTileTokens];
    const float* dx[kTileTokens];
    const int32_t* init[kTileTokens];
    for (int j = 0; j < n; ++j) {
      q[j] = x.q(t + j);
      dx[j] = x.d(t + j);
      if (made) {
        init[j] = x.lane_offsets + (t + j) * (x.cols / 4);
      } else {
        packed_avx512::lane_offsets_row(q[j], x.cols, kOffset, init_buf + j * nb * 8);
        init[j] = init_buf + j * nb * 8;
      }
    }
    for (int64_t g = 0; g < n_groups; ++g) {
      float* o = out + t * ldo + kPackRows * g;
      if (n == kTileTokens) {
        tile<L, kTileTokens>(codes + g * group_bytes, nb, q, dx, init, o, ldo);
      } else {
        tile<L, 1>(codes + g * group_bytes, nb, q, dx, init, o, ldo);
      }
    }
  }
}

template <Fmt F>
void gemm_packed(const uint8_t* groups, int64_t n_groups, const ActView& x, int64_t n_tokens,
                 float* out, int64_t ldo) {
  // One token pair meets each group once: a copy would not pay for itself.
  if (n_tokens <= kTileTokens) {
    token_pairs<InPlace<F>>(groups, n_groups, x, n_tokens, out, ldo);
    return;
  }
  const int64_t nb = x.cols / kQK;
  const int64_t unpacked_group = nb * kAlignedBlock;
  const int64_t chunk = std::max<int64_t>(1, kUnpackedBytes / unpacked_group);
  // I32Scratch is 64-byte aligned, and so is every block of the copy.
  uint8_t* codes = reinterpret_cast<uint8_t*>(
      tl_codes.get((std::min(chunk, n_groups) * unpacked_group + 3) / 4));
  for (int64_t g0 = 0; g0 < n_groups; g0 += chunk) {
    const int64_t ng = std::min(chunk, n_groups - g0);
    unpack_aligned<F>(groups + g0 * nb * packed_avx512::kBlockBytes<F>, ng, nb, codes);
    token_pairs<Aligned>(codes, ng, x, n_tokens, out + kPackRows * g0, ldo);
  }
}

}  // namespace

void fill_avx512_packed_gemm(KernelTable& t) {
  t.gemm_packed[static_cast<uint32_t>(GgmlType::kQ8_0)] = gemm_packed<Fmt::kQ8_0>;
  t.gemm_packed[static_cast<uint32_t>(GgmlType::kQ4_0)] = gemm_packed<Fmt::kQ4_0>;
  t.gemm_packed[static_cast<uint32_t>(GgmlType::kQ5_0)] = gemm_packed<Fmt::kQ5_0>;
}

}  // namespace zhi
