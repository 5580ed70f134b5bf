#include "gguf/gguf_value.h"

#include <cstring>
#include <limits>

namespace zhi {
namespace {

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
void append(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

void append_string(std::string& out, std::string_view s) {
  append<uint64_t>(out, s.size());
  out.append(s);
}

std::string array_header(GgufValueType elem, uint64_t n) {
  std::string raw;
  append<uint32_t>(raw, static_cast<uint32_t>(elem));
  append<uint64_t>(raw, n);
  return raw;
}

bool is_integer(GgufValueType t) {
  switch (t) {
    case GgufValueType::kU8: case GgufValueType::kI8: case GgufValueType::kU16:
    case GgufValueType::kI16: case GgufValueType::kU32: case GgufValueType::kI32:
    case GgufValueType::kU64: case GgufValueType::kI64:
      return true;
    default:
      return false;
  }
}

// p points at a validated integer of type t.
Result<int64_t> decode_int(GgufValueType t, const char* p) {
  switch (t) {
    case GgufValueType::kU8: return static_cast<int64_t>(load<uint8_t>(p));
    case GgufValueType::kI8: return static_cast<int64_t>(load<int8_t>(p));
    case GgufValueType::kU16: return static_cast<int64_t>(load<uint16_t>(p));
    case GgufValueType::kI16: return static_cast<int64_t>(load<int16_t>(p));
    case GgufValueType::kU32: return static_cast<int64_t>(load<uint32_t>(p));
    case GgufValueType::kI32: return static_cast<int64_t>(load<int32_t>(p));
    case GgufValueType::kI64: return load<int64_t>(p);
    case GgufValueType::kU64: {
      const uint64_t v = load<uint64_t>(p);
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return out_of_range("u64 value " + std::to_string(v) + " does not fit in i64");
      return static_cast<int64_t>(v);
    }
    default:
      return invalid_argument(std::string("expected an integer, found ") + gguf_value_type_name(t));
  }
}

Status wrong_type(const char* want, GgufValueType found) {
  return invalid_argument(std::string("expected ") + want + ", found " + gguf_value_type_name(found));
}

}  // namespace

const char* gguf_value_type_name(GgufValueType t) {
  switch (t) {
    case GgufValueType::kU8: return "u8";
    case GgufValueType::kI8: return "i8";
    case GgufValueType::kU16: return "u16";
    case GgufValueType::kI16: return "i16";
    case GgufValueType::kU32: return "u32";
    case GgufValueType::kI32: return "i32";
    case GgufValueType::kF32: return "f32";
    case GgufValueType::kBool: return "bool";
    case GgufValueType::kString: return "string";
    case GgufValueType::kArray: return "array";
    case GgufValueType::kU64: return "u64";
    case GgufValueType::kI64: return "i64";
    case GgufValueType::kF64: return "f64";
  }
  return "unknown";
}

bool is_valid_gguf_value_type(uint32_t t) { return t <= 12; }

uint32_t gguf_scalar_size(GgufValueType t) {
  switch (t) {
    case GgufValueType::kU8: case GgufValueType::kI8: case GgufValueType::kBool: return 1;
    case GgufValueType::kU16: case GgufValueType::kI16: return 2;
    case GgufValueType::kU32: case GgufValueType::kI32: case GgufValueType::kF32: return 4;
    case GgufValueType::kU64: case GgufValueType::kI64: case GgufValueType::kF64: return 8;
    default: return 0;
  }
}

GgufValue GgufValue::from_u8(uint8_t v) { std::string r; append(r, v); return {GgufValueType::kU8, r}; }
GgufValue GgufValue::from_u16(uint16_t v) { std::string r; append(r, v); return {GgufValueType::kU16, r}; }
GgufValue GgufValue::from_u32(uint32_t v) { std::string r; append(r, v); return {GgufValueType::kU32, r}; }
GgufValue GgufValue::from_i32(int32_t v) { std::string r; append(r, v); return {GgufValueType::kI32, r}; }
GgufValue GgufValue::from_u64(uint64_t v) { std::string r; append(r, v); return {GgufValueType::kU64, r}; }
GgufValue GgufValue::from_f32(float v) { std::string r; append(r, v); return {GgufValueType::kF32, r}; }
GgufValue GgufValue::from_bool(bool v) {
  std::string r(1, v ? '\1' : '\0');
  return {GgufValueType::kBool, r};
}
GgufValue GgufValue::from_string(std::string_view v) {
  std::string r;
  append_string(r, v);
  return {GgufValueType::kString, r};
}
GgufValue GgufValue::from_string_array(const std::vector<std::string>& v) {
  std::string r = array_header(GgufValueType::kString, v.size());
  for (const auto& s : v) append_string(r, s);
  return {GgufValueType::kArray, r};
}
GgufValue GgufValue::from_i32_array(const std::vector<int32_t>& v) {
  std::string r = array_header(GgufValueType::kI32, v.size());
  for (int32_t x : v) append(r, x);
  return {GgufValueType::kArray, r};
}
GgufValue GgufValue::from_f32_array(const std::vector<float>& v) {
  std::string r = array_header(GgufValueType::kF32, v.size());
  for (float x : v) append(r, x);
  return {GgufValueType::kArray, r};
}

GgufValueType GgufValue::array_type() const {
  return static_cast<GgufValueType>(load<uint32_t>(raw_.data()));
}
uint64_t GgufValue::array_size() const { return load<uint64_t>(raw_.data() + 4); }

Result<int64_t> GgufValue::as_int() const { return decode_int(type_, raw_.data()); }

Result<double> GgufValue::as_float() const {
  if (type_ == GgufValueType::kF32) return static_cast<double>(load<float>(raw_.data()));
  if (type_ == GgufValueType::kF64) return load<double>(raw_.data());
  return wrong_type("a float", type_);
}

Result<bool> GgufValue::as_bool() const {
  if (type_ != GgufValueType::kBool) return wrong_type("bool", type_);
  return raw_[0] != 0;
}

Result<std::string_view> GgufValue::as_string() const {
  if (type_ != GgufValueType::kString) return wrong_type("string", type_);
  return std::string_view(raw_).substr(8);
}

Result<std::vector<std::string_view>> GgufValue::as_string_array() const {
  if (type_ != GgufValueType::kArray) return wrong_type("array of string", type_);
  if (array_type() != GgufValueType::kString)
    return invalid_argument(std::string("expected array of string, found array of ") +
                            gguf_value_type_name(array_type()));
  const uint64_t n = array_size();
  std::vector<std::string_view> out;
  out.reserve(n);
  size_t pos = 12;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t len = load<uint64_t>(raw_.data() + pos);
    out.emplace_back(raw_.data() + pos + 8, len);
    pos += 8 + len;
  }
  return out;
}

Result<std::vector<int64_t>> GgufValue::as_int_array() const {
  if (type_ != GgufValueType::kArray) return wrong_type("array of integers", type_);
  const GgufValueType et = array_type();
  if (!is_integer(et))
    return invalid_argument(std::string("expected array of integers, found array of ") +
                            gguf_value_type_name(et));
  const uint64_t n = array_size();
  const uint32_t sz = gguf_scalar_size(et);
  std::vector<int64_t> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    ZHI_ASSIGN_OR_RETURN(int64_t v, decode_int(et, raw_.data() + 12 + i * sz));
    out.push_back(v);
  }
  return out;
}

Result<std::vector<float>> GgufValue::as_float_array() const {
  if (type_ != GgufValueType::kArray) return wrong_type("array of f32", type_);
  const GgufValueType et = array_type();
  const uint64_t n = array_size();
  std::vector<float> out;
  out.reserve(n);
  if (et == GgufValueType::kF32) {
    for (uint64_t i = 0; i < n; ++i) out.push_back(load<float>(raw_.data() + 12 + i * 4));
  } else if (et == GgufValueType::kF64) {
    for (uint64_t i = 0; i < n; ++i)
      out.push_back(static_cast<float>(load<double>(raw_.data() + 12 + i * 8)));
  } else {
    return invalid_argument(std::string("expected array of floats, found array of ") +
                            gguf_value_type_name(et));
  }
  return out;
}

std::string GgufValue::describe(size_t max_items) const {
  switch (type_) {
    case GgufValueType::kString: {
      std::string s(as_string().value());
      if (s.size() > 80) s = s.substr(0, 77) + "...";
      return "\"" + s + "\"";
    }
    case GgufValueType::kBool: return as_bool().value() ? "true" : "false";
    case GgufValueType::kF32:
    case GgufValueType::kF64: return std::to_string(as_float().value());
    case GgufValueType::kArray: {
      std::string out = std::string("[") + gguf_value_type_name(array_type()) + " x " +
                        std::to_string(array_size()) + "]";
      if (array_type() == GgufValueType::kString) {
        auto items = as_string_array().value();
        out += " {";
        for (size_t i = 0; i < items.size() && i < max_items; ++i) {
          std::string s(items[i]);
          if (s.size() > 24) s = s.substr(0, 21) + "...";
          out += (i ? ", \"" : "\"") + s + "\"";
        }
        out += items.size() > max_items ? ", ...}" : "}";
      }
      return out;
    }
    default: {
      auto v = as_int();
      return v.ok() ? std::to_string(v.value()) : v.status().message();
    }
  }
}

}  // namespace zhi
