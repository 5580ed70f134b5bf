// Quantizers for the 32-element legacy formats Q4_0, Q4_1, Q5_0, Q5_1, Q8_0.
// Symmetric types take the scale from the element of largest magnitude (keeping
// its sign, so that element lands exactly on the end code); affine types span
// [min, max].
#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/half.h"
#include "quant/quant_math.h"
#include "quant/quantize_formats.h"
#include "quant/strict_fp.h"

namespace zhi {
namespace {

using quant_internal::trunc_clamp;

constexpr int kHalf = kQK / 2;

// Signed value of largest magnitude; the first one wins ties.
float signed_absmax(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void min_max(const float* x, int n, float* lo, float* hi) {
  *lo = FLT_MAX;
  *hi = -FLT_MAX;
  for (int j = 0; j < n; ++j) {
    if (x[j] < *lo) *lo = x[j];
    if (x[j] > *hi) *hi = x[j];
  }
}

void store_qh(uint8_t qh[4], uint32_t h) { std::memcpy(qh, &h, 4); }

}  // namespace

void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    const float d = signed_absmax(x, kQK) / -8;  // the extreme maps to code 0 (= -8)
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    for (int j = 0; j < kHalf; ++j) {
      const int q0 = trunc_clamp(x[j] * id + 8.5f, 15);
      const int q1 = trunc_clamp(x[j + kHalf] * id + 8.5f, 15);
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void quantize_row_q4_1(const float* x, BlockQ4_1* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    float lo, hi;
    min_max(x, kQK, &lo, &hi);
    const float d = (hi - lo) / 15;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    y[i].m = f32_to_f16(lo);
    for (int j = 0; j < kHalf; ++j) {
      const int q0 = trunc_clamp((x[j] - lo) * id + 0.5f, 15);
      const int q1 = trunc_clamp((x[j + kHalf] - lo) * id + 0.5f, 15);
      y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

void quantize_row_q5_0(const float* x, BlockQ5_0* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    const float d = signed_absmax(x, kQK) / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    uint32_t qh = 0;
    for (int j = 0; j < kHalf; ++j) {
      const int q0 = trunc_clamp(x[j] * id + 16.5f, 31);
      const int q1 = trunc_clamp(x[j + kHalf] * id + 16.5f, 31);
      y[i].qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
      qh |= static_cast<uint32_t>(q0 >> 4) << j;
      qh |= static_cast<uint32_t>(q1 >> 4) << (j + kHalf);
    }
    store_qh(y[i].qh, qh);
  }
}

void quantize_row_q5_1(const float* x, BlockQ5_1* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    float lo, hi;
    min_max(x, kQK, &lo, &hi);
    const float d = (hi - lo) / 31;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    y[i].m = f32_to_f16(lo);
    uint32_t qh = 0;
    for (int j = 0; j < kHalf; ++j) {
      // The reference does not clamp here: (max - min) * id + 0.5 < 32 always.
      // The low five bits are what it keeps, so clamping to 31 is equivalent.
      const int q0 = trunc_clamp((x[j] - lo) * id + 0.5f, 31);
      const int q1 = trunc_clamp((x[j + kHalf] - lo) * id + 0.5f, 31);
      y[i].qs[j] = static_cast<uint8_t>((q0 & 0x0F) | ((q1 & 0x0F) << 4));
      qh |= static_cast<uint32_t>(q0 >> 4) << j;
      qh |= static_cast<uint32_t>(q1 >> 4) << (j + kHalf);
    }
    store_qh(y[i].qh, qh);
  }
}

void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, x += kQK) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[i].d = f32_to_f16(d);
    for (int j = 0; j < kQK; ++j) {
      // Round half away from zero (roundf), unlike the K-quants.
      const float r = std::round(x[j] * id);
      y[i].qs[j] = static_cast<int8_t>(r > 127.0f ? 127.0f : (r < -127.0f ? -127.0f : r));
    }
  }
}

}  // namespace zhi
