#include "tokenizer/chat_template.h"

#include <cstddef>
#include <string>
#include <utility>

#include "tokenizer/chat_json.h"

namespace zhi {
namespace {

using Json = nlohmann::ordered_json;

enum class Role { kSystem, kUser, kAssistant, kTool };

// Builds the rendered text and its segment list together, so they cannot disagree.
class SegmentBuilder {
 public:
  void add_template(std::string_view s) { add(s, true); }
  void add_content(std::string_view s) { add(s, false); }

  RenderedChat finish() && { return std::move(chat_); }

 private:
  void add(std::string_view s, bool is_template) {
    if (s.empty()) return;
    chat_.text += s;
    if (!chat_.segments.empty() && chat_.segments.back().is_template == is_template) {
      chat_.segments.back().text += s;
    } else {
      chat_.segments.push_back(ChatSegment{std::string(s), is_template});
    }
  }

  RenderedChat chat_;
};

std::string message_path(size_t i) { return "messages[" + std::to_string(i) + "]"; }

Status type_error(const std::string& path, const char* expected, const Json& got) {
  return invalid_argument(path + ": expected " + expected + ", got " + got.type_name());
}

Result<Role> parse_role(const Json& message, size_t i) {
  const std::string path = message_path(i);
  if (!message.is_object()) return type_error(path, "an object", message);
  const auto it = message.find("role");
  if (it == message.end()) return invalid_argument(path + ".role: missing");
  if (!it->is_string()) return type_error(path + ".role", "a string", *it);
  const auto& role = it->get_ref<const std::string&>();
  if (role == "system") return Role::kSystem;
  if (role == "user") return Role::kUser;
  if (role == "assistant") return Role::kAssistant;
  if (role == "tool") return Role::kTool;
  return invalid_argument(path + ".role: unknown role '" + role +
                          "' (expected system, user, assistant or tool)");
}

// The message's `content`, which must be a string.
Result<const std::string*> required_content(const Json& message, size_t i) {
  const std::string path = message_path(i) + ".content";
  const auto it = message.find("content");
  if (it == message.end()) return invalid_argument(path + ": missing");
  if (!it->is_string()) return type_error(path, "a string", *it);
  return &it->get_ref<const std::string&>();
}

// `content` of an assistant message that carries tool calls: may be absent or null.
Result<const std::string*> optional_content(const Json& message, size_t i) {
  const auto it = message.find("content");
  if (it == message.end() || it->is_null()) return static_cast<const std::string*>(nullptr);
  if (!it->is_string()) return type_error(message_path(i) + ".content", "a string or null", *it);
  return &it->get_ref<const std::string&>();
}

// The non-empty `tool_calls` array of an assistant message, or nullptr when the template
// would treat the message as plain text (absent, null or empty).
Result<const Json*> tool_calls_of(const Json& message, size_t i) {
  const auto it = message.find("tool_calls");
  if (it == message.end() || it->is_null()) return static_cast<const Json*>(nullptr);
  if (!it->is_array()) return type_error(message_path(i) + ".tool_calls", "an array or null", *it);
  if (it->empty()) return static_cast<const Json*>(nullptr);
  return &*it;
}

// The JSON text the template's `arguments | tojson` would produce, except that a string
// holding a JSON object (OpenAI sends arguments that way) renders as the object itself.
std::string arguments_json(const Json& arguments) {
  if (arguments.is_string()) {
    const Json parsed = Json::parse(arguments.get_ref<const std::string&>(), nullptr,
                                    /*allow_exceptions=*/false);
    if (parsed.is_object()) return python_json_dumps(parsed);
  }
  return python_json_dumps(arguments);
}

Status render_tool_call(const Json& tool_call, const std::string& call_path, SegmentBuilder& out) {
  if (!tool_call.is_object()) return type_error(call_path, "an object", tool_call);
  const Json* call = &tool_call;
  std::string path = call_path;
  if (const auto fn = tool_call.find("function"); fn != tool_call.end()) {
    path += ".function";
    if (!fn->is_object()) return type_error(path, "an object", *fn);
    call = &*fn;
  }
  const auto name = call->find("name");
  if (name == call->end()) return invalid_argument(path + ".name: missing");
  if (!name->is_string()) return type_error(path + ".name", "a string", *name);
  const auto arguments = call->find("arguments");
  if (arguments == call->end()) return invalid_argument(path + ".arguments: missing");

  out.add_template("\n<tool_call>\n{\"name\": \"");
  out.add_content(name->get_ref<const std::string&>());
  out.add_template("\", \"arguments\": ");
  out.add_content(arguments_json(*arguments));
  out.add_template("}\n</tool_call>");
  return Status::ok_status();
}

Status render_tools_system(const Json& tools, const std::string* system_content,
                           SegmentBuilder& out) {
  out.add_template("<|im_start|>system\n");
  if (system_content != nullptr) {
    out.add_content(*system_content);
  } else {
    out.add_template(kQwen2DefaultSystemPrompt);
  }
  out.add_template(
      "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
      "You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
  for (size_t t = 0; t < tools.size(); ++t) {
    const Json& tool = tools[t];
    if (!tool.is_object()) return type_error("tools[" + std::to_string(t) + "]", "an object", tool);
    out.add_template("\n");
    out.add_content(python_json_dumps(tool));
  }
  out.add_template(
      "\n</tools>\n\nFor each function call, return a json object with function name and "
      "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n"
      "{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n");
  return Status::ok_status();
}

}  // namespace

Result<RenderedChat> render_qwen2_chat(const Json& messages, const Json& tools,
                                       bool add_generation_prompt) {
  if (!messages.is_array()) return type_error("messages", "an array", messages);
  if (messages.empty()) return invalid_argument("messages: expected at least one message");
  if (!tools.is_null() && !tools.is_array()) return type_error("tools", "an array or null", tools);

  // Tool messages look at their neighbours' roles, so check every role first.
  std::vector<Role> roles;
  roles.reserve(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    ZHI_ASSIGN_OR_RETURN(const Role role, parse_role(messages[i], i));
    roles.push_back(role);
  }

  SegmentBuilder out;
  const std::string* first_system = nullptr;
  if (roles[0] == Role::kSystem) {
    ZHI_ASSIGN_OR_RETURN(first_system, required_content(messages[0], 0));
  }
  // Jinja's `if tools` is false for null and for an empty list alike.
  if (tools.is_array() && !tools.empty()) {
    ZHI_RETURN_IF_ERROR(render_tools_system(tools, first_system, out));
  } else if (first_system != nullptr) {
    out.add_template("<|im_start|>system\n");
    out.add_content(*first_system);
    out.add_template("<|im_end|>\n");
  } else {
    out.add_template("<|im_start|>system\n");
    out.add_template(kQwen2DefaultSystemPrompt);
    out.add_template("<|im_end|>\n");
  }

  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& message = messages[i];
    switch (roles[i]) {
      case Role::kSystem:
        if (i == 0) break;  // already rendered above
        [[fallthrough]];
      case Role::kUser: {
        ZHI_ASSIGN_OR_RETURN(const std::string* content, required_content(message, i));
        out.add_template(roles[i] == Role::kSystem ? "<|im_start|>system\n" : "<|im_start|>user\n");
        out.add_content(*content);
        out.add_template("<|im_end|>\n");
        break;
      }
      case Role::kAssistant: {
        ZHI_ASSIGN_OR_RETURN(const Json* calls, tool_calls_of(message, i));
        if (calls == nullptr) {
          ZHI_ASSIGN_OR_RETURN(const std::string* content, required_content(message, i));
          out.add_template("<|im_start|>assistant\n");
          out.add_content(*content);
          out.add_template("<|im_end|>\n");
          break;
        }
        ZHI_ASSIGN_OR_RETURN(const std::string* content, optional_content(message, i));
        out.add_template("<|im_start|>assistant");
        if (content != nullptr && !content->empty()) {
          out.add_template("\n");
          out.add_content(*content);
        }
        for (size_t c = 0; c < calls->size(); ++c) {
          ZHI_RETURN_IF_ERROR(render_tool_call(
              (*calls)[c], message_path(i) + ".tool_calls[" + std::to_string(c) + "]", out));
        }
        out.add_template("<|im_end|>\n");
        break;
      }
      case Role::kTool: {
        ZHI_ASSIGN_OR_RETURN(const std::string* content, required_content(message, i));
        // Consecutive tool results share one user turn.
        if (i == 0 || roles[i - 1] != Role::kTool) out.add_template("<|im_start|>user");
        out.add_template("\n<tool_response>\n");
        out.add_content(*content);
        out.add_template("\n</tool_response>");
        if (i + 1 == messages.size() || roles[i + 1] != Role::kTool) out.add_template("<|im_end|>\n");
        break;
      }
    }
  }
  if (add_generation_prompt) out.add_template("<|im_start|>assistant\n");
  return std::move(out).finish();
}

std::vector<ChatPiece> split_chat_specials(const RenderedChat& chat,
                                           std::span<const std::string> specials) {
  std::vector<ChatPiece> pieces;
  std::string plain;
  const auto flush_plain = [&] {
    if (!plain.empty()) pieces.push_back(ChatPiece{std::move(plain), false});
    plain.clear();
  };
  for (const ChatSegment& segment : chat.segments) {
    if (!segment.is_template) {
      plain += segment.text;
      continue;
    }
    const std::string_view text = segment.text;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t best = 0;  // length of the longest special starting at pos
      for (const std::string& special : specials) {
        if (special.size() > best && text.substr(pos).starts_with(special)) best = special.size();
      }
      if (best == 0) {
        plain.push_back(text[pos]);
        ++pos;
        continue;
      }
      flush_plain();
      pieces.push_back(ChatPiece{std::string(text.substr(pos, best)), true});
      pos += best;
    }
  }
  flush_plain();
  return pieces;
}

}  // namespace zhi
