// The features through the C ABI: JSON in, JSON out, errors as statuses with
// a message, guardrail and progress callbacks from C.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "capi/tiny_capi_model.h"
#include "session/tiny_model.h"
#include "zhi/zhi.h"

namespace {

using Json = nlohmann::json;

zhi_model* model() { return zhi::testing::tiny_capi_model(); }

Json run(const char* feature, const Json& input, const Json& params,
         const zhi_feature_options* o = nullptr, zhi_status expect = ZHI_OK) {
  char* out = nullptr;
  const zhi_status s =
      zhi_feature_run(model(), feature, input.dump().c_str(), params.dump().c_str(), o, &out);
  EXPECT_EQ(s, expect) << feature << ": " << zhi_last_error();
  Json j = out ? Json::parse(out, nullptr, false) : Json();
  zhi_string_free(out);
  return j;
}

TEST(FeaturesCapi, EveryFeatureAnswersJson) {
  const Json thread =
      Json::array({{{"from", "Ben"}, {"text", "Can you send the report by Friday?"}}});
  const struct {
    const char* name;
    Json input;
    Json params;
    const char* key;
  } cases[] = {
      {"proofread", "Teh report is due Friday.", Json::object(), "corrected"},
      {"rewrite", "报告周五交。", {{"tone", "concise"}}, "text"},
      {"summarize", "The report is due Friday. Ben needs it for the board.", Json::object(),
       "summary"},
      {"key-points", "The report is due Friday.", Json::object(), "points"},
      {"list", "Eggs, milk, bread.", Json::object(), "items"},
      {"table", "Apples cost 3, pears cost 4.", Json::object(), "rows"},
      {"notify-summary",
       Json::array({{{"app", "Mail"}, {"sender", "Ben"}, {"body", "Report due Friday"}}}),
       {{"max_chars", 30}},
       "summary"},
      {"thread-summary", thread, Json::object(), "action_items"},
      {"reply", thread, Json::object(), "replies"},
      {"priority", thread, Json::object(), "urgent"},
      {"tags", "Ben from Acme visits Paris on Monday.", Json::object(), "entities"},
  };
  for (const auto& c : cases) {
    Json r = run(c.name, c.input, c.params);
    ASSERT_TRUE(r.is_object()) << c.name;
    EXPECT_TRUE(r.contains(c.key)) << c.name << ": " << r.dump();
    EXPECT_TRUE(r.contains("lang"));
    EXPECT_TRUE(r.contains("coverage"));
  }
  EXPECT_EQ(run("rewrite", "报告周五交。", {{"tone", "concise"}})["lang"], "zh");
}

TEST(FeaturesCapi, SamplingParamsAndSeedsAreHonoured) {
  const Json p = {{"greedy", false}, {"temperature", 1.0}, {"top_k", 0}, {"seed", 9}};
  EXPECT_EQ(run("summarize", "Some text to summarize.", p),
            run("summarize", "Some text to summarize.", p));
}

const char* refuse_blocked(void*, zhi_guardrail_stage stage, const char* text, size_t len) {
  if (stage == ZHI_GUARDRAIL_PROMPT && std::string(text, len).find("blocked") != std::string::npos)
    return "A1.8: cannot help with this";
  return nullptr;
}

void count_progress(void* user, const char* phase, int32_t done, int32_t total) {
  auto* seen = static_cast<std::vector<std::string>*>(user);
  seen->push_back(std::string(phase) + " " + std::to_string(done) + "/" + std::to_string(total));
}

TEST(FeaturesCapi, GuardrailAndProgressCallbacks) {
  zhi_feature_options o;
  zhi_feature_options_init(&o);
  o.guardrail = refuse_blocked;
  Json r = run("tags", "this is blocked text", Json::object(), &o);
  ASSERT_TRUE(r.contains("refused")) << r.dump();
  EXPECT_EQ(r["refused"]["category"], "A1.8");
  EXPECT_EQ(r["refused"]["stage"], "prompt");

  std::vector<std::string> seen;
  o.guardrail = nullptr;
  o.progress = count_progress;
  o.progress_user_data = &seen;
  std::string text;
  for (int i = 0; i < 8; ++i)
    text += "Paragraph " + std::to_string(i) + " talks about topic " + std::to_string(i) + ".\n\n";
  r = run("key-points", text, {{"chunk_tokens", 30}}, &o);
  EXPECT_GT(r["coverage"]["chunks"].get<int>(), 1);
  EXPECT_EQ(r["coverage"]["covered_bytes"], text.size());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "map 1/" + std::to_string(r["coverage"]["chunks"].get<int>()));
  EXPECT_EQ(seen.back().rfind("reduce ", 0), 0u) << seen.back();
}

TEST(FeaturesCapi, FastPromptsOptionIsCheckedAndLoads) {
  zhi_model_options o;
  zhi_model_options_init(&o);
  EXPECT_EQ(o.fast_prompts, 0) << "off by default";
  o.threads = 1;
  zhi_model* m = nullptr;
  o.fast_prompts = 2;
  EXPECT_EQ(zhi_model_load(zhi::testing::tiny_model_path().c_str(), &o, &m), ZHI_INVALID_ARGUMENT);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(zhi_last_error()).find("fast_prompts"), std::string::npos)
      << zhi_last_error();
  o.fast_prompts = 1;
  ASSERT_EQ(zhi_model_load(zhi::testing::tiny_model_path().c_str(), &o, &m), ZHI_OK)
      << zhi_last_error();
  zhi_model_free(m);
}

TEST(FeaturesCapi, ErrorsAreStatusesWithMessages) {
  char* out = reinterpret_cast<char*>(1);
  EXPECT_EQ(zhi_feature_run(model(), "nope", "\"x\"", nullptr, nullptr, &out),
            ZHI_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_NE(std::string(zhi_last_error()).find("nope"), std::string::npos);
  EXPECT_EQ(zhi_feature_run(model(), "summarize", "not json", nullptr, nullptr, &out),
            ZHI_INVALID_ARGUMENT);
  EXPECT_NE(std::string(zhi_last_error()).find("input_json"), std::string::npos);
  EXPECT_EQ(zhi_feature_run(nullptr, "summarize", "\"x\"", nullptr, nullptr, &out),
            ZHI_INVALID_ARGUMENT);
  EXPECT_EQ(zhi_feature_run(model(), "rewrite", "\"x\"", "{\"tone\": \"angry\"}", nullptr, &out),
            ZHI_INVALID_ARGUMENT);
  EXPECT_NE(std::string(zhi_last_error()).find("angry"), std::string::npos);
  EXPECT_EQ(
      zhi_feature_run(model(), "summarize", "\"x\"", "{\"temperature\": \"hot\"}", nullptr, &out),
      ZHI_INVALID_ARGUMENT);
  EXPECT_EQ(zhi_feature_run(model(), "summarize", "\"x\"", nullptr, nullptr, nullptr),
            ZHI_INVALID_ARGUMENT);
}

std::string availability(const char* feature, const Json& q) {
  char* out = nullptr;
  EXPECT_EQ(zhi_feature_availability(feature, q.dump().c_str(), &out), ZHI_OK) << zhi_last_error();
  Json j = Json::parse(out);
  zhi_string_free(out);
  EXPECT_EQ(j["available"].get<bool>(), j["reason"] == "available");
  return j["reason"];
}

TEST(FeaturesCapi, AvailabilityReasons) {
  const Json rollout = {{"region", "cn"},
                        {"features", {{"summarize", true}, {"smart_reply", false}}},
                        {"languages", {"zh-CN"}},
                        {"rollout", {{"enabled", true}, {"percent", 100}}},
                        {"launch_date", "2026-03-01"}};
  Json q = {{"locale", "zh-CN"},
            {"region", "cn"},
            {"model_path", zhi::testing::tiny_model_path()},
            {"rollouts", {rollout}},
            {"today", "2026-03-02"}};
  EXPECT_EQ(availability("summarize", q), "available");
  EXPECT_EQ(availability("reply", q), "feature_off");
  Json early = q;
  early["today"] = "2026-02-28";
  EXPECT_EQ(availability("summarize", early), "before_launch_date");
  Json en = q;
  en["locale"] = "en";
  EXPECT_EQ(availability("summarize", en), "language_unsupported");
  Json eu = q;
  eu["region"] = "eu";
  EXPECT_EQ(availability("summarize", eu), "region_not_enabled");
  Json missing = q;
  missing["model_path"] = "/nonexistent/model.gguf";
  EXPECT_EQ(availability("summarize", missing), "model_missing");
  char* out = nullptr;
  Json bad = q;
  bad["rollouts"][0]["launch_date"] = "someday";
  EXPECT_EQ(zhi_feature_availability("summarize", bad.dump().c_str(), &out), ZHI_INVALID_ARGUMENT);
  EXPECT_NE(std::string(zhi_last_error()).find("launch_date"), std::string::npos);
}

}  // namespace
