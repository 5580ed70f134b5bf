// Per-family fillers of the x86 kernel tables (internal to kernels/x86/).
#pragma once

#include "kernels/kernel_table.h"

namespace zhi {

void fill_avx2_gemm(KernelTable& t);
void fill_avx2_quantize(KernelTable& t);
void fill_avx2_attention(KernelTable& t);
void fill_avx2_packed(KernelTable& t);
// The packed decode kernels with AVX-VNNI, over fill_avx2_packed's.
void fill_avxvnni_packed(KernelTable& t);
// The 32-element formats' row-layout kernels with AVX-VNNI, over fill_avx2_gemm's.
void fill_avxvnni_gemm(KernelTable& t);
void fill_avx2_softmax(KernelTable& t);
void fill_avx2_key_blocks(KernelTable& t);

void fill_avx512_legacy(KernelTable& t);
// Q5_0 decode has a GFNI kernel (Ice Lake, Zen 4; Cascade Lake has VNNI but
// not GFNI). `gfni` chooses, so the tests can run both where the CPU can.
void fill_avx512_packed(KernelTable& t, bool gfni);
void fill_avx512_blocksum_gemm(KernelTable& t);
void fill_avx512_packed_gemm(KernelTable& t);
void fill_avx512_packed_kquant_gemm(KernelTable& t);
void fill_avx512_softmax(KernelTable& t);
void fill_avx512_float(KernelTable& t);
void fill_avx512_key_blocks(KernelTable& t);
void fill_avx512_kquant(KernelTable& t);
void fill_avx512_gemm(KernelTable& t);
void fill_avx512_quantize(KernelTable& t);
void fill_avx512_attention(KernelTable& t);

}  // namespace zhi
