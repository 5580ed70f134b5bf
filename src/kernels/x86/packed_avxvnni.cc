// AVX2 packed decode (packed_avx2_decode.h) with AVX-VNNI: one vpdpbusd
// forms a lane's four products and adds its offset, where AVX2 alone takes
// vpmaddubsw, vpmaddwd and an add (and for Q8_0 two vpsignb). Intel cores
// from Alder Lake on have AVX-VNNI without AVX-512, as do recent AMD cores;
// dispatch (kernels_avx2.cc) fills these in over the AVX2 ones where the
// CPU says so. The integer sums are the same, so the results are too.
#include "kernels/x86/packed_avx2_decode.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

struct VnniDot {
  static constexpr bool kUnsignedQ8 = true;
  static __m256i dot4_us_add(__m256i init, __m256i codes, __m256i q) {
    return _mm256_dpbusd_avx_epi32(init, codes, q);
  }
};

}  // namespace

void fill_avxvnni_packed(KernelTable& t) { fill_packed_decode<VnniDot>(t); }

}  // namespace zhi
