// Tools a model may call: a name, what it does, a JSON Schema for its
// arguments, and the function that runs it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "zhi/errors.hpp"

namespace zhi {

// Receives the arguments as a JSON object (text) that validates against the
// tool's schema. The returned text goes back to the model as the tool's
// response; an Error goes back too, as {"error": "<message>"}, and the
// conversation continues.
using ToolFunction = std::function<Expected<std::string>(std::string_view arguments_json)>;

struct Tool {
  std::string name;         // [A-Za-z0-9_.-]+
  std::string description;
  std::string parameters;   // JSON Schema of the arguments object (the supported subset)
  ToolFunction function;
};

}  // namespace zhi
