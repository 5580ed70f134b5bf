#include "kernels/activation_quant.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/half.h"
#include "kernels/act_rows.h"

namespace zhi {
namespace {

// Round half to even; NaN becomes 0 and the result is clamped, so a broken
// input gives garbage numbers rather than undefined behaviour.
inline int round_to_int(float v) {
  if (!(v == v)) return 0;
  v = std::clamp(v, -1e6f, 1e6f);
  return static_cast<int>(std::nearbyint(v));
}

inline int8_t to_i8(int v) { return static_cast<int8_t>(std::clamp(v, -128, 127)); }

// One Q8_0 block of 32: returns the f32 d (before f16 rounding) and the sum of quants.
inline float quantize_block_q8(const float* x, int8_t* q, int* sum) {
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  // 127/amax rather than 1/d: the reference's x86 SIMD quantizer does this,
  // and the two differ in the last bit often enough to move ties.
  const float inv = amax != 0.0f ? 127.0f / amax : 0.0f;
  int s = 0;
  for (int j = 0; j < kQK; ++j) {
    q[j] = to_i8(round_to_int(x[j] * inv));
    s += q[j];
  }
  *sum = s;
  return d;
}

}  // namespace

GgmlType activation_partner(GgmlType w) {
  switch (w) {
    case GgmlType::kF16:
      return GgmlType::kF16;
    case GgmlType::kBF16:
      return GgmlType::kBF16;
    case GgmlType::kQ4_0:
    case GgmlType::kQ5_0:
    case GgmlType::kQ8_0:
    case GgmlType::kIQ4_NL:
      return GgmlType::kQ8_0;
    case GgmlType::kQ4_1:
    case GgmlType::kQ5_1:
      return GgmlType::kQ8_1;
    case GgmlType::kQ2_K:
    case GgmlType::kQ3_K:
    case GgmlType::kQ4_K:
    case GgmlType::kQ5_K:
    case GgmlType::kQ6_K:
    case GgmlType::kIQ4_XS:
      return GgmlType::kQ8_K;
    default:
      return GgmlType::kF32;
  }
}

void quantize_act_row_q8_0(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kQ8_0, row, 0, cols};
  int8_t* q = const_cast<int8_t*>(v.q(0));
  float* d = const_cast<float*>(v.d(0));
  for (int64_t b = 0; b < cols / kQK; ++b) {
    int sum;
    d[b] = f16_to_f32(f32_to_f16(quantize_block_q8(x + b * kQK, q + b * kQK, &sum)));
  }
}

void quantize_act_row_q8_1(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kQ8_1, row, 0, cols};
  int8_t* q = const_cast<int8_t*>(v.q(0));
  float* d = const_cast<float*>(v.d(0));
  float* s = const_cast<float*>(v.s(0));
  for (int64_t b = 0; b < cols / kQK; ++b) {
    int sum;
    const float df = quantize_block_q8(x + b * kQK, q + b * kQK, &sum);
    d[b] = f16_to_f32(f32_to_f16(df));
    s[b] = f16_to_f32(f32_to_f16(df * static_cast<float>(sum)));
  }
}

void quantize_act_row_q8_k(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kQ8_K, row, 0, cols};
  int8_t* q = const_cast<int8_t*>(v.q(0));
  float* d = const_cast<float*>(v.d(0));
  int16_t* bsums = const_cast<int16_t*>(v.bsums(0));
  for (int64_t b = 0; b < cols / kQK_K; ++b) {
    const float* xb = x + b * kQK_K;
    int8_t* qb = q + b * kQK_K;
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < kQK_K; ++j) {
      if (std::fabs(xb[j]) > amax) amax = std::fabs(xb[j]), max = xb[j];
    }
    if (amax == 0.0f) {
      d[b] = 0.0f;
      std::memset(qb, 0, kQK_K);
    } else {
      // The sign makes the extreme value land on -127 exactly and every
      // other value inside [-127, 127] after the clamp.
      const float iscale = -127.0f / max;
      for (int j = 0; j < kQK_K; ++j) qb[j] = to_i8(std::min(127, round_to_int(iscale * xb[j])));
      d[b] = 1.0f / iscale;
    }
    for (int g = 0; g < kQK_K / 16; ++g) {
      int s = 0;
      for (int j = 0; j < 16; ++j) s += qb[g * 16 + j];
      bsums[b * (kQK_K / 16) + g] = static_cast<int16_t>(s);
    }
  }
}

void quantize_act_row_f16(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kF16, row, 0, cols};
  uint16_t* h = const_cast<uint16_t*>(v.h(0));
  float* f = const_cast<float*>(v.f(0));
  for (int64_t i = 0; i < cols; ++i) {
    h[i] = f32_to_f16(x[i]);
    f[i] = f16_to_f32(h[i]);
  }
}

void quantize_act_row_bf16(const float* x, int64_t cols, uint8_t* row) {
  const ActView v{GgmlType::kBF16, row, 0, cols};
  uint16_t* h = const_cast<uint16_t*>(v.h(0));
  float* f = const_cast<float*>(v.f(0));
  for (int64_t i = 0; i < cols; ++i) {
    h[i] = f32_to_bf16(x[i]);
    f[i] = bf16_to_f32(h[i]);
  }
}

void quantize_act_row_f32(const float* x, int64_t cols, uint8_t* row) {
  std::memcpy(row, x, cols * sizeof(float));
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
    case GgmlType::kQ8_1:
    case GgmlType::kQ8_K: {
      const int64_t block = partner == GgmlType::kQ8_K ? kQK_K : kQK;
      alignas(kActAlign) uint8_t
          row[act_row_bytes(GgmlType::kQ8_K, kQK_K) + act_row_bytes(GgmlType::kQ8_1, kQK_K)];
      for (int64_t b = 0; b < n / block; ++b) {
        const ActView v{partner, row, 0, block};
        if (partner == GgmlType::kQ8_K) {
          quantize_act_row_q8_k(x + b * block, block, row);
        } else {
          quantize_act_row_q8_0(x + b * block, block, row);
        }
        for (int64_t j = 0; j < block; ++j) out[b * block + j] = v.d(0)[0] * v.q(0)[j];
      }
      return;
    }
    default:
      std::copy(x, x + n, out);
  }
}

void act_block_sums_q8_0(const int8_t* q, int64_t cols, int32_t* sums) {
  for (int64_t b = 0; b < cols / 32; ++b) {
    int32_t s = 0;
    for (int j = 0; j < 32; ++j) s += q[32 * b + j];
    sums[b] = s;
  }
}

void act_lane_offsets_q8_0(const int8_t* q, int64_t cols, int32_t* offsets) {
  for (int64_t i = 0; i < cols / 4; ++i)
    offsets[i] = -128 * (q[4 * i] + q[4 * i + 1] + q[4 * i + 2] + q[4 * i + 3]);
}

}  // namespace zhi
