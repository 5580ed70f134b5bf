#include "quant/dequantize.h"

#include <cstring>
#include <string>

#include "quant/dequantize_formats.h"

namespace zhi {

bool can_dequantize(GgmlType type) {
  switch (type) {
    case GgmlType::kF32:
    case GgmlType::kF16:
    case GgmlType::kBF16:
    case GgmlType::kQ4_0:
    case GgmlType::kQ4_1:
    case GgmlType::kQ5_0:
    case GgmlType::kQ5_1:
    case GgmlType::kQ8_0:
    case GgmlType::kQ2_K:
    case GgmlType::kQ3_K:
    case GgmlType::kQ4_K:
    case GgmlType::kQ5_K:
    case GgmlType::kQ6_K:
    case GgmlType::kQ8_K:
    case GgmlType::kIQ4_NL:
    case GgmlType::kIQ4_XS:
      return true;
    default:
      return false;
  }
}

Status dequantize_row(GgmlType type, const void* src, float* dst, int64_t n) {
  const TypeInfo* info = find_type_info(static_cast<uint32_t>(type));
  if (info == nullptr || !can_dequantize(type)) {
    return unsupported("dequantize_row: no dequantizer for ggml type " +
                       std::to_string(static_cast<uint32_t>(type)));
  }
  if (n < 0 || n % info->block_elems != 0) {
    return invalid_argument("dequantize_row: " + std::to_string(n) + " elements is not a whole number of " +
                            info->name + " blocks (" + std::to_string(info->block_elems) + ")");
  }
  switch (type) {
    case GgmlType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      break;
    case GgmlType::kF16:
      dequantize_row_f16(static_cast<const uint16_t*>(src), dst, n);
      break;
    case GgmlType::kBF16:
      dequantize_row_bf16(static_cast<const uint16_t*>(src), dst, n);
      break;
    case GgmlType::kQ4_0:
      dequantize_row_q4_0(static_cast<const BlockQ4_0*>(src), dst, n);
      break;
    case GgmlType::kQ4_1:
      dequantize_row_q4_1(static_cast<const BlockQ4_1*>(src), dst, n);
      break;
    case GgmlType::kQ5_0:
      dequantize_row_q5_0(static_cast<const BlockQ5_0*>(src), dst, n);
      break;
    case GgmlType::kQ5_1:
      dequantize_row_q5_1(static_cast<const BlockQ5_1*>(src), dst, n);
      break;
    case GgmlType::kQ8_0:
      dequantize_row_q8_0(static_cast<const BlockQ8_0*>(src), dst, n);
      break;
    case GgmlType::kQ2_K:
      dequantize_row_q2_k(static_cast<const BlockQ2_K*>(src), dst, n);
      break;
    case GgmlType::kQ3_K:
      dequantize_row_q3_k(static_cast<const BlockQ3_K*>(src), dst, n);
      break;
    case GgmlType::kQ4_K:
      dequantize_row_q4_k(static_cast<const BlockQ4_K*>(src), dst, n);
      break;
    case GgmlType::kQ5_K:
      dequantize_row_q5_k(static_cast<const BlockQ5_K*>(src), dst, n);
      break;
    case GgmlType::kQ6_K:
      dequantize_row_q6_k(static_cast<const BlockQ6_K*>(src), dst, n);
      break;
    case GgmlType::kQ8_K:
      dequantize_row_q8_k(static_cast<const BlockQ8_K*>(src), dst, n);
      break;
    case GgmlType::kIQ4_NL:
      dequantize_row_iq4_nl(static_cast<const BlockIq4Nl*>(src), dst, n);
      break;
    case GgmlType::kIQ4_XS:
      dequantize_row_iq4_xs(static_cast<const BlockIq4Xs*>(src), dst, n);
      break;
    default:
      return internal_error("dequantize_row: dispatcher out of step with can_dequantize");
  }
  return Status::ok_status();
}

}  // namespace zhi
