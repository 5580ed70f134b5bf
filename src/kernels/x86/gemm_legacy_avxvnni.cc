// The 32-element formats' AVX2 kernels (gemm_legacy_avx2.h) with AVX-VNNI:
// one vpdpbusd forms a lane's four products and adds the lane's start,
// where AVX2 alone takes vpmaddubsw, vpmaddwd and a subtraction (and for
// signed codes two vpsignb). Signed codes (Q8_0, IQ4_NL) are moved to
// unsigned by adding 128 once per row and block, and every token's lanes
// start from -128 times the sum of its four quants, once per token and
// block for all rows: the sums are the same integers, so the results are
// the same bits. Dispatch (kernels_avx2.cc) fills these in over the AVX2
// ones where the CPU has AVX-VNNI.
#include "kernels/x86/gemm_legacy_avx2.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

struct VnniDot {
  template <class T>
  static __m256i codes(__m256i v) {
    if constexpr (T::kCodes == Codes::kSigned) return _mm256_xor_si256(v, _mm256_set1_epi8(-128));
    return v;
  }
  template <class T>
  static __m256i init(__m256i qv) {
    int offset = 0;
    if constexpr (T::kCodes == Codes::kSigned) offset = 128;
    if constexpr (T::kCodes == Codes::kOffset) offset = T::kOffset;
    if (offset == 0) return _mm256_setzero_si256();
    const __m256i sum = _mm256_dpbusd_avx_epi32(
        _mm256_setzero_si256(), _mm256_set1_epi8(static_cast<char>(offset)), qv);
    return _mm256_sub_epi32(_mm256_setzero_si256(), sum);
  }
  template <class T>
  static __m256i lanes(__m256i codes, __m256i qv, __m256i init) {
    return _mm256_dpbusd_avx_epi32(init, codes, qv);
  }
};

}  // namespace

void fill_avxvnni_gemm(KernelTable& t) { fill_legacy_gemm<VnniDot>(t); }

}  // namespace zhi
