// Every feature on the tiny random-weight model: its text means nothing, but
// guided generation makes every answer schema-valid, and the code-side
// guarantees (edits apply, length limits, tiling, refusals) must hold.
#include "zhi/features.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "feature_shapes.h"
#include "features/edit_verifier.h"
#include "features/text_utils.h"
#include "session/tiny_model.h"

namespace zhi::features {
namespace {

using Json = nlohmann::json;

std::shared_ptr<Model> model() {
  static std::shared_ptr<Model> m = zhi::testing::tiny_model(8192);
  return m;
}

FeatureOptions sampled(uint64_t seed) {
  FeatureOptions o;
  o.generation.temperature = 1.0f;
  o.generation.top_k = 0;
  o.generation.top_p = 1.0f;
  o.generation.min_p = 0.0f;
  o.generation.seed = seed;
  return o;
}

const char* kEnText =
    "The quarterly review is on Friday at 3 pm in room 4B. Anna will present the sales figures, "
    "which rose 12% to 4.2 million dollars. Please send your slides to Ben by Thursday noon.";
const char* kZhText =
    "季度评审会定在周五下午三点，在4B会议室。安娜将介绍销售数据，销售额增长12%"
    "，达到420万元。请在周四中午前把幻灯片发给王斌。";

Json input_for(Feature f, bool zh) {
  if (f == Feature::kNotifySummary) {
    return Json::array({{{"app", "Mail"},
                         {"sender", zh ? "王斌" : "Ben"},
                         {"title", zh ? "评审会" : "Review"},
                         {"body", zh ? "周五下午三点开会" : "Meeting Friday 3 pm"},
                         {"time", "09:00"}},
                        {{"app", "Mail"},
                         {"sender", zh ? "安娜" : "Anna"},
                         {"title", zh ? "幻灯片" : "Slides"},
                         {"body", zh ? "请周四前发给我" : "Send them by Thursday"},
                         {"time", "09:05"}}});
  }
  if (f == Feature::kThreadSummary || f == Feature::kReply) {
    return Json::array({{{"from", zh ? "王斌" : "Ben"}, {"text", zh ? kZhText : kEnText}},
                        {{"from", zh ? "安娜" : "Anna"},
                         {"text", zh ? "周五我有空吗？要不要改到下周一？"
                                     : "Am I free Friday? Should we move it to Monday?"}}});
  }
  return zh ? kZhText : kEnText;
}

Json params_for(Feature f) {
  if (f == Feature::kRewrite) return {{"tone", "friendly"}};
  if (f == Feature::kNotifySummary) return {{"max_chars", 24}};
  return Json::object();
}

TEST(Features, EveryFeatureIsSchemaValidInBothLanguages) {
  for (Feature f : all_features()) {
    for (bool zh : {false, true}) {
      SCOPED_TRACE(std::string(feature_name(f)) + (zh ? " zh" : " en"));
      auto r = run_feature(model(), f, input_for(f, zh), params_for(f), sampled(7));
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      EXPECT_EQ(testing::shape_problem(f, *r), "") << r->dump();
      EXPECT_EQ((*r)["lang"], zh ? "zh" : "en");
      EXPECT_FALSE(r->contains("refused"));
      EXPECT_EQ((*r)["coverage"]["chunks"], 1);
      EXPECT_EQ((*r)["coverage"]["covered_bytes"], (*r)["coverage"]["input_bytes"]);
    }
  }
}

TEST(Features, LanguageCanBeAskedFor) {
  auto r = run_feature(model(), Feature::kSummarize, kZhText, {{"lang", "en"}}, sampled(1));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)["lang"], "en");
  FeatureOptions o = sampled(1);
  o.language = Language::kZh;
  auto s = summarize(model(), kEnText, o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->info.language, Language::kZh);
}

TEST(Features, ProofreadEditsReproduceTheCorrectedText) {
  for (uint64_t seed = 1; seed <= 2; ++seed) {
    for (const char* text : {kEnText, kZhText}) {
      auto r = proofread(model(), text, sampled(seed));
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      auto applied = apply_edits(text, r->edits);
      ASSERT_TRUE(applied.ok()) << applied.error().to_string();
      EXPECT_EQ(*applied, r->corrected);
      EXPECT_EQ(r->check.proposed, r->check.kept + r->check.repaired + r->check.dropped);
      for (const Edit& e : r->edits)
        EXPECT_EQ(std::string_view(text).substr(e.start, e.end - e.start), e.original);
    }
  }
}

TEST(Features, NotificationSummaryFitsMaxChars) {
  for (int max_chars : {8, 15, 40}) {
    for (bool zh : {false, true}) {
      auto r = run_feature(model(), Feature::kNotifySummary, input_for(Feature::kNotifySummary, zh),
                           {{"max_chars", max_chars}}, sampled(static_cast<uint64_t>(max_chars)));
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      const std::string s = (*r)["summary"];
      EXPECT_LE(char_count(s), static_cast<size_t>(max_chars)) << s;
      EXPECT_EQ(s.find('\n'), std::string::npos);
    }
  }
  auto bad = run_feature(model(), Feature::kNotifySummary,
                         input_for(Feature::kNotifySummary, false), {{"max_chars", 0}}, sampled(1));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("max_chars"), std::string::npos);
}

TEST(Features, SmartReplyAtMostThree) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto r = smart_reply(model(), {{"Ben", "Can you make it on Friday at 3?", ""}}, sampled(seed));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_LE(r->replies.size(), 3u);
    EXPECT_GE(r->replies.size(), 1u);
    for (const auto& q : r->questions) EXPECT_GE(q.options.size(), 1u);
  }
}

TEST(Features, LongInputIsChunkedAndFullyCovered) {
  std::string text;
  for (int i = 0; i < 12; ++i) {
    text += "Paragraph " + std::to_string(i) + ": the team met on day " + std::to_string(i) +
            " and agreed on item " + std::to_string(i * 7) +
            ". Nothing else happened that day.\n\n";
  }
  for (Feature f : {Feature::kSummarize, Feature::kTable}) {
    SCOPED_TRACE(feature_name(f));
    FeatureOptions o = sampled(3);
    o.chunk_tokens = 60;
    std::vector<Progress> seen;
    o.progress = [&](const Progress& p) { seen.push_back(p); };
    auto r = run_feature(model(), f, text, nullptr, o);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(testing::shape_problem(f, *r), "");
    const Json& c = (*r)["coverage"];
    EXPECT_EQ(c["input_bytes"], text.size());
    EXPECT_EQ(c["covered_bytes"], text.size());
    EXPECT_GT(c["chunks"].get<int>(), 2);
    // One progress report per map call, then at least one reduce call.
    int maps = 0, reduces = 0;
    for (const Progress& p : seen) (p.phase == "map" ? maps : reduces)++;
    EXPECT_EQ(maps, c["chunks"].get<int>());
    EXPECT_GE(reduces, 1);
    EXPECT_EQ(seen.back().done, seen.back().total);
  }
}

TEST(Features, LongProofreadKeepsEveryByteOutsideTheEdits) {
  std::string text;
  for (int i = 0; i < 8; ++i)
    text += "第" + std::to_string(i) + "段：今天天汽很好，我们去公圆玩。\n\n";
  FeatureOptions o = sampled(5);
  o.chunk_tokens = 40;
  auto r = proofread(model(), text, o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_GT(r->info.coverage.chunks, 1);
  EXPECT_EQ(r->info.coverage.covered_bytes, text.size());
  auto applied = apply_edits(text, r->edits);
  ASSERT_TRUE(applied.ok()) << applied.error().to_string();
  EXPECT_EQ(*applied, r->corrected);
}

TEST(Features, GuardrailRefusalShowsUpInTheResult) {
  FeatureOptions o = sampled(1);
  std::atomic<int> calls{0};
  o.guardrail = [&](GuardrailStage stage, std::string_view text) {
    ++calls;
    if (stage == GuardrailStage::kPrompt && text.find("forbidden") != std::string_view::npos)
      return GuardrailVerdict{false, "A1.8: this request cannot be processed"};
    return GuardrailVerdict{};
  };
  auto r = run_feature(model(), Feature::kSummarize, "Please summarize this forbidden text.",
                       nullptr, o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_TRUE(r->contains("refused"));
  EXPECT_EQ((*r)["refused"]["stage"], "prompt");
  EXPECT_EQ((*r)["refused"]["category"], "A1.8");
  EXPECT_EQ((*r)["refused"]["message"], "A1.8: this request cannot be processed");
  EXPECT_EQ((*r)["summary"], "");
  EXPECT_EQ(testing::shape_problem(Feature::kSummarize, *r), "");
  // Allowed text passes the same hook, which saw the prompt and the answer.
  calls = 0;
  auto ok = tag_content(model(), "A harmless note about lunch.", o);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_FALSE(ok->info.refused.has_value());
  EXPECT_GE(calls.load(), 2);

  // Refusing the answer (response stage) is reported the same way.
  FeatureOptions ro = sampled(2);
  ro.guardrail = [](GuardrailStage stage, std::string_view) {
    return stage == GuardrailStage::kResponse ? GuardrailVerdict{false, "no answers today"}
                                              : GuardrailVerdict{};
  };
  auto p = priority(model(), "Server is down!", ro);
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  ASSERT_TRUE(p->info.refused.has_value());
  EXPECT_EQ(p->info.refused->stage, "response");
  EXPECT_EQ(p->info.refused->category, "guardrail");
}

TEST(Features, InputFilterRunsBeforeTheModel) {
  const std::string text = "Ask Li about order secret-4411 before noon.";
  std::vector<std::string> prompts;
  std::mutex mu;
  FeatureOptions o = sampled(1);
  o.guardrail = [&](GuardrailStage stage, std::string_view t) {
    std::lock_guard<std::mutex> lock(mu);
    if (stage == GuardrailStage::kPrompt) prompts.emplace_back(t);
    return GuardrailVerdict{};
  };
  auto plain = run_feature(model(), Feature::kSummarize, text, nullptr, o);
  ASSERT_TRUE(plain.ok()) << plain.error().to_string();
  ASSERT_FALSE(prompts.empty());
  EXPECT_NE(prompts.front().find("secret-4411"), std::string::npos) << "precondition";

  prompts.clear();
  int calls = 0;
  o.input_filter = [&](std::string_view t) -> Expected<std::string> {
    ++calls;
    std::string s(t);
    const size_t at = s.find("secret-4411");
    if (at != std::string::npos) s.replace(at, 11, std::string(11, '*'));
    return s;
  };
  auto masked = run_feature(model(), Feature::kSummarize, text, nullptr, o);
  ASSERT_TRUE(masked.ok()) << masked.error().to_string();
  EXPECT_EQ(calls, 1) << "the input is filtered once, before it is split";
  ASSERT_FALSE(prompts.empty());
  for (const std::string& p : prompts) {
    EXPECT_EQ(p.find("secret-4411"), std::string::npos) << p;
  }
  EXPECT_NE(prompts.front().find("***********"), std::string::npos) << prompts.front();
  EXPECT_EQ((*masked)["coverage"]["input_bytes"], text.size());

  // A failing filter fails the request with its error; nothing runs.
  prompts.clear();
  o.input_filter = [](std::string_view) -> Expected<std::string> {
    return Error(ErrorCode::kGuardrailViolation, "input blocked");
  };
  auto failed = run_feature(model(), Feature::kSummarize, text, nullptr, o);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kGuardrailViolation);
  EXPECT_TRUE(prompts.empty());

  // A filter that leaves nothing is bad input, not an empty summary.
  o.input_filter = [](std::string_view) -> Expected<std::string> { return std::string("  "); };
  auto emptied = run_feature(model(), Feature::kSummarize, text, nullptr, o);
  ASSERT_FALSE(emptied.ok());
  EXPECT_EQ(emptied.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(emptied.error().message().find("input filter"), std::string::npos)
      << emptied.error().message();
}

TEST(Features, BadInputIsAClearError) {
  const struct {
    Feature f;
    Json input;
    Json params;
    const char* says;
  } cases[] = {
      {Feature::kSummarize, "   ", nullptr, "empty"},
      {Feature::kSummarize, 42, nullptr, "input"},
      {Feature::kSummarize, Json::array({"a"}), nullptr, "takes text"},
      {Feature::kRewrite, "Hello", nullptr, "tone"},
      {Feature::kRewrite, "Hello", {{"tone", "angry"}}, "angry"},
      {Feature::kNotifySummary, Json::array({{{"app", 3}}}), nullptr, "input[0].app"},
      {Feature::kThreadSummary, Json::array({{{"from", "a"}}}), nullptr, "no text"},
      {Feature::kTags, "text", {{"lang", "fr"}}, "fr"},
      {Feature::kTags, "text", "not an object", "params"},
  };
  for (const auto& c : cases) {
    auto r = run_feature(model(), c.f, c.input, c.params, sampled(1));
    ASSERT_FALSE(r.ok()) << c.input.dump();
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
  }
  EXPECT_EQ(run_feature(nullptr, Feature::kTags, "x", nullptr).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(Features, ContextTooSmallForTheInstructionsIsReported) {
  auto small = zhi::testing::tiny_model(256);
  auto r = run_feature(small, Feature::kThreadSummary, kEnText, nullptr, sampled(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kContextWindowExceeded);
}

TEST(Features, LanguageDetectionByScript) {
  EXPECT_EQ(detect_language(kZhText), Language::kZh);
  EXPECT_EQ(detect_language(kEnText), Language::kEn);
  EXPECT_EQ(detect_language("iPhone 17 发布会在9月举行"), Language::kZh);
  EXPECT_EQ(detect_language("Meeting with 王 tomorrow about the budget"), Language::kEn);
  EXPECT_EQ(detect_language("12345"), Language::kEn);
  EXPECT_EQ(char_count("中文ab"), 4u);
}

}  // namespace
}  // namespace zhi::features
