// Scale searches behind the K-quant (and IQ4) quantizers: given a group of
// values, choose a scale (and for affine types a min) and integer codes L.
// Each mirrors a reference routine of the same purpose, including its float
// evaluation order, because the chosen codes must match the reference's.
#pragma once

#include <cstdint>

namespace zhi::quant_internal {

// Symmetric codes in [-nmax, nmax-1], stored offset by nmax (0..2·nmax-1).
// Starts from the scale that maps the signed extreme to -nmax, then tries 18
// nearby scales and keeps the one with the best weighted least-squares fit
// (weights x², or qw when given). Returns the scale; rmse_type 0 skips the
// search and returns the starting scale. (Reference: make_qx_quants.)
float make_qx_quants(int n, int nmax, const float* x, int8_t* L, int rmse_type, const float* qw);

// Q3_K's variant: start as above, then up to 5 rounds of per-element
// coordinate descent on the x²-weighted error. Codes offset by nmax.
// (Reference: make_q3_quants.)
float make_q3_quants(int n, int nmax, const float* x, int8_t* L, bool do_rmse);

// Affine codes in [0, nmax] with x ≈ scale·L - min (min >= 0 returned in
// *the_min). Grid search over nstep+1 scales around nmax/(max-min), each with a
// closed-form weighted least-squares refit of scale and min; the error is
// weighted absolute (use_mad) or squared. (Reference: make_qkx2_quants.)
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* the_min,
                       uint8_t* Laux, float rmin, float rdelta, int nstep, bool use_mad);

}  // namespace zhi::quant_internal
