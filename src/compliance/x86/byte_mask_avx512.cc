// byte_mask with AVX-512: one two-register byte permute (VBMI) looks all 64
// bytes up in the 128-entry table; bytes >= 0x80 are caught by their sign.
// char_starts: the block is loaded at offsets 0, 1 and 2, and each
// character's three bytes compared in place.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC bug 105593, as in ascii_block_avx512.cc
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include "compliance/byte_mask.h"

namespace zhi::compliance {

__attribute__((target("avx512vbmi,bmi2"))) uint64_t byte_mask_avx512(const unsigned char* p,
                                                                     size_t n, const ByteTable& t) {
  const __mmask64 in = n >= 64 ? ~__mmask64{0} : _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(n));
  const __m512i v = _mm512_maskz_loadu_epi8(in, p);
  const __m512i member =
      _mm512_permutex2var_epi8(_mm512_load_si512(t.member), v, _mm512_load_si512(t.member + 64));
  return _mm512_test_epi8_mask(member, member) & ~_mm512_movepi8_mask(v) & in;
}

uint64_t char_starts_avx512(const unsigned char* p, size_t avail, const CharTable& t) {
  if (avail < 3 || t.n == 0) return 0;
  const auto upto = [&](size_t k) {  // the first min(64, k) bytes
    return k >= 64 ? ~__mmask64{0} : (__mmask64{1} << k) - 1;
  };
  const __m512i v0 = _mm512_maskz_loadu_epi8(upto(avail), p);
  const __m512i v1 = _mm512_maskz_loadu_epi8(upto(avail - 1), p + 1);
  const __m512i v2 = _mm512_maskz_loadu_epi8(upto(avail - 2), p + 2);
  uint64_t mask = 0;
  for (uint32_t i = 0; i < t.n; ++i) {
    mask |= _mm512_cmpeq_epi8_mask(v0, _mm512_set1_epi8(static_cast<char>(t.b0[i]))) &
            _mm512_cmpeq_epi8_mask(v1, _mm512_set1_epi8(static_cast<char>(t.b1[i]))) &
            _mm512_cmpeq_epi8_mask(v2, _mm512_set1_epi8(static_cast<char>(t.b2[i])));
  }
  return mask & upto(avail - 2);
}

}  // namespace zhi::compliance
