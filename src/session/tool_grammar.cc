#include "session/tool_grammar.h"

#include "session/json_schema_grammar.h"
#include "session/json_text_rules.h"

namespace zhi {
namespace {

using Json = nlohmann::ordered_json;
using B = GrammarBuilder;

// A tool without a schema takes no arguments: {}.
Json parameters_of(const Tool& t) {
  if (t.parameters.empty()) return Json{{"type", "object"}, {"properties", Json::object()}};
  return Json::parse(t.parameters, nullptr, /*allow_exceptions=*/false);
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

}  // namespace

Expected<Grammar> tool_call_grammar(const std::vector<Tool>& tools) {
  GrammarBuilder b;
  JsonTextRules rules(b);
  std::vector<GrammarBuilder::Seq> calls;
  for (size_t i = 0; i < tools.size(); ++i) {
    const Tool& t = tools[i];
    if (!valid_name(t.name))
      return Error(ErrorCode::kInvalidArgument, "tools[" + std::to_string(i) + "].name: '" + t.name +
                                                    "' must be 1-128 characters of [A-Za-z0-9_.-]");
    for (size_t j = 0; j < i; ++j)
      if (tools[j].name == t.name) return Error(ErrorCode::kInvalidArgument, "tools: '" + t.name + "' is registered twice");
    Json schema = parameters_of(t);
    if (schema.is_discarded()) return Error(ErrorCode::kInvalidSchema, "tool '" + t.name + "': parameters are not valid JSON");
    auto args = compile_schema_document(schema, "tool '" + t.name + "' parameters", b, rules);
    if (!args.ok()) return args.error();
    // Spaced as the chat template renders past calls, so the model sees one style.
    GrammarBuilder::Seq s = B::literal("{\"name\": " + Json(t.name).dump() + ", \"arguments\": ");
    s.push_back(B::ref(*args));
    s.push_back(B::byte('}'));
    calls.push_back(std::move(s));
  }
  if (calls.empty()) return Error(ErrorCode::kInvalidArgument, "tools: none registered");
  const uint32_t call = b.add("tool-call", std::move(calls));
  const uint32_t root = b.add("tool-call-body", {{B::byte('\n'), B::ref(call), B::byte('\n')}});
  return finish_grammar(b, root);
}

Json tools_template_json(const std::vector<Tool>& tools) {
  Json out = Json::array();
  for (const Tool& t : tools) {
    Json params = parameters_of(t);
    if (params.is_discarded()) params = Json::object();
    out.push_back({{"type", "function"},
                   {"function", {{"name", t.name}, {"description", t.description}, {"parameters", params}}}});
  }
  return out;
}

std::string tool_set_key(const std::vector<Tool>& tools) {
  std::string key = "tools:";
  for (const Tool& t : tools) {
    key += std::to_string(t.name.size()) + ":" + t.name + std::to_string(t.parameters.size()) + ":" + t.parameters;
  }
  return key;
}

Expected<ToolCall> parse_tool_call(std::string_view body) {
  Json j = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error(ErrorCode::kDecodingFailure, "tool call is not a JSON object");
  if (!j.contains("name") || !j["name"].is_string()) return Error(ErrorCode::kDecodingFailure, "tool call has no \"name\"");
  ToolCall call;
  call.name = j["name"].get<std::string>();
  const Json args = j.contains("arguments") ? j["arguments"] : Json::object();
  if (!args.is_object()) return Error(ErrorCode::kDecodingFailure, "tool call \"arguments\" is not an object");
  call.arguments = args.dump(-1, ' ', false, Json::error_handler_t::replace);
  return call;
}

}  // namespace zhi
