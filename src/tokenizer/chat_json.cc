#include "tokenizer/chat_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace zhi {
namespace {

// json.dumps with ensure_ascii=False escapes only '"', '\\' and C0 controls; bytes
// >= 0x80 (UTF-8) and DEL pass through unchanged.
void append_python_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string python_float_repr(double value) {
  // json.dumps writes these non-standard tokens (allow_nan=True is its default).
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";

  // Shortest round-trip digits in scientific form, e.g. "-1.2345e+16", then rearranged
  // into Python's layout.
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes; keeps output JSON-ish
  const std::string_view sci(buf, static_cast<size_t>(end - buf));

  const size_t e_pos = sci.find('e');
  std::string_view mantissa = sci.substr(0, e_pos);
  const int exp10 = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());

  std::string sign;
  if (!mantissa.empty() && mantissa.front() == '-') {
    sign = "-";
    mantissa.remove_prefix(1);
  }
  std::string digits;  // significant digits without the point, e.g. "12345"
  for (const char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }

  if (exp10 < -4 || exp10 >= 16) {
    std::string out = sign;
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    // Python pads the exponent to at least two digits: 1e-05, 1e+100.
    const std::string exp_digits = std::to_string(std::abs(exp10));
    out += exp10 < 0 ? "e-" : "e+";
    if (exp_digits.size() < 2) out.push_back('0');
    out += exp_digits;
    return out;
  }
  std::string out = sign;
  if (exp10 < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exp10 - 1), '0');
    out += digits;
    return out;
  }
  const auto int_len = static_cast<size_t>(exp10) + 1;
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
    out += ".0";
  } else {
    out.append(digits, 0, int_len);
    out.push_back('.');
    out.append(digits, int_len, std::string::npos);
  }
  return out;
}

void append_python_json(const nlohmann::ordered_json& value, std::string& out) {
  using Type = nlohmann::ordered_json::value_t;
  switch (value.type()) {
    case Type::null:
    case Type::discarded:
      out += "null";
      return;
    case Type::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case Type::number_integer:
      out += std::to_string(value.get<int64_t>());
      return;
    case Type::number_unsigned:
      out += std::to_string(value.get<uint64_t>());
      return;
    case Type::number_float:
      out += python_float_repr(value.get<double>());
      return;
    case Type::string:
      append_python_string(value.get_ref<const std::string&>(), out);
      return;
    case Type::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += ", ";
        first = false;
        append_python_json(item, out);
      }
      out.push_back(']');
      return;
    }
    case Type::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ", ";
        first = false;
        append_python_string(key, out);
        out += ": ";
        append_python_json(item, out);
      }
      out.push_back('}');
      return;
    }
    case Type::binary:
      // Not producible from JSON text; Python has no equivalent. Render as an array of
      // byte values, which is what nlohmann itself does for JSON output.
      out.push_back('[');
      for (size_t i = 0; i < value.get_binary().size(); ++i) {
        if (i != 0) out += ", ";
        out += std::to_string(value.get_binary()[i]);
      }
      out.push_back(']');
      return;
  }
}

}  // namespace zhi
