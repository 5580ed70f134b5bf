// f32 -> f16 / bf16, round to nearest even (as the reference converts).
#include "core/half.h"
#include "quant/quantize_formats.h"

namespace zhi {

void quantize_row_f16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_f16(x[i]);
}

void quantize_row_bf16(const float* x, uint16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

}  // namespace zhi
