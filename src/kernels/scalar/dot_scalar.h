// Scalar twins: one integer dot product per weight format against its
// quantized activation partner. They define the numbers the SIMD kernels are
// tested against, and follow the reference engine's semantics: each block's
// (or super-block's) integer sum is exact, then it is scaled by
// d_weight * d_activation in f32 and accumulated in f32; formats with a min
// add m * s (Q8_1) or subtract dmin * sum(min * bsum) (K-quants).
#pragma once

#include <cstdint>

#include "kernels/act_rows.h"

namespace zhi::scalar {

// dot(weight row w, activation row t of x) over x.cols values.
using VecDotFn = float (*)(const uint8_t* w, const ActView& x, int64_t t);

float vec_dot_q4_0(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q4_1(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q5_0(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q5_1(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q8_0(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_iq4_nl(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q2_k(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q3_k(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q4_k(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q5_k(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_q6_k(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_iq4_xs(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_f16(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_bf16(const uint8_t* w, const ActView& x, int64_t t);
float vec_dot_f32(const uint8_t* w, const ActView& x, int64_t t);

// The scalar twin of a weight type, or nullptr if it has none.
VecDotFn vec_dot_for(uint32_t type_id);

// The twins of the batched kernels over packed weights (GemmPackedFn) for
// the 32-element formats that have one (Q8_0, Q4_0, Q5_0), else nullptr.
// Each block's integer sum is exact and is folded into a single f32
// accumulator with one FMA by d_w * d_x (lanes.h, BlockSum), where
// vec_dot_for keeps eight lanes. The two agree to rounding, not to the bit.
float blocksum_dot_q4_0(const uint8_t* w, const ActView& x, int64_t t);
float blocksum_dot_q5_0(const uint8_t* w, const ActView& x, int64_t t);
float blocksum_dot_q8_0(const uint8_t* w, const ActView& x, int64_t t);
VecDotFn blocksum_dot_for(uint32_t type_id);

}  // namespace zhi::scalar
