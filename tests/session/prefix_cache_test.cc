// Prefix reuse: within a growing conversation, across sessions with the same
// instructions, after prewarm; LRU and the memory budget.
#include <gtest/gtest.h>

#include "session/model_impl.h"
#include "session/prefix_cache.h"
#include "tiny_model.h"
#include "zhi/session.hpp"

namespace zhi {
namespace {

GenerationOptions greedy(int64_t max_tokens = 8) {
  GenerationOptions g;
  g.greedy = true;
  g.max_tokens = max_tokens;
  return g;
}

TEST(PrefixCache, SecondRequestOfASessionReusesTheConversation) {
  auto model = testing::tiny_model();
  auto s = Session::create(model, testing::with_instructions("You are a cache test."));
  ASSERT_TRUE(s.ok());
  auto first = (*s)->respond("first question", greedy());
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->stats.prefix_cache_hit);
  EXPECT_EQ(first->stats.cached_tokens, 0);
  auto second = (*s)->respond("second question", greedy());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->stats.prefix_cache_hit);
  // At least the instructions and the whole first user turn come from the cache.
  EXPECT_GT(second->stats.cached_tokens, first->stats.prompt_tokens - 2);
  EXPECT_EQ(second->stats.evaluated_tokens, second->stats.prompt_tokens - second->stats.cached_tokens);
  const PrefixCacheStats ms = model->prefix_cache_stats();
  EXPECT_EQ(ms.hits, 1);
  EXPECT_EQ(ms.reused_tokens, second->stats.cached_tokens);
  EXPECT_EQ(ms.entries, 1);
  EXPECT_GT(ms.bytes, 0u);
}

TEST(PrefixCache, SessionsWithTheSameInstructionsShareThePrefix) {
  auto model = testing::tiny_model();
  const std::string instructions = "A long shared system prompt that every session of this app uses.";
  auto a = Session::create(model, testing::with_instructions(instructions));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE((*a)->respond("hello", greedy(2)).ok());
  auto b = Session::create(model, testing::with_instructions(instructions));
  ASSERT_TRUE(b.ok());
  auto rb = (*b)->respond("a different question", greedy(2));
  ASSERT_TRUE(rb.ok());
  EXPECT_TRUE(rb->stats.prefix_cache_hit);
  EXPECT_GT(rb->stats.cached_tokens, 10);
}

TEST(PrefixCache, PrewarmMakesTheFirstRequestAHit) {
  auto model = testing::tiny_model();
  auto s = Session::create(model, testing::with_instructions("Prewarmed instructions for the test."));
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->prewarm("Summarize").ok());
  EXPECT_EQ(model->prefix_cache_stats().entries, 1);
  auto r = (*s)->respond("Summarize this text", greedy(2));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stats.prefix_cache_hit);
  // Everything up to the user's text is reused, and usually a token of it.
  EXPECT_GT(r->stats.cached_tokens, 10);
  auto empty_prefix = Session::create(model, testing::with_instructions("Other instructions."));
  ASSERT_TRUE(empty_prefix.ok());
  EXPECT_TRUE((*empty_prefix)->prewarm().ok());
}

TEST(PrefixCache, LeastRecentlyUsedEntriesAreEvicted) {
  auto model = testing::tiny_model(512, /*prefix_cache_entries=*/2);
  std::vector<std::unique_ptr<Session>> sessions;
  for (int i = 0; i < 3; ++i) {
    auto s = Session::create(model, testing::with_instructions("Instructions number " + std::to_string(i) + " differ at the start."));
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->prewarm().ok());
    sessions.push_back(std::move(s).value());
  }
  const PrefixCacheStats st = model->prefix_cache_stats();
  EXPECT_LE(st.entries, 2);
  model->clear_prefix_cache();
  EXPECT_EQ(model->prefix_cache_stats().entries, 0);
}

TEST(PrefixCache, ByteBudgetBoundsTheCache) {
  ModelOptions o;
  o.context_size = 256;
  o.threads = 1;
  o.prefix_cache_bytes = 1;  // smaller than any KV cache: nothing is kept
  auto model = Model::load(testing::tiny_model_path(), o);
  ASSERT_TRUE(model.ok());
  auto s = Session::create(*model);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->respond("x", greedy(2)).ok());
  EXPECT_EQ((*model)->prefix_cache_stats().entries, 0);
  EXPECT_GE((*model)->prefix_cache_stats().evictions, 1);
}

TEST(PrefixCache, TakesOnlyEntriesWorthTaking) {
  auto model = testing::tiny_model();
  ModelImpl& m = model->impl();
  PrefixCache cache(4, uint64_t{1} << 30);
  auto make = [&](std::vector<int32_t> tokens) {
    int64_t unused = 0;
    auto e = m.acquire(tokens, &unused);
    EXPECT_TRUE(e.ok());
    CachedContext c = std::move(e).value();
    c.tokens = std::move(tokens);
    return c;
  };
  // A long conversation shares 3 tokens with the request: taking it would throw away 7.
  cache.put(make({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  int64_t reuse = -1;
  CachedContext got = cache.take(std::vector<int32_t>{1, 2, 3, 99}, &reuse);
  EXPECT_FALSE(got.ctx);
  EXPECT_EQ(reuse, 0);
  // An exact prefix is always worth taking; reuse stops before the last prompt token.
  cache.put(make({1, 2, 3}));
  got = cache.take(std::vector<int32_t>{1, 2, 3}, &reuse);
  ASSERT_TRUE(got.ctx);
  EXPECT_EQ(reuse, 2);
  EXPECT_EQ(cache.stats().hits, 1);
  EXPECT_EQ(cache.stats().entries, 1);
}

}  // namespace
}  // namespace zhi
