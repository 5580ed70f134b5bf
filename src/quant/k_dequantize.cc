// Dequantizers for the 256-element K-quant super-blocks Q2_K..Q6_K and Q8_K.
#include <cstring>

#include "core/half.h"
#include "quant/dequantize_formats.h"
#include "quant/strict_fp.h"

namespace zhi {

void dequantize_row_q2_k(const BlockQ2_K* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(x[i].d);
    const float dmin = f16_to_f32(x[i].dmin);
    const uint8_t* q = x[i].qs;
    int group = 0;
    // Two halves of 128 elements, 32 bytes of qs each; each 2-bit plane
    // (shift) yields 32 elements = two groups of 16.
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int sub = 0; sub < 2; ++sub, ++group) {
          const uint8_t sc = x[i].scales[group];
          const float dl = d * static_cast<float>(sc & 0x0F);
          const float ml = dmin * static_cast<float>(sc >> 4);
          for (int l = 0; l < 16; ++l) {
            const int v = (q[l + 16 * sub] >> shift) & 3;
            *y++ = dl * static_cast<float>(v) - ml;
          }
        }
      }
    }
  }
}

namespace {

// Q3_K: sixteen 6-bit scales from 12 bytes, returned unbiased (s - 32).
void unpack_q3_k_scales(const uint8_t packed[12], int8_t out[16]) {
  uint32_t a[3];
  std::memcpy(a, packed, 12);
  const uint32_t s[4] = {
      (a[0] & 0x0f0f0f0fu) | (((a[2] >> 0) & 0x03030303u) << 4),
      (a[1] & 0x0f0f0f0fu) | (((a[2] >> 2) & 0x03030303u) << 4),
      ((a[0] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 4) & 0x03030303u) << 4),
      ((a[1] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 6) & 0x03030303u) << 4),
  };
  for (int k = 0; k < 4; ++k) {
    for (int b = 0; b < 4; ++b) {
      out[4 * k + b] = static_cast<int8_t>(static_cast<int>((s[k] >> (8 * b)) & 0xFF) - 32);
    }
  }
}

}  // namespace

void dequantize_row_q3_k(const BlockQ3_K* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d_all = f16_to_f32(x[i].d);
    int8_t scales[16];
    unpack_q3_k_scales(x[i].scales, scales);
    const uint8_t* q = x[i].qs;
    const uint8_t* hm = x[i].hmask;
    uint8_t m = 1;  // hmask bit for the current 32-element step
    int group = 0;
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2, m = static_cast<uint8_t>(m << 1)) {
        for (int sub = 0; sub < 2; ++sub, ++group) {
          const float dl = d_all * static_cast<float>(scales[group]);
          for (int l = 0; l < 16; ++l) {
            const int idx = l + 16 * sub;
            const int v = ((q[idx] >> shift) & 3) - ((hm[idx] & m) ? 0 : 4);
            *y++ = dl * static_cast<float>(v);
          }
        }
      }
    }
  }
}

void dequantize_row_q4_k(const BlockQ4_K* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(x[i].d);
    const float dmin = f16_to_f32(x[i].dmin);
    const uint8_t* q = x[i].qs;
    // Four chunks of 64: 32 low nibbles (group 2c), then 32 high nibbles (group 2c+1).
    for (int c = 0; c < 4; ++c, q += 32) {
      uint8_t sc, mn;
      get_scale_min_k4(2 * c, x[i].scales, &sc, &mn);
      const float d1 = d * static_cast<float>(sc);
      const float m1 = dmin * static_cast<float>(mn);
      get_scale_min_k4(2 * c + 1, x[i].scales, &sc, &mn);
      const float d2 = d * static_cast<float>(sc);
      const float m2 = dmin * static_cast<float>(mn);
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0x0F) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void dequantize_row_q5_k(const BlockQ5_K* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(x[i].d);
    const float dmin = f16_to_f32(x[i].dmin);
    const uint8_t* ql = x[i].qs;
    const uint8_t* qh = x[i].qh;
    for (int c = 0; c < 4; ++c, ql += 32) {
      const uint8_t bit_lo = static_cast<uint8_t>(1u << (2 * c));
      const uint8_t bit_hi = static_cast<uint8_t>(1u << (2 * c + 1));
      uint8_t sc, mn;
      get_scale_min_k4(2 * c, x[i].scales, &sc, &mn);
      const float d1 = d * static_cast<float>(sc);
      const float m1 = dmin * static_cast<float>(mn);
      get_scale_min_k4(2 * c + 1, x[i].scales, &sc, &mn);
      const float d2 = d * static_cast<float>(sc);
      const float m2 = dmin * static_cast<float>(mn);
      for (int l = 0; l < 32; ++l) {
        const int v = (ql[l] & 0x0F) + ((qh[l] & bit_lo) ? 16 : 0);
        *y++ = d1 * static_cast<float>(v) - m1;
      }
      for (int l = 0; l < 32; ++l) {
        const int v = (ql[l] >> 4) + ((qh[l] & bit_hi) ? 16 : 0);
        *y++ = d2 * static_cast<float>(v) - m2;
      }
    }
  }
}

void dequantize_row_q6_k(const BlockQ6_K* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(x[i].d);
    const uint8_t* ql = x[i].ql;
    const uint8_t* qh = x[i].qh;
    const int8_t* sc = x[i].scales;
    // Two halves of 128: 64 bytes of ql, 32 of qh and 8 scales each.
    for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int v0 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int v1 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int v2 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int v3 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        // (d * scale) first, then * v: the reference's evaluation order.
        y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(v0);
        y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(v1);
        y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(v2);
        y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(v3);
      }
    }
  }
}

void dequantize_row_q8_k(const BlockQ8_K* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i, y += kQK_K) {
    for (int j = 0; j < kQK_K; ++j) y[j] = x[i].d * static_cast<float>(x[i].qs[j]);
  }
}

}  // namespace zhi
