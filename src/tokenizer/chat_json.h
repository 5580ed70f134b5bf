// JSON text exactly as the Hugging Face chat-template `tojson` filter writes it.
//
// Chat templates are rendered by Python's Jinja with a `tojson` that calls
// json.dumps(x, ensure_ascii=False): ", " and ": " separators, keys in the order given,
// non-ASCII left as UTF-8, floats in Python repr. Models were trained on that exact
// text, so a renderer must reproduce it byte for byte rather than use nlohmann's dump().
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace zhi {

// Appends the json.dumps(value, ensure_ascii=False) text of `value` to `out`.
void append_python_json(const nlohmann::ordered_json& value, std::string& out);

inline std::string python_json_dumps(const nlohmann::ordered_json& value) {
  std::string out;
  append_python_json(value, out);
  return out;
}

// Python's repr() of a double: shortest round-trip digits, positional notation for
// decimal exponents in [-4, 16), otherwise "d.ddde+XX"; always has a '.' or exponent.
std::string python_float_repr(double value);

}  // namespace zhi
