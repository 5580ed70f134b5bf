// AVX2 packed decode (packed_avx2_decode.h) with vpmaddubsw + vpmaddwd.
#include "kernels/x86/packed_avx2_decode.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

struct MaddDot {
  static constexpr bool kUnsignedQ8 = false;
  static __m256i dot4_us_add(__m256i init, __m256i codes, __m256i q) {
    return _mm256_add_epi32(dot4_us(codes, q), init);
  }
};

}  // namespace

void fill_avx2_packed(KernelTable& t) { fill_packed_decode<MaddDot>(t); }

}  // namespace zhi
