// AVX2 + FMA + F16C kernel table.
#include "core/cpu_features.h"
#include "kernels/kernel_table.h"
#include "kernels/x86/x86_kernels.h"

namespace zhi {

void fill_avx2_kernels(KernelTable& t) {
  t.isa = Isa::kAvx2;
  fill_avx2_gemm(t);
  fill_avx2_quantize(t);
  fill_avx2_attention(t);
  fill_avx2_packed(t);
  fill_avx2_softmax(t);
  fill_avx2_key_blocks(t);
  // Intel cores from Alder Lake on, and recent AMD ones, have AVX-VNNI
  // without AVX-512: the same results with a third of the integer work.
  if (cpu_features().avxvnni) {
    fill_avxvnni_gemm(t);
    fill_avxvnni_packed(t);
  }
}

}  // namespace zhi
