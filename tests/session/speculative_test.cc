// Speculative decoding keeps greedy output exactly as it is without a draft
// model, whatever the draft proposes.
#include <gtest/gtest.h>

#include "test_paths.h"
#include "tiny_model.h"
#include "zhi/session.hpp"

namespace zhi {
namespace {

std::shared_ptr<Model> load(const std::string& path) {
  ModelOptions o;
  o.context_size = 1024;
  o.threads = 1;
  auto m = Model::load(path, o);
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  return m.ok() ? m.value() : nullptr;
}

std::string answer(const std::shared_ptr<Model>& model, const std::shared_ptr<Model>& draft, int draft_tokens,
                   const std::string& prompt, const GenerationOptions& g, ResponseStats* stats = nullptr) {
  SessionOptions o;
  o.instructions = "Be brief.";
  o.draft_model = draft;
  o.draft_tokens = draft_tokens;
  auto s = Session::create(model, o);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  if (!s.ok()) return {};
  auto r = (*s)->respond(prompt, g);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return {};
  if (stats) *stats = r->stats;
  // A second turn continues from the speculative first one.
  auto r2 = (*s)->respond("and then?", g);
  EXPECT_TRUE(r2.ok()) << r2.error().to_string();
  return r->content + "\n--\n" + (r2.ok() ? r2->content : "");
}

TEST(Speculative, GreedyOutputIsIdenticalWithAnyDraft) {
  auto target = load(testing::tiny_model_path());
  auto other = load(testing::tiny_draft_model_path());
  auto same = load(testing::tiny_model_path());
  GenerationOptions g;
  g.greedy = true;
  g.max_tokens = 48;
  int64_t rejected = 0;
  for (const std::string prompt : {"Hello there", "写一首关于秋天的诗", "1 2 3 4 5 6"}) {
    const std::string plain = answer(target, nullptr, 0, prompt, g);
    for (int k : {1, 3, 8}) {
      ResponseStats st;
      EXPECT_EQ(answer(target, other, k, prompt, g, &st), plain) << prompt << " k=" << k;
      rejected += st.draft_proposed - st.draft_accepted;
    }
    ResponseStats st;
    EXPECT_EQ(answer(target, same, 4, prompt, g, &st), plain) << prompt;
    // The same weights as draft: the target agrees with every proposal.
    EXPECT_GT(st.draft_proposed, 0);
    EXPECT_EQ(st.draft_accepted, st.draft_proposed);
  }
  // The other draft disagreed often enough for corrections to be exercised.
  EXPECT_GT(rejected, 10);
}

TEST(Speculative, StopStringsAndLimitsMatchToo) {
  auto target = load(testing::tiny_model_path());
  auto other = load(testing::tiny_draft_model_path());
  GenerationOptions g;
  g.greedy = true;
  g.max_tokens = 40;
  const std::string plain = answer(target, nullptr, 0, "count", g);
  ASSERT_GT(plain.size(), 6u);
  g.stop = {plain.substr(3, 2)};
  EXPECT_EQ(answer(target, other, 4, "count", g), answer(target, nullptr, 0, "count", g));
  g.stop.clear();
  for (int64_t n : {0, 1, 2, 5}) {
    g.max_tokens = n;
    EXPECT_EQ(answer(target, other, 4, "count", g), answer(target, nullptr, 0, "count", g)) << n;
  }
}

TEST(Speculative, DraftMustShareTheVocabulary) {
  ZHI_REQUIRE_CONFORMANCE();
  auto target = load(testing::tiny_model_path());
  auto foreign = load(testing::conformance_dir() + "/models/conf-q8_0.gguf");
  ASSERT_TRUE(foreign);
  SessionOptions o;
  o.draft_model = foreign;
  auto s = Session::create(target, o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.error().message().find("draft_model"), std::string::npos);
  o.draft_model = target;
  o.draft_tokens = -1;
  EXPECT_EQ(Session::create(target, o).error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace zhi
