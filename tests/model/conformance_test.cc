// Every conformance model agrees with its golden file, through the batched
// forward pass, token-by-token decoding, and the reference oracle.
#include <gtest/gtest.h>

#include <filesystem>

#include "golden.h"
#include "model/qwen2_context.h"
#include "model/reference_forward.h"
#include "test_paths.h"

namespace zhi {
namespace {

std::vector<std::string> golden_names() {
  return {"conf-f32",   "conf-f16",   "conf-bf16",   "conf-q8_0",    "conf-q4_0",
          "conf-q4_1",  "conf-q5_0",  "conf-q5_1",   "conf-q2_k",    "conf-q3_k_m",
          "conf-q4_k_m", "conf-q5_k_m", "conf-q6_k", "conf-iq4_nl",  "conf-iq4_xs",
          "conf-untied-q8_0", "conf-yarn-f32", "conf-split-q4_k_m-00001-of-00003"};
}

class Conformance : public ::testing::TestWithParam<std::string> {};

std::vector<int32_t> greedy_continue(Qwen2Context& ctx, int32_t first, int n) {
  std::vector<int32_t> out{first};
  while (static_cast<int>(out.size()) < n) {
    const int32_t tok = out.back();
    EXPECT_TRUE(ctx.eval({&tok, 1}).ok());
    out.push_back(testing::argmax(ctx.logits(), ctx.config().n_vocab));
  }
  return out;
}

TEST_P(Conformance, MatchesGoldenBatchedAndStepwise) {
  ZHI_REQUIRE_CONFORMANCE();
  const std::string dir = testing::conformance_dir();
  auto model = Qwen2Model::load(dir + "/models/" + GetParam() + ".gguf");
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  const int64_t n_vocab = model.value()->config().n_vocab;
  const auto cases = testing::load_golden(dir + "/golden/" + GetParam() + ".json");
  ASSERT_EQ(cases.size(), 4u);
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const auto& g = cases[ci];
    SCOPED_TRACE("prompt " + std::to_string(ci));
    ContextOptions opts;
    opts.n_ctx = 256;
    opts.n_threads = 2;
    auto ctx = Qwen2Context::create(model.value(), opts);
    ASSERT_TRUE(ctx.ok()) << ctx.status().to_string();
    ASSERT_TRUE(ctx.value()->eval(g.prompt, /*all_logits=*/true).ok());
    std::vector<float> logits(ctx.value()->logits(0), ctx.value()->logits(0) + g.prompt.size() * n_vocab);
    EXPECT_EQ(testing::compare_prompt_logits(g, logits, n_vocab), "");
    const auto batched = greedy_continue(**ctx, testing::argmax(ctx.value()->logits(), n_vocab), 16);
    EXPECT_EQ(testing::compare_greedy(g, batched), "");

    // Token-by-token prefill with one thread gives the same greedy tokens.
    opts.n_threads = 1;
    auto step_ctx = Qwen2Context::create(model.value(), opts);
    ASSERT_TRUE(step_ctx.ok());
    for (int32_t t : g.prompt) ASSERT_TRUE(step_ctx.value()->eval({&t, 1}).ok());
    const auto stepwise = greedy_continue(**step_ctx, testing::argmax(step_ctx.value()->logits(), n_vocab), 16);
    EXPECT_EQ(stepwise, batched);
  }
}

TEST_P(Conformance, ReferenceOracleMatchesGolden) {
  ZHI_REQUIRE_CONFORMANCE();
  const std::string dir = testing::conformance_dir();
  auto model = Qwen2Model::load(dir + "/models/" + GetParam() + ".gguf");
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  const auto cases = testing::load_golden(dir + "/golden/" + GetParam() + ".json");
  for (const auto& g : cases) {
    auto logits = reference_logits(*model.value(), g.prompt);
    ASSERT_TRUE(logits.ok());
    EXPECT_EQ(testing::compare_prompt_logits(g, logits.value(), model.value()->config().n_vocab), "");
  }
}

INSTANTIATE_TEST_SUITE_P(Models, Conformance, ::testing::ValuesIn(golden_names()),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& ch : s)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

}  // namespace
}  // namespace zhi
