#include "quant/ggml_type.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace zhi {
namespace {

constexpr std::array kTypes = {
    TypeInfo{GgmlType::kF32, "f32", 1, 4, true},
    TypeInfo{GgmlType::kF16, "f16", 1, 2, true},
    TypeInfo{GgmlType::kQ4_0, "q4_0", kQK, 18, true},
    TypeInfo{GgmlType::kQ4_1, "q4_1", kQK, 20, true},
    TypeInfo{GgmlType::kQ5_0, "q5_0", kQK, 22, true},
    TypeInfo{GgmlType::kQ5_1, "q5_1", kQK, 24, true},
    TypeInfo{GgmlType::kQ8_0, "q8_0", kQK, 34, true},
    TypeInfo{GgmlType::kQ8_1, "q8_1", kQK, 36, false},
    TypeInfo{GgmlType::kQ2_K, "q2_K", kQK_K, 84, true},
    TypeInfo{GgmlType::kQ3_K, "q3_K", kQK_K, 110, true},
    TypeInfo{GgmlType::kQ4_K, "q4_K", kQK_K, 144, true},
    TypeInfo{GgmlType::kQ5_K, "q5_K", kQK_K, 176, true},
    TypeInfo{GgmlType::kQ6_K, "q6_K", kQK_K, 210, true},
    TypeInfo{GgmlType::kQ8_K, "q8_K", kQK_K, 292, false},
    TypeInfo{GgmlType::kIQ4_NL, "iq4_nl", kQK, 18, true},
    TypeInfo{GgmlType::kIQ4_XS, "iq4_xs", kQK_K, 136, true},
    TypeInfo{GgmlType::kBF16, "bf16", 1, 2, true},
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

const TypeInfo* find_type_info(uint32_t id) {
  for (const auto& t : kTypes) {
    if (static_cast<uint32_t>(t.type) == id) return &t;
  }
  return nullptr;
}

const TypeInfo& type_info(GgmlType type) { return *find_type_info(static_cast<uint32_t>(type)); }

const char* type_name(GgmlType type) {
  const TypeInfo* t = find_type_info(static_cast<uint32_t>(type));
  return t ? t->name : "unknown";
}

Result<GgmlType> parse_type_name(const std::string& name) {
  const std::string want = lower(name);
  for (const auto& t : kTypes) {
    if (lower(t.name) == want) return t.type;
  }
  return invalid_argument("unknown tensor type '" + name + "'");
}

Result<uint64_t> row_size_bytes(GgmlType type, int64_t n) {
  const TypeInfo& t = type_info(type);
  if (n < 0 || n % t.block_elems != 0) {
    return invalid_argument(std::string("row of ") + std::to_string(n) + " elements is not a whole number of " +
                            t.name + " blocks (" + std::to_string(t.block_elems) + ")");
  }
  return static_cast<uint64_t>(n / t.block_elems) * static_cast<uint64_t>(t.block_bytes);
}

}  // namespace zhi
