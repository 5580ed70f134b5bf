// Qwen2Context behaviour beyond the goldens: the context window is enforced
// without truncation, and the Q8_0 KV cache stays close to F16.
#include <gtest/gtest.h>

#include <cmath>

#include "golden.h"
#include "model/qwen2_context.h"
#include "test_paths.h"

namespace zhi {
namespace {

std::shared_ptr<const Qwen2Model> conformance_model(const std::string& name) {
  auto m = Qwen2Model::load(testing::conformance_dir() + "/models/" + name + ".gguf");
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  return m.ok() ? m.value() : nullptr;
}

TEST(Qwen2Context, PromptLongerThanContextIsAnErrorAndChangesNothing) {
  ZHI_REQUIRE_CONFORMANCE();
  auto model = conformance_model("conf-q8_0");
  ContextOptions o;
  o.n_ctx = 16;
  auto ctx = Qwen2Context::create(model, o);
  ASSERT_TRUE(ctx.ok());
  std::vector<int32_t> ids(17, 39);
  Status s = ctx.value()->eval(ids);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_NE(s.message().find("context window of 16"), std::string::npos) << s.message();
  EXPECT_EQ(ctx.value()->n_past(), 0);
  ids.resize(16);
  ASSERT_TRUE(ctx.value()->eval(ids).ok());
  const int32_t one = 5;
  EXPECT_FALSE(ctx.value()->eval({&one, 1}).ok());
  EXPECT_EQ(ctx.value()->n_past(), 16);
}

TEST(Qwen2Context, RejectsBadTokensAndOptions) {
  ZHI_REQUIRE_CONFORMANCE();
  auto model = conformance_model("conf-q8_0");
  auto ctx = Qwen2Context::create(model, {});
  ASSERT_TRUE(ctx.ok());
  const int32_t bad[] = {1, -1};
  EXPECT_EQ(ctx.value()->eval(bad).code(), StatusCode::kInvalidArgument);
  const int32_t big = 1 << 20;
  EXPECT_EQ(ctx.value()->eval({&big, 1}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ctx.value()->eval({}).code(), StatusCode::kInvalidArgument);
  ContextOptions o;
  o.n_threads = 0;
  EXPECT_FALSE(Qwen2Context::create(model, o).ok());
  o = {};
  o.kv_type = GgmlType::kQ4_K;
  EXPECT_FALSE(Qwen2Context::create(model, o).ok());
}

TEST(Qwen2Context, Q8KvCacheStaysCloseToF16) {
  ZHI_REQUIRE_CONFORMANCE();
  auto model = conformance_model("conf-f32");
  const auto cases = testing::load_golden(testing::conformance_dir() + "/golden/conf-f32.json");
  const auto& g = cases.back();  // the 100-token prompt
  ContextOptions o;
  o.n_ctx = 128;
  o.kv_type = GgmlType::kQ8_0;
  auto ctx = Qwen2Context::create(model, o);
  ASSERT_TRUE(ctx.ok());
  ASSERT_TRUE(ctx.value()->eval(g.prompt).ok());
  // The pack's logit tolerance: 2% of the reference logits' range.
  float lo = g.last_logits[0], hi = lo, worst = 0;
  for (float v : g.last_logits) lo = std::min(lo, v), hi = std::max(hi, v);
  for (size_t i = 0; i < g.last_logits.size(); ++i)
    worst = std::max(worst, std::fabs(ctx.value()->logits()[i] - g.last_logits[i]));
  EXPECT_LT(worst, 0.02f * (hi - lo));
}

TEST(Qwen2Context, TruncateKeepsPrefix) {
  ZHI_REQUIRE_CONFORMANCE();
  auto model = conformance_model("conf-q8_0");
  ContextOptions o;
  o.n_ctx = 64;
  auto a = Qwen2Context::create(model, o);
  auto b = Qwen2Context::create(model, o);
  const std::vector<int32_t> p1 = {10, 20, 30, 40}, p2 = {10, 20, 99};
  ASSERT_TRUE(a.value()->eval(p1).ok());
  ASSERT_TRUE(a.value()->truncate(2).ok());
  const int32_t t = 99;
  ASSERT_TRUE(a.value()->eval({&t, 1}).ok());
  ASSERT_TRUE(b.value()->eval(p2).ok());
  // Batch shape may change summation order in fast kernels, hence a tolerance.
  for (int64_t i = 0; i < model->config().n_vocab; ++i) ASSERT_NEAR(a.value()->logits()[i], b.value()->logits()[i], 1e-3f);
  EXPECT_FALSE(a.value()->truncate(10).ok());
}

}  // namespace
}  // namespace zhi
