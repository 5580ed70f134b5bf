// Activations meet each weight format through an 8-bit (or 16-bit) partner
// format, as in ggml: Q8_0 for 32-element blocks, Q8_1 where the weights
// carry a min, Q8_K (256-element super-blocks) for K-quants, F16/BF16 for
// half-precision weights. Quantizing activations this way, once per matmul,
// reproduces the reference engine's numerics; the integer dot kernels then
// compute exactly on the same quantized values.
#pragma once

#include <cstdint>

#include "quant/ggml_type.h"

namespace zhi {

// The activation format a weight format is dotted with.
GgmlType activation_partner(GgmlType weight_type);

// Quantizes n activations to `partner` and expands them back to f32, so a
// plain f32 dot product gives what an integer dot product on the partner
// blocks gives (up to float summation order). n must be a whole number of
// the partner's blocks.
void round_activations_through(GgmlType partner, const float* x, int64_t n, float* out);

// Scalar quantizers into the ActView row layout (act_rows.h); they define the
// bytes every ISA's quantizer must reproduce exactly.
//   Q8_0/Q8_1 (the SIMD reference path): amax = max|x|, d = amax/127 stored
//   through f16, q = round-half-even(x * (127/amax)); Q8_1 adds
//   s = fp16(d * sum q) with d still in f32.
//   Q8_K: max = the value of largest magnitude (first wins), iscale = -127/max,
//   q = min(127, round-half-even(iscale * x)), d = 1/iscale in f32, and bsums.
void quantize_act_row_q8_0(const float* x, int64_t cols, uint8_t* row);
void quantize_act_row_q8_1(const float* x, int64_t cols, uint8_t* row);
void quantize_act_row_q8_k(const float* x, int64_t cols, uint8_t* row);
void quantize_act_row_f16(const float* x, int64_t cols, uint8_t* row);
void quantize_act_row_bf16(const float* x, int64_t cols, uint8_t* row);
void quantize_act_row_f32(const float* x, int64_t cols, uint8_t* row);

// The sum of each 32 quants of a Q8_0 row (ActView::block_sums).
void act_block_sums_q8_0(const int8_t* q, int64_t cols, int32_t* sums);

// -128 times the sum of each four quants of a Q8_0 row (ActView::lane_offsets).
void act_lane_offsets_q8_0(const int8_t* q, int64_t cols, int32_t* offsets);

}  // namespace zhi
