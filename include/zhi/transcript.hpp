// A conversation as data: what a session says and hears, in order. A session
// can be rebuilt from its transcript (Session::restore); the JSON form is the
// stable way to store one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "zhi/errors.hpp"

namespace zhi {

struct ToolCall {
  std::string name;
  std::string arguments;  // a JSON object, as text
};

enum class Role { kInstructions, kUser, kAssistant, kTool };

struct TranscriptEntry {
  Role role = Role::kUser;
  std::string content;               // text; for kTool, the tool's output
  std::vector<ToolCall> tool_calls;  // kAssistant: calls the model made in this turn
  std::string tool_name;             // kTool: which tool answered
};

struct Transcript {
  std::vector<TranscriptEntry> entries;

  // {"version": 1, "entries": [{"role": "user", "content": "..."}, ...]}
  std::string to_json() const;
  // Errors name the entry and field at fault, e.g. "entries[2].role: unknown role 'bot'".
  static Expected<Transcript> from_json(std::string_view json);
};

const char* role_name(Role role);  // "instructions", "user", "assistant", "tool"

}  // namespace zhi
