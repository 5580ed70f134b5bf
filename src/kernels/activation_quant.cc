#include "kernels/activation_quant.h"

#include <algorithm>
#include <cmath>

#include "core/half.h"

namespace zhi {

GgmlType activation_partner(GgmlType w) {
  switch (w) {
    case GgmlType::kF16: return GgmlType::kF16;
    case GgmlType::kBF16: return GgmlType::kBF16;
    case GgmlType::kQ4_0: case GgmlType::kQ5_0: case GgmlType::kQ8_0: case GgmlType::kIQ4_NL:
      return GgmlType::kQ8_0;
    case GgmlType::kQ4_1: case GgmlType::kQ5_1:
      return GgmlType::kQ8_1;
    case GgmlType::kQ2_K: case GgmlType::kQ3_K: case GgmlType::kQ4_K: case GgmlType::kQ5_K:
    case GgmlType::kQ6_K: case GgmlType::kIQ4_XS:
      return GgmlType::kQ8_K;
    default:
      return GgmlType::kF32;
  }
}

void quantize_activations_q8_0(const float* x, int64_t n, int8_t* q, float* d) {
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* xb = x + b * kQK;
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(xb[j]));
    const float scale = amax / 127.0f;
    // 127/amax rather than 1/scale: the reference's SIMD quantizer does this,
    // and the two differ in the last bit often enough to move ties.
    const float inv = amax != 0.0f ? 127.0f / amax : 0.0f;
    for (int j = 0; j < kQK; ++j) q[b * kQK + j] = static_cast<int8_t>(std::nearbyint(xb[j] * inv));
    d[b] = f16_to_f32(f32_to_f16(scale));
  }
}

void quantize_activations_q8_k(const float* x, int64_t n, int8_t* q, float* d) {
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const float* xb = x + b * kQK_K;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(xb[j]) > amax) amax = std::fabs(xb[j]), max = xb[j];
    }
    if (amax == 0.0f) {
      d[b] = 0.0f;
      std::fill(q + b * kQK_K, q + (b + 1) * kQK_K, 0);
      continue;
    }
    // The sign makes the extreme value map to -127... or +127 exactly, and
    // every other value land inside [-127, 127] after the clamp.
    const float iscale = -127.0f / max;
    for (int j = 0; j < kQK_K; ++j) {
      const int v = static_cast<int>(std::nearbyint(iscale * xb[j]));
      q[b * kQK_K + j] = static_cast<int8_t>(std::min(127, v));
    }
    d[b] = 1.0f / iscale;
  }
}

void round_activations_through(GgmlType partner, const float* x, int64_t n, float* out) {
  switch (partner) {
    case GgmlType::kF16:
      for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(f32_to_f16(x[i]));
      return;
    case GgmlType::kBF16:
      for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(f32_to_bf16(x[i]));
      return;
    case GgmlType::kQ8_0:
    case GgmlType::kQ8_1: {
      int8_t q[kQK];
      float d;
      for (int64_t b = 0; b < n / kQK; ++b) {
        quantize_activations_q8_0(x + b * kQK, kQK, q, &d);
        for (int j = 0; j < kQK; ++j) out[b * kQK + j] = d * q[j];
      }
      return;
    }
    case GgmlType::kQ8_K: {
      int8_t q[kQK_K];
      float d;
      for (int64_t b = 0; b < n / kQK_K; ++b) {
        quantize_activations_q8_k(x + b * kQK_K, kQK_K, q, &d);
        for (int j = 0; j < kQK_K; ++j) out[b * kQK_K + j] = d * q[j];
      }
      return;
    }
    default:
      std::copy(x, x + n, out);
  }
}

}  // namespace zhi
