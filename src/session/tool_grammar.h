// Tool calls in Qwen's format. After the model emits <tool_call>, its text up
// to </tool_call> must be "\n" + {"name": "<tool>", "arguments": <object>} +
// "\n", with the arguments valid against that tool's schema. This grammar
// enforces it, so every call parses and validates.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "session/grammar.h"
#include "zhi/errors.hpp"
#include "zhi/tools.hpp"
#include "zhi/transcript.hpp"

namespace zhi {

// Checks names and schemas; errors name the tool (invalid_argument for a bad
// name, invalid_schema for a schema outside the subset).
Expected<Grammar> tool_call_grammar(const std::vector<Tool>& tools);

// The `tools` list the chat template renders: OpenAI function format.
nlohmann::ordered_json tools_template_json(const std::vector<Tool>& tools);

// A stable key for caching the tool grammar of a tool set.
std::string tool_set_key(const std::vector<Tool>& tools);

// The text between <tool_call> and </tool_call> -> the call. Errors say what
// is malformed (only possible when the output was not constrained).
Expected<ToolCall> parse_tool_call(std::string_view body);

}  // namespace zhi
