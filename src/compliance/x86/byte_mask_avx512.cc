// byte_mask with AVX-512: one two-register byte permute (VBMI) looks all 64
// bytes up in the 128-entry table; bytes >= 0x80 are caught by their sign.
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

}  // namespace zhi::compliance
