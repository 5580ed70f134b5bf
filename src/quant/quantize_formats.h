// Per-format reference quantizers, f32 in. They follow the reference
// implementation's no-importance-matrix path step for step (same search, same
// float evaluation order, same round-half-to-even helper) so that quantizing
// the same f32 weights reproduces published files byte for byte.
// n is a whole number of blocks of the format.
#pragma once

#include <cstdint>

#include "quant/block_formats.h"

namespace zhi {

// Plain types (plain_quantize.cc). Both round to nearest even.
void quantize_row_f16(const float* x, uint16_t* y, int64_t n);
void quantize_row_bf16(const float* x, uint16_t* y, int64_t n);

// Legacy 32-element blocks (legacy_quantize.cc).
void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n);
void quantize_row_q4_1(const float* x, BlockQ4_1* y, int64_t n);
void quantize_row_q5_0(const float* x, BlockQ5_0* y, int64_t n);
void quantize_row_q5_1(const float* x, BlockQ5_1* y, int64_t n);
void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n);

// K-quant 256-element super-blocks (k_quantize.cc).
void quantize_row_q2_k(const float* x, BlockQ2_K* y, int64_t n);
void quantize_row_q3_k(const float* x, BlockQ3_K* y, int64_t n);
void quantize_row_q4_k(const float* x, BlockQ4_K* y, int64_t n);
void quantize_row_q5_k(const float* x, BlockQ5_K* y, int64_t n);
void quantize_row_q6_k(const float* x, BlockQ6_K* y, int64_t n);
// Activation quantizer: symmetric 8-bit with per-16 sums (bsums).
void quantize_row_q8_k(const float* x, BlockQ8_K* y, int64_t n);

// Non-linear codebook formats (iq4_quantize.cc).
void quantize_row_iq4_nl(const float* x, BlockIq4Nl* y, int64_t n);
void quantize_row_iq4_xs(const float* x, BlockIq4Xs* y, int64_t n);

}  // namespace zhi
