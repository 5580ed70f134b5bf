// AVX-512 (F/BW/VL/DQ) + VNNI kernel table.
#include "kernels/kernel_table.h"

namespace zhi {

void fill_avx512_kernels(KernelTable& t) { t.isa = Isa::kAvx512; }

}  // namespace zhi
