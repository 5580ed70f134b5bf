// AVX-512 (F/BW/VL/DQ) + VNNI kernel table. Starts from the AVX2 table and
// overrides what it speeds up.
#include "kernels/kernel_table.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {

void fill_avx512_kernels(KernelTable& t) {
  t.isa = Isa::kAvx512;
  fill_avx512_legacy(t);
  fill_avx512_packed(t, cpu_features().gfni);
  fill_avx512_blocksum_gemm(t);
  fill_avx512_packed_gemm(t);
  fill_avx512_packed_kquant_gemm(t);
  fill_avx512_softmax(t);
  fill_avx512_float(t);
  fill_avx512_key_blocks(t);
  fill_avx512_kquant(t);
}

}  // namespace zhi
