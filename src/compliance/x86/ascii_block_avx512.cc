// classify_ascii_block and write_ascii_skeleton with AVX-512: two-register
// byte permutes (VBMI) look all 64 bytes up in the 128-entry tables at once,
// and byte compress/expand (VBMI2) turn per-byte facts into per-word-
// character ones, which become skeleton entries eight at a time.
// GCC 12 reports its own _mm512_undefined_* placeholders as uninitialised
// once inlined (GCC bug 105593; kernels/x86/avx512_intrinsics.h says the same,
// but compliance does not include the kernels layer).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include <cstddef>

#include "compliance/ascii_block.h"

namespace zhi::compliance {

// VBMI is not among the flags the build gives *_avx512.cc files (the kernels
// do not need it); ascii_block_simd() checks the CPU has it.
__attribute__((target("avx512vbmi,bmi,bmi2"))) void classify_ascii_block_avx512(
    const unsigned char* p, size_t n, const AsciiTables& t, AsciiBlock& out) {
  const __mmask64 in = n >= 64 ? ~__mmask64{0} : _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(n));
  const __m512i v = _mm512_maskz_loadu_epi8(in, p);
  const __m512i cls_lo = _mm512_load_si512(t.cls), cls_hi = _mm512_load_si512(t.cls + 64);
  const __m512i fold_lo = _mm512_load_si512(t.fold), fold_hi = _mm512_load_si512(t.fold + 64);
  // Indexes use the low 7 bits; bytes >= 0x80 are caught by their sign bit.
  const __m512i cls = _mm512_permutex2var_epi8(cls_lo, v, cls_hi);
  const __m512i folded = _mm512_permutex2var_epi8(fold_lo, v, fold_hi);
  const uint64_t slow = _mm512_movepi8_mask(v) | _mm512_movepi8_mask(cls) | ~in;
  const uint32_t len = static_cast<uint32_t>(_tzcnt_u64(slow));  // 64 when none
  const uint64_t valid = _bzhi_u64(~uint64_t{0}, len);
  const auto bits = [&](uint8_t m) {
    return _mm512_test_epi8_mask(cls, _mm512_set1_epi8(static_cast<char>(m))) & valid;
  };
  out.len = len;
  out.word = bits(AsciiTables::kWord);
  out.space = bits(AsciiTables::kSpace);
  out.breaker = bits(AsciiTables::kBreaker);
  out.ends_allow = bits(1u << AsciiTables::kEndsShift);
  out.ends_anywhere = bits(1u << (AsciiTables::kEndsShift + 1));
  out.ends_word = bits(1u << (AsciiTables::kEndsShift + 2));
  _mm512_store_si512(out.folded, folded);
}

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
              "write_ascii_skeleton_avx512 builds entries as two 64-bit words");

}  // namespace

__attribute__((target("avx512vbmi,avx512vbmi2,bmi,bmi2,lzcnt"))) uint64_t
write_ascii_skeleton_avx512(const AsciiBlock& b, uint64_t begin, uint32_t gap, uint32_t flags,
                            uint32_t max_gap, SkelChar* ring, uint64_t count, uint8_t* at) {
  const uint64_t word = b.word;
  if (word == 0) return kNoCut;
  const uint32_t m = static_cast<uint32_t>(_mm_popcnt_u64(word));
  const uint64_t noise = _bzhi_u64(~uint64_t{0}, b.len) & ~word;
  const __m512i iota = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  _mm512_storeu_si512(at, _mm512_maskz_expand_epi8(word, iota));
  // Per word character i (lane i): its byte position, the previous one's,
  // the gap between them, the flags of that gap, its folded character.
  const __m512i pos = _mm512_maskz_compress_epi8(word, iota);
  const __m512i prev = _mm512_permutexvar_epi8(
      _mm512_max_epu8(_mm512_sub_epi8(iota, _mm512_set1_epi8(1)), _mm512_setzero_si512()), pos);
  const uint32_t k0 = static_cast<uint32_t>(_tzcnt_u64(word));
  const uint32_t gap0 = gap + k0 < 255 ? gap + k0 : 255;  // carries the noise before the block
  __m512i gaps = _mm512_sub_epi8(_mm512_sub_epi8(pos, prev), _mm512_set1_epi8(1));
  gaps = _mm512_mask_mov_epi8(gaps, 1, _mm512_set1_epi8(static_cast<char>(gap0)));
  const uint64_t space_gap = (smear(b.space, noise) << 1) & word;
  const uint64_t breaker_gap = (smear(b.breaker, noise) << 1) & word;
  __m512i fl =
      _mm512_or_si512(_mm512_maskz_mov_epi8(space_gap, _mm512_set1_epi8(SkelChar::kGapSpace)),
                      _mm512_maskz_mov_epi8(breaker_gap, _mm512_set1_epi8(SkelChar::kGapBreaker)));
  fl = _mm512_maskz_compress_epi8(word, fl);
  fl = _mm512_or_si512(fl, _mm512_set1_epi8(SkelChar::kAlphaChar));
  fl = _mm512_mask_or_epi32(fl, 1, fl, _mm512_set1_epi32(static_cast<int>(flags & 0xFF)));
  const __m512i cp = _mm512_maskz_compress_epi8(word, _mm512_load_si512(b.folded));
  // The last lane whose gap holds a break or is too long moves the barrier.
  const uint64_t lanes = _bzhi_u64(~uint64_t{0}, m);
  const uint64_t cuts =
      (_mm512_test_epi8_mask(fl, _mm512_set1_epi8(SkelChar::kGapBreaker)) |
       _mm512_cmpgt_epu8_mask(gaps,
                              _mm512_set1_epi8(static_cast<char>(max_gap < 255 ? max_gap : 255)))) &
      lanes;
  const uint64_t cut = cuts ? count + 63 - _lzcnt_u64(cuts) : kNoCut;

  alignas(64) uint8_t a_cp[64], a_gap[64], a_fl[64], a_pos[64];
  _mm512_store_si512(a_cp, cp);
  _mm512_store_si512(a_gap, gaps);
  _mm512_store_si512(a_fl, fl);
  _mm512_store_si512(a_pos, pos);
  const __m512i len = _mm512_set1_epi64(int64_t{1} << 48);
  const __m512i base = _mm512_set1_epi64(static_cast<int64_t>(begin));
  const __m512i first = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
  const __m512i second = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
  constexpr uint64_t kMask = SkeletonWindow::kSize - 1;
  for (uint32_t g = 0; g < m; g += 8) {
    const auto q = [&](const uint8_t* a) {
      return _mm512_cvtepu8_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + g)));
    };
    const __m512i lo = _mm512_or_si512(_mm512_or_si512(q(a_cp), _mm512_slli_epi64(q(a_gap), 32)),
                                       _mm512_or_si512(_mm512_slli_epi64(q(a_fl), 40), len));
    const __m512i hi = _mm512_add_epi64(base, q(a_pos));
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

}  // namespace zhi::compliance
