// Dequantizers for the 32-element legacy formats Q4_0, Q4_1, Q5_0, Q5_1, Q8_0.
#include <cstring>

#include "core/half.h"
#include "quant/dequantize_formats.h"
#include "quant/strict_fp.h"

namespace zhi {
namespace {

constexpr int kHalf = kQK / 2;  // elements j and j+16 share byte qs[j]

uint32_t load_qh(const uint8_t qh[4]) {
  uint32_t h;
  std::memcpy(&h, qh, 4);
  return h;
}

}  // namespace

void dequantize_row_q4_0(const BlockQ4_0* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kHalf; ++j) {
      const int v0 = (x[i].qs[j] & 0x0F) - 8;
      const int v1 = (x[i].qs[j] >> 4) - 8;
      y[j] = static_cast<float>(v0) * d;
      y[j + kHalf] = static_cast<float>(v1) * d;
    }
  }
}

void dequantize_row_q4_1(const BlockQ4_1* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    const float m = f16_to_f32(x[i].m);
    for (int j = 0; j < kHalf; ++j) {
      const int v0 = x[i].qs[j] & 0x0F;
      const int v1 = x[i].qs[j] >> 4;
      y[j] = static_cast<float>(v0) * d + m;
      y[j + kHalf] = static_cast<float>(v1) * d + m;
    }
  }
}

void dequantize_row_q5_0(const BlockQ5_0* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    const uint32_t h = load_qh(x[i].qh);
    for (int j = 0; j < kHalf; ++j) {
      const int hi0 = static_cast<int>((h >> j) & 1) << 4;
      const int hi1 = static_cast<int>((h >> (j + kHalf)) & 1) << 4;
      const int v0 = ((x[i].qs[j] & 0x0F) | hi0) - 16;
      const int v1 = ((x[i].qs[j] >> 4) | hi1) - 16;
      y[j] = static_cast<float>(v0) * d;
      y[j + kHalf] = static_cast<float>(v1) * d;
    }
  }
}

void dequantize_row_q5_1(const BlockQ5_1* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    const float m = f16_to_f32(x[i].m);
    const uint32_t h = load_qh(x[i].qh);
    for (int j = 0; j < kHalf; ++j) {
      const int hi0 = static_cast<int>((h >> j) & 1) << 4;
      const int hi1 = static_cast<int>((h >> (j + kHalf)) & 1) << 4;
      const int v0 = (x[i].qs[j] & 0x0F) | hi0;
      const int v1 = (x[i].qs[j] >> 4) | hi1;
      y[j] = static_cast<float>(v0) * d + m;
      y[j + kHalf] = static_cast<float>(v1) * d + m;
    }
  }
}

void dequantize_row_q8_0(const BlockQ8_0* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[i].qs[j]) * d;
  }
}

}  // namespace zhi
