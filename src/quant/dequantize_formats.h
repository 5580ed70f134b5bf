// Per-format reference dequantizers, f32 out. Scalar and plain on purpose: they
// define the numbers every SIMD kernel is tested against. The arithmetic order
// follows the reference implementation so results match it bit for bit.
// n is a whole number of blocks of the format.
#pragma once

#include <cstdint>

#include "quant/block_formats.h"

namespace zhi {

// Plain types.
void dequantize_row_f16(const uint16_t* x, float* y, int64_t n);
void dequantize_row_bf16(const uint16_t* x, float* y, int64_t n);

// Legacy 32-element blocks (legacy_dequantize.cc).
void dequantize_row_q4_0(const BlockQ4_0* x, float* y, int64_t n);
void dequantize_row_q4_1(const BlockQ4_1* x, float* y, int64_t n);
void dequantize_row_q5_0(const BlockQ5_0* x, float* y, int64_t n);
void dequantize_row_q5_1(const BlockQ5_1* x, float* y, int64_t n);
void dequantize_row_q8_0(const BlockQ8_0* x, float* y, int64_t n);

// K-quant 256-element super-blocks (k_dequantize.cc).
void dequantize_row_q2_k(const BlockQ2_K* x, float* y, int64_t n);
void dequantize_row_q3_k(const BlockQ3_K* x, float* y, int64_t n);
void dequantize_row_q4_k(const BlockQ4_K* x, float* y, int64_t n);
void dequantize_row_q5_k(const BlockQ5_K* x, float* y, int64_t n);
void dequantize_row_q6_k(const BlockQ6_K* x, float* y, int64_t n);
void dequantize_row_q8_k(const BlockQ8_K* x, float* y, int64_t n);

// Non-linear codebook formats (iq4_dequantize.cc).
void dequantize_row_iq4_nl(const BlockIq4Nl* x, float* y, int64_t n);
void dequantize_row_iq4_xs(const BlockIq4Xs* x, float* y, int64_t n);

}  // namespace zhi
