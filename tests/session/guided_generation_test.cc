// Structured answers: sampled at temperature 1 from a random model, the text
// always parses and fits the schema, Chinese included; errors are specific.
#include <gtest/gtest.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "session/grammar_matcher.h"
#include "session/json_schema_grammar.h"
#include "session/model_impl.h"
#include "tiny_model.h"
#include "zhi/session.hpp"

namespace zhi {
namespace {

using Json = nlohmann::json;

GenerationOptions sampled(uint64_t seed, int64_t max_tokens = 1500) {
  GenerationOptions g;
  g.temperature = 1.0f;
  g.top_k = 0;
  g.top_p = 1.0f;
  g.min_p = 0.0f;
  g.seed = seed;
  g.max_tokens = max_tokens;
  return g;
}

constexpr const char* kPersonSchema = R"({
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 8},
    "age": {"type": "integer", "minimum": 0, "maximum": 120},
    "tags": {"type": "array", "items": {"enum": ["a", "b", "中文"]}, "maxItems": 3},
    "born": {"type": "string", "format": "date"},
    "score": {"type": "number", "minimum": -1, "maximum": 1}
  },
  "required": ["name", "age", "born"],
  "additionalProperties": false
})";

TEST(GuidedGeneration, SampledAnswersValidate) {
  auto model = testing::tiny_model(2048);
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    auto s = Session::create(model);
    ASSERT_TRUE(s.ok());
    GenerationOptions g = sampled(seed);
    g.json_schema = kPersonSchema;
    std::string last_partial;
    auto r = (*s)->stream("Describe a person as JSON", g, [&](const StreamDelta& d) {
      last_partial = partial_json(d.content);
      return true;
    });
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    Json j = Json::parse(r->content, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r->content;
    EXPECT_EQ(Json::parse(last_partial, nullptr, false), j) << last_partial;
    ASSERT_TRUE(j["name"].is_string());
    ASSERT_TRUE(j["age"].is_number_integer());
    EXPECT_LE(j["age"].get<int>(), 120);
    ASSERT_TRUE(j["born"].is_string());
    EXPECT_EQ(j["born"].get<std::string>().size(), 10u);
    if (j.contains("score")) {
      EXPECT_GE(j["score"].get<double>(), -1.0);
      EXPECT_LE(j["score"].get<double>(), 1.0);
    }
    EXPECT_EQ(r->stats.finish_reason, FinishReason::kEndOfTurn);
  }
}

TEST(GuidedGeneration, SessionsOnManyThreadsShareOneSchema) {
  auto model = testing::tiny_model(2048);
  std::vector<std::string> out(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto s = Session::create(model);
      if (!s.ok()) return;
      GenerationOptions g = sampled(100 + i);
      g.json_schema = kPersonSchema;
      auto r = (*s)->respond("Describe a person as JSON", g);
      if (r.ok()) out[i] = r->content;
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string& text : out) {
    Json j = Json::parse(text, nullptr, false);
    ASSERT_TRUE(j.is_object()) << text;
    EXPECT_TRUE(j.contains("name") && j.contains("age") && j.contains("born")) << text;
  }
}

TEST(GuidedGeneration, ChineseStringContent) {
  auto model = testing::tiny_model(2048);
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  GenerationOptions g = sampled(3);
  g.json_schema = R"({"type": "object", "properties": {"诗": {"type": "string", "pattern": "^[^a-zA-Z0-9]{2,6}$"}}, "required": ["诗"]})";
  auto r = (*s)->respond("写诗", g);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Json j = Json::parse(r->content, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r->content;
  EXPECT_TRUE(j["诗"].is_string());
}

TEST(GuidedGeneration, ErrorsAreSpecific) {
  auto model = testing::tiny_model(2048);
  auto s = Session::create(model);
  ASSERT_TRUE(s.ok());
  GenerationOptions g = sampled(1);
  g.json_schema = R"({"type": "string", "format": "hostname"})";
  auto bad = (*s)->respond("x", g);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidSchema);
  EXPECT_NE(bad.error().message().find("hostname"), std::string::npos);
  g.json_schema = R"({"type": "string", "minLength": 40})";
  g.max_tokens = 5;
  auto short_budget = (*s)->respond("x", g);
  ASSERT_FALSE(short_budget.ok());
  EXPECT_EQ(short_budget.error().code(), ErrorCode::kDecodingFailure);
  EXPECT_TRUE((*s)->transcript().entries.empty());
}

TEST(GuidedGeneration, MasksAreCachedPerState) {
  auto model = testing::tiny_model();
  ModelImpl& m = model->impl();
  auto g = json_schema_grammar(R"({"type": "array", "items": {"type": "boolean"}})");
  ASSERT_TRUE(g.ok());
  auto compiled = std::make_shared<CompiledGrammar>(std::move(g).value());
  GrammarMatcher a(compiled, m.token_trie());
  std::vector<uint64_t> bits = *a.mask();
  // '[' starts the array; nothing else may.
  const int32_t open = m.loaded().tokenizer->encode("[", false)[0];
  EXPECT_TRUE((bits[open >> 6] >> (open & 63)) & 1);
  const int32_t brace = m.loaded().tokenizer->encode("{", false)[0];
  EXPECT_FALSE((bits[brace >> 6] >> (brace & 63)) & 1);
  ASSERT_TRUE(a.accept_bytes("[true, "));
  EXPECT_FALSE(a.complete());
  bits = *a.mask();
  EXPECT_FALSE(a.accept_bytes("]"));  // no trailing comma
  ASSERT_TRUE(a.accept_bytes("false]"));
  EXPECT_TRUE(a.complete());
  GrammarMatcher b(compiled, m.token_trie());
  b.mask();
  EXPECT_GE(compiled->counters().mask_hits, 1);
}

}  // namespace
}  // namespace zhi
