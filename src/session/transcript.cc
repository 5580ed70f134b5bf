#include "zhi/transcript.hpp"

#include <nlohmann/json.hpp>

#include "session/transcript_messages.h"

namespace zhi {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kTranscriptVersion = 1;

Error entry_error(size_t i, const std::string& field, const std::string& what) {
  return {ErrorCode::kInvalidArgument, "transcript: entries[" + std::to_string(i) + "]" +
                                           (field.empty() ? "" : "." + field) + ": " + what};
}

Expected<Role> parse_role(const std::string& name) {
  for (Role r : {Role::kInstructions, Role::kUser, Role::kAssistant, Role::kTool})
    if (name == role_name(r)) return r;
  return Error(ErrorCode::kInvalidArgument, "unknown role '" + name + "' (expected instructions, user, assistant or tool)");
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::kInstructions: return "instructions";
    case Role::kUser: return "user";
    case Role::kAssistant: return "assistant";
    case Role::kTool: return "tool";
  }
  return "unknown";
}

std::string Transcript::to_json() const {
  Json entries_json = Json::array();
  for (const TranscriptEntry& e : entries) {
    Json j = {{"role", role_name(e.role)}, {"content", e.content}};
    if (!e.tool_calls.empty()) {
      Json calls = Json::array();
      for (const ToolCall& c : e.tool_calls) calls.push_back({{"name", c.name}, {"arguments", c.arguments}});
      j["tool_calls"] = std::move(calls);
    }
    if (e.role == Role::kTool) j["name"] = e.tool_name;
    entries_json.push_back(std::move(j));
  }
  // Invalid UTF-8 (a model can emit any bytes) is replaced rather than failing the save.
  return Json{{"version", kTranscriptVersion}, {"entries", std::move(entries_json)}}.dump(
      -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Expected<Transcript> Transcript::from_json(std::string_view text) {
  Json doc = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error(ErrorCode::kInvalidArgument, "transcript: not valid JSON");
  if (!doc.is_object()) return Error(ErrorCode::kInvalidArgument, "transcript: expected a JSON object");
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != kTranscriptVersion)
    return Error(ErrorCode::kInvalidArgument, "transcript.version: expected 1");
  const auto entries = doc.find("entries");
  if (entries == doc.end() || !entries->is_array())
    return Error(ErrorCode::kInvalidArgument, "transcript.entries: expected an array");
  Transcript t;
  for (size_t i = 0; i < entries->size(); ++i) {
    const Json& j = (*entries)[i];
    if (!j.is_object()) return entry_error(i, "", "expected an object");
    const auto role = j.find("role");
    if (role == j.end() || !role->is_string()) return entry_error(i, "role", "expected a string");
    auto parsed_role = parse_role(role->get<std::string>());
    if (!parsed_role.ok()) return entry_error(i, "role", parsed_role.error().message());
    TranscriptEntry e;
    e.role = *parsed_role;
    if (e.role == Role::kInstructions && i != 0) return entry_error(i, "role", "instructions may only be the first entry");
    const auto content = j.find("content");
    if (content == j.end() || !content->is_string()) return entry_error(i, "content", "expected a string");
    e.content = content->get<std::string>();
    if (const auto calls = j.find("tool_calls"); calls != j.end()) {
      if (e.role != Role::kAssistant) return entry_error(i, "tool_calls", "only assistant entries make tool calls");
      if (!calls->is_array()) return entry_error(i, "tool_calls", "expected an array");
      for (size_t c = 0; c < calls->size(); ++c) {
        const Json& call = (*calls)[c];
        const std::string field = "tool_calls[" + std::to_string(c) + "]";
        if (!call.is_object() || !call.contains("name") || !call["name"].is_string())
          return entry_error(i, field + ".name", "expected a string");
        if (!call.contains("arguments") || !call["arguments"].is_string())
          return entry_error(i, field + ".arguments", "expected a string holding a JSON object");
        const std::string args = call["arguments"].get<std::string>();
        if (!Json::parse(args, nullptr, false).is_object())
          return entry_error(i, field + ".arguments", "not a JSON object");
        e.tool_calls.push_back({call["name"].get<std::string>(), args});
      }
    }
    if (e.role == Role::kTool) {
      const auto name = j.find("name");
      if (name != j.end()) {
        if (!name->is_string()) return entry_error(i, "name", "expected a string");
        e.tool_name = name->get<std::string>();
      }
    }
    t.entries.push_back(std::move(e));
  }
  return t;
}

nlohmann::ordered_json transcript_messages(const std::vector<TranscriptEntry>& entries) {
  Json messages = Json::array();
  for (const TranscriptEntry& e : entries) {
    Json m;
    switch (e.role) {
      case Role::kInstructions: m = {{"role", "system"}, {"content", e.content}}; break;
      case Role::kUser: m = {{"role", "user"}, {"content", e.content}}; break;
      case Role::kTool: m = {{"role", "tool"}, {"content", e.content}}; break;
      case Role::kAssistant: {
        m = {{"role", "assistant"}, {"content", e.content}};
        if (!e.tool_calls.empty()) {
          Json calls = Json::array();
          // The template parses a string that holds a JSON object and renders the object.
          for (const ToolCall& c : e.tool_calls) calls.push_back({{"name", c.name}, {"arguments", c.arguments}});
          m["tool_calls"] = std::move(calls);
        }
        break;
      }
    }
    messages.push_back(std::move(m));
  }
  return messages;
}

}  // namespace zhi
