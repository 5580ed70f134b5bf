// Quantizers for IQ4_NL (one 32-element block) and IQ4_XS (eight 32-element
// groups under one f16 scale), as the reference file quantizer runs them:
// x²-weighted least squares over the non-linear codebook, trying 15 scales.
#include <cmath>
#include <cstring>

#include "core/half.h"
#include "quant/quant_math.h"
#include "quant/quantize_formats.h"
#include "quant/strict_fp.h"

namespace zhi {
namespace {

using quant_internal::clamp_int;
using quant_internal::nearest_int;

constexpr float kGroupMaxEps = 1e-15f;
constexpr int kTries = 7;  // scales tried: (t - 127)/max for t in [-7, 7]

// Index of the codebook value nearest to v; an exact midpoint goes up.
// Compares 2v with the sum of neighbours so the midpoints are exact.
int best_index(float v) {
  const float v2 = v + v;
  int idx = 0;
  for (int step = 8; step > 0; step >>= 1) {
    const int j = idx + step;
    if (v2 >= static_cast<float>(kIq4nlValues[j - 1] + kIq4nlValues[j])) idx = j;
  }
  return idx;
}

// Best scale for one group of 32 (codes written to L). 0 for an all-zero group.
float fit_group(const float* x, const float* weight, uint8_t* L) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < 32; ++j) {
    const float ax = std::fabs(x[j]);
    if (ax > amax) {
      amax = ax;
      max = x[j];
    }
  }
  if (amax < kGroupMaxEps) {
    std::memset(L, 0, 32);
    return 0.0f;
  }
  const float v0 = static_cast<float>(kIq4nlValues[0]);  // -127
  float d = -max / v0;
  float id = 1 / d;
  float sumqx = 0.0f, sumq2 = 0.0f;
  for (int j = 0; j < 32; ++j) {
    const int l = best_index(id * x[j]);
    L[j] = static_cast<uint8_t>(l);
    const float q = static_cast<float>(kIq4nlValues[l]);
    sumqx += weight[j] * q * x[j];
    sumq2 += weight[j] * q * q;
  }
  d = sumq2 > 0 ? sumqx / sumq2 : 0.0f;
  float best = d * sumqx;
  for (int itry = -kTries; itry <= kTries; ++itry) {
    id = static_cast<float>(itry + kIq4nlValues[0]) / max;
    sumqx = sumq2 = 0.0f;
    for (int j = 0; j < 32; ++j) {
      const float q = static_cast<float>(kIq4nlValues[best_index(id * x[j])]);
      sumqx += weight[j] * q * x[j];
      sumq2 += weight[j] * q * q;
    }
    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
      d = sumqx / sumq2;
      best = d * sumqx;
    }
  }
  return d;
}

void pack_nibbles(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < 16; ++j) qs[j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
}

}  // namespace

void quantize_row_iq4_nl(const float* x, BlockIq4Nl* y, int64_t n) {
  float weight[32];
  uint8_t L[32];
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    for (int j = 0; j < 32; ++j) weight[j] = x[j] * x[j];
    const float d = fit_group(x, weight, L);
    y[i].d = f32_to_f16(d);
    // Requantize against the unrounded scale, as the reference does.
    const float id = d != 0.0f ? 1 / d : 0.0f;
    for (int j = 0; j < 32; ++j) L[j] = static_cast<uint8_t>(best_index(id * x[j]));
    pack_nibbles(L, y[i].qs);
  }
}

void quantize_row_iq4_xs(const float* x, BlockIq4Xs* y, int64_t n) {
  float weight[32];
  float scales[kQK_K / 32];
  uint8_t L[kQK_K];
  for (int64_t i = 0; i < n / kQK_K; ++i, x += kQK_K) {
    float max_scale = 0.0f, amax_scale = 0.0f;
    for (int ib = 0; ib < kQK_K / 32; ++ib) {
      const float* xb = x + 32 * ib;
      for (int j = 0; j < 32; ++j) weight[j] = xb[j] * xb[j];
      scales[ib] = fit_group(xb, weight, L + 32 * ib);
      if (std::fabs(scales[ib]) > amax_scale) {
        amax_scale = std::fabs(scales[ib]);
        max_scale = scales[ib];
      }
    }
    // Group scales become 6-bit signed multiples of d; the largest maps to -32.
    const float d = -max_scale / 32;
    y[i].d = f32_to_f16(d);
    const float id = d != 0.0f ? 1 / d : 0.0f;
    y[i].scales_h = 0;
    std::memset(y[i].scales_l, 0, sizeof(y[i].scales_l));
    for (int ib = 0; ib < kQK_K / 32; ++ib) {
      const int l = clamp_int(nearest_int(id * scales[ib]), -32, 31);
      const float dl = d * static_cast<float>(l);
      const float idl = dl != 0.0f ? 1 / dl : 0.0f;
      for (int j = 0; j < 32; ++j) L[32 * ib + j] = static_cast<uint8_t>(best_index(idl * x[32 * ib + j]));
      const int biased = l + 32;
      y[i].scales_l[ib / 2] = static_cast<uint8_t>(y[i].scales_l[ib / 2] | ((biased & 0xF) << (4 * (ib % 2))));
      y[i].scales_h = static_cast<uint16_t>(y[i].scales_h | ((biased >> 4) << (2 * ib)));
    }
    for (int ib = 0; ib < kQK_K / 32; ++ib) pack_nibbles(L + 32 * ib, y[i].qs + 16 * ib);
  }
}

}  // namespace zhi
