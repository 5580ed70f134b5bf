// AVX2 scores over F16 key blocks: kernels/key_block_tree.h with eight keys
// (half a block) per ymm. Sixteen ymm registers hold two queries' chains
// and partial sums at a time.
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/key_block_tree.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

struct Keys8 {
  using Reg = __m256;
  static constexpr int kKeys = 8;
  static constexpr int kQueries = 2;
  const uint8_t* b;
  Reg load(int64_t i) const {
    return _mm256_cvtph_ps(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i * kKeyBlock * 2)));
  }
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg add(Reg a, Reg c) { return _mm256_add_ps(a, c); }
  static Reg fma(Reg k, const float* x, Reg acc) {
    return _mm256_fmadd_ps(k, _mm256_broadcast_ss(x), acc);
  }
  static void store(float* out, Reg s, int64_t nk) {
    if (nk == kKeys) return _mm256_storeu_ps(out, s);
    alignas(32) float tmp[kKeys];
    _mm256_store_ps(tmp, s);
    std::memcpy(out, tmp, static_cast<size_t>(nk) * 4);
  }
  static void prefetch(const uint8_t* p, int64_t bytes) { prefetch_span(p, bytes); }
};

}  // namespace

void fill_avx2_key_blocks(KernelTable& t) { t.key_block_scores_f16 = key_block_scores_with<Keys8>; }

}  // namespace zhi
