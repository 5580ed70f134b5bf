// AVX-512 scores over F16 key blocks: kernels/key_block_tree.h with the
// sixteen keys of a block in one zmm, four queries sharing each K load
// (20 of the 32 zmm live at most). 35 cycles per key for a decode group of
// seven queries over warm keys, against 62 for the F16 GemmFn over rows.
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/key_block_tree.h"
#include "kernels/x86/avx2_util.h"
#include "kernels/x86/avx512_intrinsics.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {
namespace {

// Element rows converted as they are used: each group of four queries
// converts them again. (Converting a block once into an f32 scratch for
// all queries was slower: 4 KB of stores per block, 63 against 35 cycles
// per key with seven queries.)
struct Keys16 {
  using Reg = __m512;
  static constexpr int kKeys = 16;
  static constexpr int kQueries = 4;
  const uint8_t* b;
  Reg load(int64_t i) const {
    return _mm512_cvtph_ps(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i * kKeyBlock * 2)));
  }
  // The zeroing idiom, which the CPU renames without executing; a setzero
  // would be one register the compiler copies into each chain.
  static Reg zero() {
    Reg z;
    asm("vpxord %0, %0, %0" : "=v"(z));
    return z;
  }
  static Reg add(Reg a, Reg c) { return _mm512_add_ps(a, c); }
  // _mm512_fmadd_ps(k, _mm512_set1_ps(*x), acc) with the broadcast inside
  // the FMA. Written out because GCC, given the intrinsics, hoists the
  // broadcasts into registers and reads K from memory per FMA instead, and
  // spills: 60 cycles per key rather than 38.
  static Reg fma(Reg k, const float* x, Reg acc) {
    asm("vfmadd231ps %[x]%{1to16%}, %[k], %[acc]" : [acc] "+v"(acc) : [k] "v"(k), [x] "m"(*x));
    return acc;
  }
  static void store(float* out, Reg s, int64_t nk) {
    _mm512_mask_storeu_ps(out, static_cast<__mmask16>((1u << nk) - 1), s);
  }
  static void prefetch(const uint8_t* p, int64_t bytes) { prefetch_span(p, bytes); }
};

}  // namespace

void fill_avx512_key_blocks(KernelTable& t) {
  t.key_block_scores_f16 = key_block_scores_with<Keys16>;
}

}  // namespace zhi
