// Tool calling on a tiny random model: the model's calls are held to each
// tool's schema, so every call parses and validates; results go back to the
// model and the loop ends within the round limit.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tiny_model.h"
#include "zhi/session.hpp"

namespace zhi {
namespace {

using Json = nlohmann::json;

constexpr const char* kWeatherSchema = R"({
  "type": "object",
  "properties": {
    "city": {"type": "string", "minLength": 1, "maxLength": 12},
    "days": {"type": "integer", "minimum": 1, "maximum": 7},
    "unit": {"enum": ["celsius", "fahrenheit"]}
  },
  "required": ["city", "days"],
  "additionalProperties": false
})";

GenerationOptions sampled(uint64_t seed) {
  GenerationOptions g;
  g.temperature = 1.0f;
  g.top_k = 0;
  g.top_p = 1.0f;
  g.min_p = 0.0f;
  g.seed = seed;
  g.max_tokens = 600;
  return g;
}

struct Recorder {
  std::vector<std::string> args;
  Tool weather() {
    return Tool{"get_weather", "Weather forecast for a city", kWeatherSchema, [this](std::string_view a) -> Expected<std::string> {
                  args.emplace_back(a);
                  return std::string("{\"forecast\": \"sunny\"}");
                }};
  }
};

void expect_valid_weather_args(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  ASSERT_TRUE(j.is_object()) << text;
  ASSERT_TRUE(j.contains("city") && j["city"].is_string()) << text;
  ASSERT_TRUE(j.contains("days") && j["days"].is_number_integer()) << text;
  EXPECT_GE(j["days"].get<int>(), 1);
  EXPECT_LE(j["days"].get<int>(), 7);
  if (j.contains("unit")) {
    EXPECT_TRUE(j["unit"] == "celsius" || j["unit"] == "fahrenheit") << text;
  }
  for (const auto& [k, v] : j.items()) EXPECT_TRUE(k == "city" || k == "days" || k == "unit") << k;
}

TEST(ToolCalling, RequiredCallRunsTheToolWithValidArguments) {
  auto model = testing::tiny_model(2048);
  Recorder rec;
  SessionOptions o;
  o.instructions = "Use tools when useful.";
  o.tools = {rec.weather()};
  auto s = Session::create(model, o);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  GenerationOptions g = sampled(5);
  g.tool_choice = ToolChoice::kRequired;
  g.max_tool_rounds = 2;
  auto r = (*s)->respond("What is the weather in Paris?", g);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_GE(rec.args.size(), 1u);
  EXPECT_EQ(r->tool_calls.size(), rec.args.size());
  EXPECT_EQ(r->stats.tool_calls, static_cast<int>(rec.args.size()));
  EXPECT_LE(r->stats.rounds, 3);
  for (const std::string& a : rec.args) expect_valid_weather_args(a);
  const Transcript t = (*s)->transcript();
  ASSERT_GE(t.entries.size(), 5u);
  EXPECT_EQ(t.entries[2].role, Role::kAssistant);
  ASSERT_FALSE(t.entries[2].tool_calls.empty());
  EXPECT_EQ(t.entries[2].tool_calls[0].name, "get_weather");
  EXPECT_EQ(t.entries[3].role, Role::kTool);
  EXPECT_EQ(t.entries[3].tool_name, "get_weather");
  EXPECT_EQ(t.entries[3].content, "{\"forecast\": \"sunny\"}");
  EXPECT_EQ(t.entries.back().role, Role::kAssistant);
  EXPECT_TRUE(t.entries.back().tool_calls.empty());
  // The transcript with tool calls restores and renders.
  auto restored = Session::restore(model, *Transcript::from_json(t.to_json()), testing::with_tools({rec.weather()}));
  ASSERT_TRUE(restored.ok()) << restored.error().to_string();
  GenerationOptions g2 = sampled(6);
  g2.max_tokens = 8;
  g2.tool_choice = ToolChoice::kNone;
  EXPECT_TRUE((*restored)->respond("thanks", g2).ok());
}

TEST(ToolCalling, RoundsAreBounded) {
  auto model = testing::tiny_model(2048);
  Recorder rec;
  auto s = Session::create(model, testing::with_tools({rec.weather()}));
  ASSERT_TRUE(s.ok());
  GenerationOptions g = sampled(9);
  g.tool_choice = ToolChoice::kRequired;
  g.max_tool_rounds = 1;
  auto r = (*s)->respond("weather?", g);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->stats.rounds, 2);  // one round of calls, then an answer without tools
  EXPECT_GE(rec.args.size(), 1u);
  GenerationOptions none = sampled(9);
  none.tool_choice = ToolChoice::kNone;
  none.max_tokens = 32;
  const size_t before = rec.args.size();
  auto n = (*s)->respond("no tools now", none);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(rec.args.size(), before);
  EXPECT_EQ(n->stats.rounds, 1);
}

TEST(ToolCalling, ParallelCallsInOneTurn) {
  auto model = testing::tiny_model(2048);
  for (uint64_t seed = 1; seed < 40; ++seed) {
    Recorder rec;
    auto s = Session::create(model, testing::with_tools({rec.weather()}));
    ASSERT_TRUE(s.ok());
    GenerationOptions g = sampled(seed);
    g.max_tokens = 200;
    g.tool_choice = ToolChoice::kRequired;
    g.max_tool_rounds = 1;
    auto r = (*s)->respond("weather in two cities?", g);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    const Transcript t = (*s)->transcript();
    if (t.entries[1].role != Role::kAssistant || t.entries[1].tool_calls.size() < 2) continue;
    const size_t n = t.entries[1].tool_calls.size();
    EXPECT_EQ(rec.args.size(), n);
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(t.entries[2 + i].role, Role::kTool);
      expect_valid_weather_args(rec.args[i]);
    }
    return;
  }
  FAIL() << "no seed produced two calls in one turn";
}

TEST(ToolCalling, ToolErrorsGoBackToTheModel) {
  auto model = testing::tiny_model(2048);
  Tool failing{"lookup", "Always fails", R"({"type": "object", "properties": {"q": {"type": "string", "maxLength": 5}}, "required": ["q"]})",
               [](std::string_view) -> Expected<std::string> { return Error(ErrorCode::kInvalidArgument, "database offline"); }};
  Tool throwing{"explode", "Throws", "", [](std::string_view) -> Expected<std::string> { throw std::runtime_error("boom"); }};
  bool saw_error = false, saw_throw = false;
  for (uint64_t seed = 1; seed < 30 && !(saw_error && saw_throw); ++seed) {
    auto s = Session::create(model, testing::with_tools({failing, throwing}));
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    GenerationOptions g = sampled(seed);
    g.max_tokens = 200;
    g.tool_choice = ToolChoice::kRequired;
    g.max_tool_rounds = 1;
    auto r = (*s)->respond("look it up", g);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    for (const TranscriptEntry& e : (*s)->transcript().entries) {
      if (e.role != Role::kTool) continue;
      if (e.tool_name == "lookup") {
        EXPECT_EQ(e.content, R"({"error":"database offline"})");
        saw_error = true;
      } else {
        EXPECT_EQ(e.content, R"({"error":"the tool failed: boom"})");
        saw_throw = true;
      }
    }
  }
  EXPECT_TRUE(saw_error);
  EXPECT_TRUE(saw_throw);
}

TEST(ToolCalling, BadToolsAreRejectedAtCreation) {
  auto model = testing::tiny_model();
  auto bad_name = Session::create(model, testing::with_tools({Tool{"has space", "", "", {}}}));
  EXPECT_EQ(bad_name.error().code(), ErrorCode::kInvalidArgument);
  auto dup = Session::create(model, testing::with_tools({Tool{"a", "", "", {}}, Tool{"a", "", "", {}}}));
  EXPECT_EQ(dup.error().code(), ErrorCode::kInvalidArgument);
  auto bad_schema = Session::create(model, testing::with_tools({Tool{"a", "", R"({"type": "object", "not": {}})", {}}}));
  ASSERT_FALSE(bad_schema.ok());
  EXPECT_EQ(bad_schema.error().code(), ErrorCode::kInvalidSchema);
  EXPECT_NE(bad_schema.error().message().find("'not'"), std::string::npos) << bad_schema.error().message();
}

}  // namespace
}  // namespace zhi
