// Dequantizers for the non-linear 4-bit formats IQ4_NL (32) and IQ4_XS (256).
#include "core/half.h"
#include "quant/dequantize_formats.h"
#include "quant/strict_fp.h"

namespace zhi {

void dequantize_row_iq4_nl(const BlockIq4Nl* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK; ++i, y += kQK) {
    const float d = f16_to_f32(x[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = d * static_cast<float>(kIq4nlValues[x[i].qs[j] & 0x0F]);
      y[j + kQK / 2] = d * static_cast<float>(kIq4nlValues[x[i].qs[j] >> 4]);
    }
  }
}

void dequantize_row_iq4_xs(const BlockIq4Xs* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const float d = f16_to_f32(x[i].d);
    const uint8_t* qs = x[i].qs;
    for (int b = 0; b < kQK_K / 32; ++b, qs += 16, y += 32) {
      const int ls = ((x[i].scales_l[b / 2] >> (4 * (b % 2))) & 0x0F) |
                     (((x[i].scales_h >> (2 * b)) & 3) << 4);
      const float dl = d * static_cast<float>(ls - 32);
      for (int j = 0; j < 16; ++j) {
        y[j] = dl * static_cast<float>(kIq4nlValues[qs[j] & 0x0F]);
        y[j + 16] = dl * static_cast<float>(kIq4nlValues[qs[j] >> 4]);
      }
    }
  }
}

}  // namespace zhi
