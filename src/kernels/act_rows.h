// Activations of one matmul, quantized once to the weight type's partner
// format (see activation_quant.h), one row per token. Each row is laid out
// struct-of-arrays so SIMD kernels load quants and f32 scales directly,
// without unpacking 34-byte blocks or converting halves in the inner loop:
//
//   Q8_0: i8 q[cols] | f32 d[cols/32]                   d already rounded through f16
//   Q8_1: i8 q[cols] | f32 d[cols/32] | f32 s[cols/32]  s = fp16(d_f32 * sum q), as the reference
//   Q8_K: i8 q[cols] | f32 d[cols/256] | i16 bsums[cols/16]
//   F16, BF16: u16 h[cols] | f32 f[cols]   f = h widened exactly, so float kernels
//                                           load activations without converting
//   F32: f32 f[cols]
//
// Every section starts on a 64-byte boundary and rows are 64-byte aligned,
// so a zmm load of quants never splits a cache line.
#pragma once

#include <cstdint>

#include "quant/ggml_type.h"

namespace zhi {

inline constexpr int64_t kActAlign = 64;

constexpr int64_t act_align_up(int64_t n) { return (n + kActAlign - 1) / kActAlign * kActAlign; }

// Bytes of one activation row of `cols` values in `partner` format.
constexpr int64_t act_row_bytes(GgmlType partner, int64_t cols) {
  switch (partner) {
    case GgmlType::kQ8_0:
      return act_align_up(cols) + act_align_up(cols / 32 * 4);
    case GgmlType::kQ8_1:
      return act_align_up(cols) + 2 * act_align_up(cols / 32 * 4);
    case GgmlType::kQ8_K:
      return act_align_up(cols) + act_align_up(cols / 256 * 4) + act_align_up(cols / 16 * 2);
    case GgmlType::kF16:
    case GgmlType::kBF16:
      return act_align_up(cols * 2) + act_align_up(cols * 4);
    default:
      return act_align_up(cols * 4);
  }
}

// Rows of quantized activations: row t starts at data + t * stride.
struct ActView {
  GgmlType type = GgmlType::kF32;
  const uint8_t* data = nullptr;
  int64_t stride = 0;  // bytes
  int64_t cols = 0;
  // Q8_0 only, optional: the sum of each block's 32 quants, cols/32 per
  // token (token t at block_sums + t * cols/32). The batched kernels over
  // packed weights need it (their unsigned-code offset times it); it is
  // made once per matmul rather than once per task.
  const int32_t* block_sums = nullptr;
  // Q8_0 only, optional: -128 times the sum of each four quants, cols/4 per
  // token (token t at lane_offsets + t * cols/4). The AVX-512 prompt tile
  // over codes offset by 128 starts each vpdpbusd lane from it. Made once
  // per matmul: each task computing it for every token stalled on reading
  // the whole activation matrix again (13% of the tile's time).
  const int32_t* lane_offsets = nullptr;

  const uint8_t* row(int64_t t) const { return data + t * stride; }
  const int8_t* q(int64_t t) const { return reinterpret_cast<const int8_t*>(row(t)); }
  // Per-block scales: cols/32 for Q8_0/Q8_1, cols/256 for Q8_K.
  const float* d(int64_t t) const {
    return reinterpret_cast<const float*>(row(t) + act_align_up(cols));
  }
  // Q8_1 only: fp16-rounded d * sum(q) per 32-block.
  const float* s(int64_t t) const { return d(t) + act_align_up(cols / 32 * 4) / 4; }
  // Q8_K only: sums of each 16 quants.
  const int16_t* bsums(int64_t t) const {
    return reinterpret_cast<const int16_t*>(row(t) + act_align_up(cols) +
                                            act_align_up(cols / 256 * 4));
  }
  const uint16_t* h(int64_t t) const { return reinterpret_cast<const uint16_t*>(row(t)); }
  // F32 values (for F16/BF16, the widened copy of h).
  const float* f(int64_t t) const {
    const bool half = type == GgmlType::kF16 || type == GgmlType::kBF16;
    return reinterpret_cast<const float*>(row(t) + (half ? act_align_up(cols * 2) : 0));
  }
};

}  // namespace zhi
