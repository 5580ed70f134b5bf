// The scalar kernel table: every weight format, every activation partner,
// every KV cache type. Other ISAs start from it and override what they speed up.
#include <cmath>
#include <cstring>

#include "core/half.h"
#include "kernels/activation_quant.h"
#include "kernels/kernel_table.h"
#include "kernels/key_blocks.h"
#include "kernels/scalar/dot_scalar.h"
#include "kernels/scalar/lanes.h"
#include "kernels/scalar/softmax_scalar.h"
#include "quant/block_formats.h"
#include "quant/dequantize_formats.h"

namespace zhi {
namespace {

template <scalar::VecDotFn kDot>
void gemm_scalar(const uint8_t* w, int64_t w_stride, int64_t nr, const ActView& x, int64_t nt, float* out,
                 int64_t ldo) {
  for (int64_t r = 0; r < nr; ++r)
    for (int64_t t = 0; t < nt; ++t) out[t * ldo + r] = kDot(w + r * w_stride, x, t);
}

void attn_accum_f16(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd, float* out) {
  for (int64_t j = 0; j < n; ++j) {
    const uint16_t* row = reinterpret_cast<const uint16_t*>(v + j * stride);
    for (int64_t i = 0; i < hd; ++i) out[i] = std::fma(p[j], f16_to_f32(row[i]), out[i]);
  }
}

void attn_accum_f32(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd, float* out) {
  for (int64_t j = 0; j < n; ++j) {
    const float* row = reinterpret_cast<const float*>(v + j * stride);
    for (int64_t i = 0; i < hd; ++i) out[i] = std::fma(p[j], row[i], out[i]);
  }
}

void attn_accum_q8_0(const float* p, const uint8_t* v, int64_t stride, int64_t n, int64_t hd, float* out) {
  for (int64_t j = 0; j < n; ++j) {
    const BlockQ8_0* b = reinterpret_cast<const BlockQ8_0*>(v + j * stride);
    for (int64_t i = 0; i < hd; ++i)
      out[i] = std::fma(p[j], f16_to_f32(b[i / kQK].d) * static_cast<float>(b[i / kQK].qs[i % kQK]), out[i]);
  }
}

// vec_dot_f16's arithmetic, reading key j's elements from the blocks.
void key_block_scores_f16(const uint8_t* blocks, int64_t n, const ActView& q, int64_t nq,
                          float* out, int64_t ldo) {
  const int64_t hd = q.cols;
  for (int64_t j = 0; j < n; ++j) {
    const uint16_t* key = reinterpret_cast<const uint16_t*>(blocks + key_block_offset(j, 0, hd));
    for (int64_t t = 0; t < nq; ++t) {
      const float* x = q.f(t);
      out[t * ldo + j] = scalar::float_dot(
          hd, [key](int64_t i) { return f16_to_f32(key[i * kKeyBlock]); },
          [x](int64_t i) { return x[i]; });
    }
  }
}

void round_f16(float* p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) p[i] = f16_to_f32(f32_to_f16(p[i]));
}

template <GgmlType kType, scalar::VecDotFn kDot>
void set_gemm(KernelTable& t) {
  t.gemm[static_cast<uint32_t>(kType)] = gemm_scalar<kDot>;
}

}  // namespace

void fill_scalar_kernels(KernelTable& t) {
  t.isa = Isa::kScalar;
  set_gemm<GgmlType::kF32, scalar::vec_dot_f32>(t);
  set_gemm<GgmlType::kF16, scalar::vec_dot_f16>(t);
  set_gemm<GgmlType::kBF16, scalar::vec_dot_bf16>(t);
  set_gemm<GgmlType::kQ4_0, scalar::vec_dot_q4_0>(t);
  set_gemm<GgmlType::kQ4_1, scalar::vec_dot_q4_1>(t);
  set_gemm<GgmlType::kQ5_0, scalar::vec_dot_q5_0>(t);
  set_gemm<GgmlType::kQ5_1, scalar::vec_dot_q5_1>(t);
  set_gemm<GgmlType::kQ8_0, scalar::vec_dot_q8_0>(t);
  set_gemm<GgmlType::kIQ4_NL, scalar::vec_dot_iq4_nl>(t);
  set_gemm<GgmlType::kQ2_K, scalar::vec_dot_q2_k>(t);
  set_gemm<GgmlType::kQ3_K, scalar::vec_dot_q3_k>(t);
  set_gemm<GgmlType::kQ4_K, scalar::vec_dot_q4_k>(t);
  set_gemm<GgmlType::kQ5_K, scalar::vec_dot_q5_k>(t);
  set_gemm<GgmlType::kQ6_K, scalar::vec_dot_q6_k>(t);
  set_gemm<GgmlType::kIQ4_XS, scalar::vec_dot_iq4_xs>(t);

  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_0)] = quantize_act_row_q8_0;
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_1)] = quantize_act_row_q8_1;
  t.quantize[static_cast<uint32_t>(GgmlType::kQ8_K)] = quantize_act_row_q8_k;
  t.quantize[static_cast<uint32_t>(GgmlType::kF16)] = quantize_act_row_f16;
  t.quantize[static_cast<uint32_t>(GgmlType::kBF16)] = quantize_act_row_bf16;
  t.quantize[static_cast<uint32_t>(GgmlType::kF32)] = quantize_act_row_f32;

  t.attn_accum[static_cast<uint32_t>(GgmlType::kF16)] = attn_accum_f16;
  t.attn_accum[static_cast<uint32_t>(GgmlType::kF32)] = attn_accum_f32;
  t.attn_accum[static_cast<uint32_t>(GgmlType::kQ8_0)] = attn_accum_q8_0;
  t.key_block_scores_f16 = key_block_scores_f16;
  t.round_f16 = round_f16;
  t.softmax = scalar::softmax;
  t.silu_mul = scalar::silu_mul;
}

}  // namespace zhi
