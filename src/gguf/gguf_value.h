// One GGUF metadata value, held in its on-disk encoding so that it can be
// validated once, decoded on demand, and copied verbatim into a new file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zhi {

enum class GgufValueType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

const char* gguf_value_type_name(GgufValueType t);
bool is_valid_gguf_value_type(uint32_t t);
// Bytes of one fixed-size scalar; 0 for string and array.
uint32_t gguf_scalar_size(GgufValueType t);

class GgufValue {
 public:
  GgufValue() = default;
  // `raw` is the payload exactly as in the file, after the u32 type tag.
  // The caller (the reader) has already validated it against `type`.
  GgufValue(GgufValueType type, std::string raw) : type_(type), raw_(std::move(raw)) {}

  static GgufValue from_u8(uint8_t v);
  static GgufValue from_u16(uint16_t v);
  static GgufValue from_u32(uint32_t v);
  static GgufValue from_i32(int32_t v);
  static GgufValue from_u64(uint64_t v);
  static GgufValue from_f32(float v);
  static GgufValue from_bool(bool v);
  static GgufValue from_string(std::string_view v);
  static GgufValue from_string_array(const std::vector<std::string>& v);
  static GgufValue from_i32_array(const std::vector<int32_t>& v);
  static GgufValue from_f32_array(const std::vector<float>& v);

  GgufValueType type() const { return type_; }
  // Element type of an array; only meaningful when type() == kArray.
  GgufValueType array_type() const;
  uint64_t array_size() const;
  const std::string& raw() const { return raw_; }

  // Accessors check the type and say what was found when it is wrong.
  Result<int64_t> as_int() const;   // any integer type that fits in i64
  Result<double> as_float() const;  // f32 or f64
  Result<bool> as_bool() const;
  Result<std::string_view> as_string() const;
  Result<std::vector<std::string_view>> as_string_array() const;  // views into raw()
  Result<std::vector<int64_t>> as_int_array() const;
  Result<std::vector<float>> as_float_array() const;

  // Short human-readable rendering for `zhi inspect` (arrays are summarised).
  std::string describe(size_t max_items = 8) const;

 private:
  GgufValueType type_ = GgufValueType::kU8;
  std::string raw_;
};

}  // namespace zhi
