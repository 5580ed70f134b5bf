// The features through the C ABI: JSON in, JSON out, errors as statuses with
// a message, guardrail and progress callbacks from C.
#include <gtest/gtest.h>

#include <cstddef>
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

// Replaces each string with "<" + its byte count + ">".
const char* bracket_length(void* user, const char* text, size_t len) {
  auto* st = static_cast<std::vector<std::string>*>(user);
  st->push_back("<" + std::to_string(len) + ">");
  (void)text;
  return st->back().c_str();
}
const char* keep_text(void* user, const char* text, size_t) {
  ++*static_cast<int*>(user);
  return text;
}
const char* refuse_all(void*, const char*, size_t) { return nullptr; }

// Every string leaf of j outside the run's annotations.
void result_strings(const Json& j, std::vector<std::string>* out) {
  if (j.is_string()) out->push_back(j.get<std::string>());
  if (j.is_array())
    for (const Json& x : j) result_strings(x, out);
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.key() != "lang" && it.key() != "coverage" && it.key() != "refused")
        result_strings(it.value(), out);
}

TEST(FeaturesCapi, OutputFilterSeesEveryResultString) {
  const std::string text = "The quarterly report is late. Send it to Ben by Friday, please.";
  const Json plain = run("key-points", text, Json::object());
  ASSERT_TRUE(plain.is_object()) << plain.dump();
  std::vector<std::string> before;
  result_strings(plain, &before);
  ASSERT_FALSE(before.empty()) << plain.dump();

  zhi_feature_options o;
  zhi_feature_options_init(&o);
  int calls = 0;
  o.output_filter = keep_text;
  o.output_filter_user_data = &calls;
  EXPECT_EQ(run("key-points", text, Json::object(), &o), plain) << "returning text keeps it";
  EXPECT_EQ(calls, static_cast<int>(before.size()));

  std::vector<std::string> storage;
  storage.reserve(before.size());  // the returned pointers must stay valid
  o.output_filter = bracket_length;
  o.output_filter_user_data = &storage;
  const Json replaced = run("key-points", text, Json::object(), &o);
  std::vector<std::string> after;
  result_strings(replaced, &after);
  ASSERT_EQ(after.size(), before.size()) << replaced.dump();
  for (size_t i = 0; i < after.size(); ++i)
    EXPECT_EQ(after[i], "<" + std::to_string(before[i].size()) + ">");
  EXPECT_EQ(replaced["lang"], plain["lang"]) << "annotations are not filtered";

  o.output_filter = refuse_all;
  char* out = reinterpret_cast<char*>(1);
  EXPECT_EQ(zhi_feature_run(model(), "key-points", Json(text).dump().c_str(), nullptr, &o, &out),
            ZHI_GUARDRAIL_VIOLATION);
  EXPECT_EQ(out, nullptr);

  // A caller built against the older header passes a shorter struct; the
  // filter fields beyond its struct_size are not read.
  o.struct_size = offsetof(zhi_feature_options, output_filter);
  EXPECT_EQ(run("key-points", text, Json::object(), &o), plain);
}

// Records each prompt the guardrail is asked about.
const char* record_prompt(void* user, zhi_guardrail_stage stage, const char* text, size_t len) {
  if (stage == ZHI_GUARDRAIL_PROMPT)
    static_cast<std::vector<std::string>*>(user)->emplace_back(text, len);
  return nullptr;
}
// Stars every "4411".
const char* star_digits(void* user, const char* text, size_t len) {
  auto* out = static_cast<std::string*>(user);
  out->assign(text, len);
  for (size_t at = out->find("4411"); at != std::string::npos; at = out->find("4411"))
    out->replace(at, 4, "****");
  return out->c_str();
}

TEST(FeaturesCapi, InputFilterRunsBeforeTheModel) {
  const std::string text = "Order 4411 ships Monday; tell the customer.";
  zhi_feature_options o;
  zhi_feature_options_init(&o);
  std::vector<std::string> prompts;
  o.guardrail = record_prompt;
  o.guardrail_user_data = &prompts;
  const Json plain = run("summarize", text, Json::object(), &o);
  ASSERT_FALSE(prompts.empty());
  EXPECT_NE(prompts.front().find("4411"), std::string::npos) << "precondition";

  prompts.clear();
  std::string storage;
  o.input_filter = star_digits;
  o.input_filter_user_data = &storage;
  const Json masked = run("summarize", text, Json::object(), &o);
  ASSERT_TRUE(masked.is_object()) << masked.dump();
  ASSERT_FALSE(prompts.empty());
  for (const std::string& p : prompts) EXPECT_EQ(p.find("4411"), std::string::npos) << p;
  EXPECT_NE(prompts.front().find("Order ****"), std::string::npos) << prompts.front();

  o.input_filter = refuse_all;
  char* out = reinterpret_cast<char*>(1);
  EXPECT_EQ(zhi_feature_run(model(), "summarize", Json(text).dump().c_str(), nullptr, &o, &out),
            ZHI_GUARDRAIL_VIOLATION);
  EXPECT_EQ(out, nullptr);

  // An older caller's struct ends before input_filter: it is not read.
  prompts.clear();
  o.struct_size = offsetof(zhi_feature_options, input_filter);
  EXPECT_EQ(run("summarize", text, Json::object(), &o), plain);
  ASSERT_FALSE(prompts.empty());
  EXPECT_NE(prompts.front().find("4411"), std::string::npos);
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
