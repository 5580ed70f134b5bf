#include "quant/quantize.h"

#include <cstring>
#include <string>

#include "quant/quantize_formats.h"

namespace zhi {

bool can_quantize(GgmlType type) {
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

Status quantize_row(GgmlType type, const float* src, void* dst, int64_t n) {
  const TypeInfo* info = find_type_info(static_cast<uint32_t>(type));
  if (info == nullptr || !can_quantize(type)) {
    return unsupported("quantize_row: no quantizer for ggml type " + std::to_string(static_cast<uint32_t>(type)));
  }
  if (n < 0 || n % info->block_elems != 0) {
    return invalid_argument("quantize_row: " + std::to_string(n) + " elements is not a whole number of " +
                            info->name + " blocks (" + std::to_string(info->block_elems) + ")");
  }
  switch (type) {
    case GgmlType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
      break;
    case GgmlType::kF16:
      quantize_row_f16(src, static_cast<uint16_t*>(dst), n);
      break;
    case GgmlType::kBF16:
      quantize_row_bf16(src, static_cast<uint16_t*>(dst), n);
      break;
    case GgmlType::kQ4_0:
      quantize_row_q4_0(src, static_cast<BlockQ4_0*>(dst), n);
      break;
    case GgmlType::kQ4_1:
      quantize_row_q4_1(src, static_cast<BlockQ4_1*>(dst), n);
      break;
    case GgmlType::kQ5_0:
      quantize_row_q5_0(src, static_cast<BlockQ5_0*>(dst), n);
      break;
    case GgmlType::kQ5_1:
      quantize_row_q5_1(src, static_cast<BlockQ5_1*>(dst), n);
      break;
    case GgmlType::kQ8_0:
      quantize_row_q8_0(src, static_cast<BlockQ8_0*>(dst), n);
      break;
    case GgmlType::kQ2_K:
      quantize_row_q2_k(src, static_cast<BlockQ2_K*>(dst), n);
      break;
    case GgmlType::kQ3_K:
      quantize_row_q3_k(src, static_cast<BlockQ3_K*>(dst), n);
      break;
    case GgmlType::kQ4_K:
      quantize_row_q4_k(src, static_cast<BlockQ4_K*>(dst), n);
      break;
    case GgmlType::kQ5_K:
      quantize_row_q5_k(src, static_cast<BlockQ5_K*>(dst), n);
      break;
    case GgmlType::kQ6_K:
      quantize_row_q6_k(src, static_cast<BlockQ6_K*>(dst), n);
      break;
    case GgmlType::kQ8_K:
      quantize_row_q8_k(src, static_cast<BlockQ8_K*>(dst), n);
      break;
    case GgmlType::kIQ4_NL:
      quantize_row_iq4_nl(src, static_cast<BlockIq4Nl*>(dst), n);
      break;
    case GgmlType::kIQ4_XS:
      quantize_row_iq4_xs(src, static_cast<BlockIq4Xs*>(dst), n);
      break;
    default:
      return internal_error("quantize_row: dispatcher out of step with can_quantize");
  }
  return Status::ok_status();
}

}  // namespace zhi
