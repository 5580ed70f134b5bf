// classify_ascii_block and write_ascii_skeleton with AVX-512: two-register
// byte permutes (VBMI) look all 64 bytes up in the 128-entry tables at once,
// and byte compress/expand (VBMI2) turn per-byte facts into per-word-
// character ones, which become skeleton entries eight at a time
// (put_skeleton, shared with the CJK writer).
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
#include "compliance/x86/skeleton_simd.h"

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

__attribute__((target("avx512vbmi,avx512vbmi2,bmi,bmi2,lzcnt"))) uint64_t
write_ascii_skeleton_avx512(const AsciiBlock& b, uint64_t begin, uint32_t gap, uint32_t flags,
                            uint32_t max_gap, SkelChar* ring, uint64_t count, uint8_t* at) {
  const uint64_t word = b.word;
  if (word == 0) return kNoCut;
  const uint64_t noise = _bzhi_u64(~uint64_t{0}, b.len) & ~word;
  const __m512i iota = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  _mm512_storeu_si512(at, _mm512_maskz_expand_epi8(word, iota));
  alignas(64) uint8_t cps[64];
  _mm512_store_si512(cps, _mm512_maskz_compress_epi8(word, _mm512_load_si512(b.folded)));
  return put_skeleton<uint8_t, 1, SkelChar::kAlphaChar>(word, noise, b.space, b.breaker, cps, begin,
                                                        gap, flags, max_gap, ring, count);
}

}  // namespace zhi::compliance
