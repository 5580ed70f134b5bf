// What the AVX-512 skeleton writers (ascii_block_avx512.cc, cjk_block_avx512.cc)
// share: from one mask bit per character (word character, white space,
// clause break) to skeleton entries, eight at a time. Internal linkage: only
// these x86 files include it, all with the same target.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "compliance/ascii_block.h"
#include "compliance/skeleton_window.h"

namespace zhi::compliance {
namespace {

// Bits of `noise` reached from a bit of `seeds` (a subset of it) without
// leaving its run of noise: Kogge-Stone propagation, six steps for 64 bits.
inline uint64_t smear(uint64_t seeds, uint64_t noise) {
  uint64_t x = seeds, p = noise;
  for (int s = 1; s < 64; s *= 2) {
    x |= (x << s) & p;
    p &= p << s;
  }
  return x;
}

static_assert(sizeof(SkelChar) == 16 && offsetof(SkelChar, cp) == 0 &&
                  offsetof(SkelChar, gap) == 4 && offsetof(SkelChar, flags) == 5 &&
                  offsetof(SkelChar, len) == 6 && offsetof(SkelChar, begin) == 8,
              "put_skeleton builds entries as two 64-bit words");

// Puts the skeleton entries of the word characters (bits of `word`, a
// non-empty mask over characters 0 .. 63; `noise` the other characters
// taken) into ring at indexes count, count + 1, ...: code point cps[i] for
// the i-th (CpT: 8 or 32 bits), gap and gap flags from the masks, `gap` and
// `flags` describing the noise before the first character, length
// kCharLen, flags also kCharFlags, byte offset begin + kCharLen * k for
// character k. Returns the highest index written whose gap holds a clause
// break or exceeds max_gap, or kNoCut.
template <class CpT, int kCharLen, uint8_t kCharFlags>
__attribute__((target("avx512vbmi,avx512vbmi2,bmi,bmi2,lzcnt"), always_inline)) inline uint64_t
put_skeleton(uint64_t word, uint64_t noise, uint64_t space, uint64_t breaker, const CpT* cps,
             uint64_t begin, uint32_t gap, uint32_t flags, uint32_t max_gap, SkelChar* ring,
             uint64_t count) {
  const uint32_t m = static_cast<uint32_t>(_mm_popcnt_u64(word));
  const __m512i iota = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  // Per word character i (lane i): its position, the previous one's, the
  // gap between them, the flags of that gap.
  const __m512i pos = _mm512_maskz_compress_epi8(word, iota);
  const __m512i prev = _mm512_permutexvar_epi8(
      _mm512_max_epu8(_mm512_sub_epi8(iota, _mm512_set1_epi8(1)), _mm512_setzero_si512()), pos);
  const uint32_t k0 = static_cast<uint32_t>(_tzcnt_u64(word));
  const uint32_t gap0 = gap + k0 < 255 ? gap + k0 : 255;  // carries the noise before the block
  __m512i gaps = _mm512_sub_epi8(_mm512_sub_epi8(pos, prev), _mm512_set1_epi8(1));
  gaps = _mm512_mask_mov_epi8(gaps, 1, _mm512_set1_epi8(static_cast<char>(gap0)));
  const uint64_t space_gap = (smear(space, noise) << 1) & word;
  const uint64_t breaker_gap = (smear(breaker, noise) << 1) & word;
  __m512i fl =
      _mm512_or_si512(_mm512_maskz_mov_epi8(space_gap, _mm512_set1_epi8(SkelChar::kGapSpace)),
                      _mm512_maskz_mov_epi8(breaker_gap, _mm512_set1_epi8(SkelChar::kGapBreaker)));
  fl = _mm512_maskz_compress_epi8(word, fl);
  if constexpr (kCharFlags != 0) fl = _mm512_or_si512(fl, _mm512_set1_epi8(kCharFlags));
  fl = _mm512_mask_or_epi32(fl, 1, fl, _mm512_set1_epi32(static_cast<int>(flags & 0xFF)));
  // The last lane whose gap holds a break or is too long moves the barrier.
  const uint64_t lanes = _bzhi_u64(~uint64_t{0}, m);
  const uint64_t cuts =
      (_mm512_test_epi8_mask(fl, _mm512_set1_epi8(SkelChar::kGapBreaker)) |
       _mm512_cmpgt_epu8_mask(gaps,
                              _mm512_set1_epi8(static_cast<char>(max_gap < 255 ? max_gap : 255)))) &
      lanes;
  const uint64_t cut = cuts ? count + 63 - _lzcnt_u64(cuts) : kNoCut;

  alignas(64) uint8_t a_gap[64], a_fl[64], a_pos[64];
  _mm512_store_si512(a_gap, gaps);
  _mm512_store_si512(a_fl, fl);
  _mm512_store_si512(a_pos, pos);
  const __m512i len = _mm512_set1_epi64(int64_t{kCharLen} << 48);
  const __m512i base = _mm512_set1_epi64(static_cast<int64_t>(begin));
  const __m512i first = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i second = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  constexpr uint64_t kMask = SkeletonWindow::kSize - 1;
  for (uint32_t g = 0; g < m; g += 8) {
    const auto q = [&](const uint8_t* a) {
      return _mm512_cvtepu8_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + g)));
    };
    __m512i cp;
    if constexpr (sizeof(CpT) == 1) {
      cp = q(reinterpret_cast<const uint8_t*>(cps));
    } else {
      static_assert(sizeof(CpT) == 4);
      cp = _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(cps + g)));
    }
    const __m512i lo = _mm512_or_si512(_mm512_or_si512(cp, _mm512_slli_epi64(q(a_gap), 32)),
                                       _mm512_or_si512(_mm512_slli_epi64(q(a_fl), 40), len));
    __m512i at = q(a_pos);
    if constexpr (kCharLen == 3) {
      at = _mm512_add_epi64(at, _mm512_slli_epi64(at, 1));
    } else {
      static_assert(kCharLen == 1);
    }
    const __m512i hi = _mm512_add_epi64(base, at);
    const __m512i e0 = _mm512_permutex2var_epi64(lo, first, hi);
    const __m512i e1 = _mm512_permutex2var_epi64(lo, second, hi);
    const uint32_t n = m - g < 8 ? m - g : 8;  // entries in this group
    const uint64_t at0 = (count + g) & kMask;
    if (at0 + 8 <= SkeletonWindow::kSize) {
      _mm512_mask_storeu_epi64(ring + at0,
                               static_cast<__mmask8>(_bzhi_u32(0xFF, 2 * (n < 4 ? n : 4))), e0);
      if (n > 4)
        _mm512_mask_storeu_epi64(ring + at0 + 4,
                                 static_cast<__mmask8>(_bzhi_u32(0xFF, 2 * (n - 4))), e1);
    } else {  // the group wraps around the ring
      alignas(64) SkelChar tmp[8];
      _mm512_store_si512(tmp, e0);
      _mm512_store_si512(tmp + 4, e1);
      for (uint32_t i = 0; i < n; ++i) ring[(count + g + i) & kMask] = tmp[i];
    }
  }
  return cut;
}

}  // namespace
}  // namespace zhi::compliance
