// Activations meet each weight format through an 8-bit (or 16-bit) partner
// format, as in ggml: Q8_0 for 32-element blocks, Q8_1 where the weights
// carry a min, Q8_K (256-element super-blocks) for K-quants, F16/BF16 for
// half-precision weights. Rounding activations this way reproduces the
// reference engine's numerics; the int8 SIMD kernels compute on the same
// quantized values.
#pragma once

#include <cstdint>

#include "quant/ggml_type.h"

namespace zhi {

// The activation format a weight format is dotted with.
GgmlType activation_partner(GgmlType weight_type);

// Quantizes n activations to `partner` and expands them back to f32, so a
// plain f32 dot product gives what an integer dot product on the partner
// blocks gives. n must be a whole number of the partner's blocks.
void round_activations_through(GgmlType partner, const float* x, int64_t n, float* out);

// Q8_0 activation block quantization: d = max|x| / 127 (stored as f16),
// q = round(x / d). Written to `q` (n int8) and `d` (n/32 f32 scales, already
// rounded through f16).
void quantize_activations_q8_0(const float* x, int64_t n, int8_t* q, float* d);
// Q8_K: per 256, d = -max/127 in f32 where max is the value of largest magnitude.
void quantize_activations_q8_k(const float* x, int64_t n, int8_t* q, float* d);

}  // namespace zhi
