// Block formats -> f32, bit-exact per ../shared/formats.md.
#pragma once

#include <cstdint>

#include "quant/ggml_type.h"

namespace zhi {

// Expands n elements (a whole number of blocks of `type`) from src into dst.
// Preconditions are the caller's (the GGUF reader validated sizes); a type
// without a dequantizer is a programming error reported via Status.
Status dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

// True for every type a model file may hold that dequantize_row supports.
bool can_dequantize(GgmlType type);

}  // namespace zhi
