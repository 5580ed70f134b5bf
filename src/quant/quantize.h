// f32 -> block formats. Used by `zhi quantize` and `zhi make-model`.
#pragma once

#include <cstdint>

#include "quant/ggml_type.h"

namespace zhi {

// Packs n elements (a whole number of blocks) from src into dst, which holds
// row_size_bytes(type, n) bytes.
Status quantize_row(GgmlType type, const float* src, void* dst, int64_t n);

bool can_quantize(GgmlType type);

}  // namespace zhi
