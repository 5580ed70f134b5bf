// The ggml tensor type ids used in GGUF files and their block geometry.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace zhi {

enum class GgmlType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ4_NL = 20,
  kIQ4_XS = 23,
  kBF16 = 30,
};

constexpr int kQK = 32;    // elements in a legacy block (Q4_0, Q8_0, ...)
constexpr int kQK_K = 256; // elements in a K-quant super-block

struct TypeInfo {
  GgmlType type;
  const char* name;     // as llama.cpp prints it: "q4_K", "f16", ...
  int32_t block_elems;  // elements per block
  int32_t block_bytes;  // bytes per block
  bool in_files;        // false for activation-only types such as Q8_K
};

// nullptr for ids this build does not know: callers turn that into a clear error.
const TypeInfo* find_type_info(uint32_t id);
const TypeInfo& type_info(GgmlType type);  // type must be known
const char* type_name(GgmlType type);
// Parses "q4_k", "Q4_K", "f16", "iq4_nl" ... case-insensitively.
Result<GgmlType> parse_type_name(const std::string& name);

// Bytes taken by one row of n elements; an error if n is not a whole number of blocks.
Result<uint64_t> row_size_bytes(GgmlType type, int64_t n);

}  // namespace zhi
