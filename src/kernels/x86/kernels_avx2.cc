// AVX2 + FMA + F16C kernel table.
#include "kernels/kernel_table.h"

namespace zhi {

void fill_avx2_kernels(KernelTable& t) { t.isa = Isa::kAvx2; }

}  // namespace zhi
