#include "session/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace zhi {
namespace {

// A config with every filter off: temperature 1, plain softmax draw.
SamplerConfig plain_config() {
  SamplerConfig c;
  c.temperature = 1.0f;
  c.top_k = 0;
  c.top_p = 1.0f;
  c.min_p = 0.0f;
  c.seed = 1234;
  return c;
}

Sampler make(const SamplerConfig& config, int32_t vocab) {
  auto s = Sampler::create(config, vocab);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return std::move(s).value();
}

int32_t sample_ok(Sampler& s, const std::vector<float>& logits) {
  auto r = s.sample(logits);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : -1;
}

// Survivor id -> probability, order-independent.
std::map<int32_t, float> survivors(const Sampler& s) {
  std::map<int32_t, float> m;
  for (const auto& c : s.candidates()) m[c.id] = c.prob;
  return m;
}

std::vector<float> logs_of(const std::vector<double>& probs) {
  std::vector<float> l;
  for (const double p : probs) l.push_back(static_cast<float>(std::log(p)));
  return l;
}

std::string validate_message(SamplerConfig c) {
  const Status s = c.validate();
  EXPECT_FALSE(s.ok());
  return s.message();
}

TEST(SamplerConfigTest, DefaultsAreValid) { EXPECT_TRUE(SamplerConfig{}.validate().ok()); }

TEST(SamplerConfigTest, NamesTheFieldOutOfRange) {
  SamplerConfig c;
  c.top_p = 1.5f;
  EXPECT_EQ(validate_message(c), "top_p: must be in (0, 1], got 1.5");
  c = {};
  c.top_p = 0.0f;
  EXPECT_EQ(validate_message(c), "top_p: must be in (0, 1], got 0");
  c = {};
  c.temperature = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(validate_message(c).find("temperature:"), std::string::npos);
  c = {};
  c.top_k = -1;
  EXPECT_NE(validate_message(c).find("top_k:"), std::string::npos);
  c = {};
  c.min_p = -0.1f;
  EXPECT_NE(validate_message(c).find("min_p:"), std::string::npos);
  c = {};
  c.repeat_penalty = 0.0f;
  EXPECT_NE(validate_message(c).find("repeat_penalty:"), std::string::npos);
  c = {};
  c.repeat_last_n = -2;
  EXPECT_NE(validate_message(c).find("repeat_last_n:"), std::string::npos);
  c = {};
  c.presence_penalty = 2.5f;
  EXPECT_NE(validate_message(c).find("presence_penalty:"), std::string::npos);
  c = {};
  c.frequency_penalty = -3.0f;
  EXPECT_NE(validate_message(c).find("frequency_penalty:"), std::string::npos);
  // Negative temperature means greedy, as in llama.cpp.
  c = {};
  c.temperature = -1.0f;
  EXPECT_TRUE(c.validate().ok());
  EXPECT_TRUE(c.is_greedy());
}

TEST(SamplerTest, RejectsBadSizesAndTokens) {
  EXPECT_FALSE(Sampler::create(SamplerConfig{}, 0).ok());
  SamplerConfig bad;
  bad.top_p = 2.0f;
  EXPECT_FALSE(Sampler::create(bad, 10).ok());
  Sampler s = make(SamplerConfig{}, 4);
  const auto r = s.sample(std::vector<float>{1, 2, 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "logits: expected 4 values, got 3");
  EXPECT_FALSE(s.accept(4).ok());
  EXPECT_FALSE(s.accept(-1).ok());
  EXPECT_TRUE(s.accept(3).ok());
}

TEST(SamplerTest, GreedyIsArgmaxWithLowestIdOnTies) {
  SamplerConfig c;
  c.temperature = 0.0f;
  Sampler s = make(c, 6);
  EXPECT_EQ(sample_ok(s, {-5, -1, -3, -1, -2, -9}), 1);
  EXPECT_EQ(sample_ok(s, {0, 7, 7, 7, 0, 0}), 1);
  EXPECT_EQ(sample_ok(s, {3, 3, 3, 3, 3, 3}), 0);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(sample_ok(s, {nan, 1, nan, 2, nan, nan}), 3);
  ASSERT_EQ(s.candidates().size(), 1u);
  EXPECT_EQ(s.candidates()[0].id, 3);
  EXPECT_EQ(s.candidates()[0].prob, 1.0f);
}

TEST(SamplerTest, TopKKeepsTheKHighest) {
  SamplerConfig c = plain_config();
  c.top_k = 2;
  Sampler s = make(c, 5);
  const int32_t t = sample_ok(s, {1, 5, 3, 5, 2});
  EXPECT_TRUE(t == 1 || t == 3);
  const auto cands = s.candidates();
  ASSERT_EQ(cands.size(), 2u);
  EXPECT_EQ(cands[0].id, 1);  // sorted, lower id first on ties
  EXPECT_EQ(cands[1].id, 3);
  EXPECT_FLOAT_EQ(cands[0].prob, 0.5f);
  EXPECT_FLOAT_EQ(cands[1].prob, 0.5f);
  // Ties at the cut go to the lower id.
  c.top_k = 1;
  Sampler s1 = make(c, 5);
  EXPECT_EQ(sample_ok(s1, {1, 5, 3, 5, 2}), 1);
}

TEST(SamplerTest, TopKMatchesBruteForceWithManyTies) {
  std::mt19937 rng(3);
  constexpr int32_t kVocab = 1000;
  for (const int32_t k : {1, 2, 5, 40, 333, 500, 501, 999}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> logits(kVocab);
      // Few distinct values, so the cut almost always falls inside a run of ties.
      for (auto& l : logits) l = static_cast<float>(rng() % 7);
      if (trial % 4 == 1) logits[rng() % kVocab] = std::numeric_limits<float>::quiet_NaN();
      if (trial % 4 == 2) logits[rng() % kVocab] = -std::numeric_limits<float>::infinity();
      std::vector<int32_t> order(kVocab);
      for (int32_t i = 0; i < kVocab; ++i) order[static_cast<size_t>(i)] = i;
      std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        const float la = std::isnan(logits[a]) ? -INFINITY : logits[a];
        const float lb = std::isnan(logits[b]) ? -INFINITY : logits[b];
        return la > lb || (la == lb && a < b);
      });
      order.resize(static_cast<size_t>(k));

      SamplerConfig c = plain_config();
      c.top_k = k;
      Sampler s = make(c, kVocab);
      sample_ok(s, logits);
      std::vector<int32_t> got;
      for (const auto& cand : s.candidates()) got.push_back(cand.id);
      ASSERT_EQ(got, order) << "k=" << k << " trial " << trial;
    }
  }
}

TEST(SamplerTest, TopPKeepsShortestPrefixReachingP) {
  SamplerConfig c = plain_config();
  const std::vector<float> logits = logs_of({0.05, 0.5, 0.15, 0.3});
  c.top_p = 0.75f;  // 0.5 + 0.3 >= 0.75
  Sampler s = make(c, 4);
  sample_ok(s, logits);
  auto m = survivors(s);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NEAR(m[1], 0.5 / 0.8, 1e-6);
  EXPECT_NEAR(m[3], 0.3 / 0.8, 1e-6);
  EXPECT_EQ(s.candidates()[0].id, 1);

  c.top_p = 0.85f;  // needs the 0.15 too
  Sampler s2 = make(c, 4);
  sample_ok(s2, logits);
  EXPECT_EQ(survivors(s2).size(), 3u);
  EXPECT_EQ(survivors(s2).count(0), 0u);

  c.top_p = 0.1f;  // the top token alone already reaches it
  Sampler s3 = make(c, 4);
  EXPECT_EQ(sample_ok(s3, logits), 1);
  EXPECT_EQ(s3.candidates().size(), 1u);
}

TEST(SamplerTest, TopPOverWholeVocabularyMatchesBruteForce) {
  // Without top-k the sampler sorts only as much as the mass needs; the set must be the
  // one a full sort gives, wherever the cut lands (inside or past the first rounds).
  std::mt19937 rng(11);
  constexpr int32_t kVocab = 5000;
  std::vector<float> logits(kVocab);
  for (auto& l : logits) l = static_cast<float>(rng() % 100000) / 20000.0f;  // [0, 5)
  std::vector<int32_t> order(kVocab);
  for (int32_t i = 0; i < kVocab; ++i) order[static_cast<size_t>(i)] = i;
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
  });
  const float max_logit = logits[static_cast<size_t>(order[0])];
  double norm = 0.0;  // same terms, same order as the sampler
  for (const float l : logits) norm += std::exp(l - max_logit);
  for (const float top_p : {0.001f, 0.05f, 0.3f, 0.9f, 0.999f}) {
    const double target = static_cast<double>(top_p) * norm;
    double cum = 0.0;
    size_t keep = 0;
    while (keep < order.size()) {
      cum += std::exp(logits[static_cast<size_t>(order[keep])] - max_logit);
      ++keep;
      if (cum >= target) break;
    }
    SamplerConfig c = plain_config();
    c.top_p = top_p;
    Sampler s = make(c, kVocab);
    sample_ok(s, logits);
    std::vector<int32_t> got;
    for (const auto& cand : s.candidates()) got.push_back(cand.id);
    EXPECT_EQ(got, std::vector<int32_t>(order.begin(), order.begin() + static_cast<ptrdiff_t>(keep)))
        << "top_p " << top_p << " keeps " << keep;
  }
}

TEST(SamplerTest, TopPNormalizesOverWhatTopKLeft) {
  // After top-k=2 the distribution is {0.5, 0.3}/0.8 = {0.625, 0.375}; top_p 0.6 then
  // keeps only the first, where over the full vocabulary 0.5 < 0.6 would keep two.
  SamplerConfig c = plain_config();
  c.top_k = 2;
  c.top_p = 0.6f;
  Sampler s = make(c, 4);
  EXPECT_EQ(sample_ok(s, logs_of({0.05, 0.5, 0.15, 0.3})), 1);
  EXPECT_EQ(s.candidates().size(), 1u);
}

TEST(SamplerTest, MinPKeepsTokensNearTheTop) {
  SamplerConfig c = plain_config();
  const std::vector<float> logits = logs_of({0.05, 0.5, 0.15, 0.3});
  c.min_p = 0.2f;  // threshold 0.1: drops 0.05
  Sampler s = make(c, 4);
  sample_ok(s, logits);
  auto m = survivors(s);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_NEAR(m[1], 0.5 / 0.95, 1e-6);
  EXPECT_NEAR(m[2], 0.15 / 0.95, 1e-6);
  EXPECT_NEAR(m[3], 0.3 / 0.95, 1e-6);
  // Without top-k/top-p nothing is sorted: survivors stay in id order.
  EXPECT_EQ(s.candidates()[0].id, 1);
  EXPECT_EQ(s.candidates()[2].id, 3);

  c.min_p = 0.5f;  // threshold 0.25
  Sampler s2 = make(c, 4);
  sample_ok(s2, logits);
  EXPECT_EQ(survivors(s2).size(), 2u);
}

TEST(SamplerTest, TopPThenMinPIntersect) {
  SamplerConfig c = plain_config();
  c.top_p = 0.99f;  // would keep 0.5, 0.3, 0.15, 0.05 (cum 0.95 < 0.99)
  c.min_p = 0.2f;   // drops 0.05
  Sampler s = make(c, 5);
  sample_ok(s, logs_of({0.05, 0.5, 0.15, 0.3, 1e-6}));
  EXPECT_EQ(survivors(s).size(), 3u);
  c.top_p = 0.7f;   // keeps 0.5, 0.3
  c.min_p = 0.2f;
  Sampler s2 = make(c, 5);
  sample_ok(s2, logs_of({0.05, 0.5, 0.15, 0.3, 1e-6}));
  EXPECT_EQ(survivors(s2).size(), 2u);
}

TEST(SamplerTest, TemperatureSharpensAfterFiltering) {
  SamplerConfig c = plain_config();
  const std::vector<float> logits = {0.0f, std::log(3.0f)};
  Sampler s1 = make(c, 2);
  sample_ok(s1, logits);
  EXPECT_NEAR(survivors(s1)[1], 0.75, 1e-6);
  c.temperature = 2.0f;
  Sampler s2 = make(c, 2);
  sample_ok(s2, logits);
  EXPECT_NEAR(survivors(s2)[1], std::sqrt(3.0) / (1 + std::sqrt(3.0)), 1e-6);
  c.temperature = 0.5f;
  Sampler s3 = make(c, 2);
  sample_ok(s3, logits);
  EXPECT_NEAR(survivors(s3)[1], 0.9, 1e-6);
  // Filters see temperature-1 probabilities: min_p 0.5 drops p=0.25 whatever the temperature.
  c.temperature = 10.0f;
  c.min_p = 0.5f;
  Sampler s4 = make(c, 2);
  EXPECT_EQ(sample_ok(s4, logits), 1);
  EXPECT_EQ(s4.candidates().size(), 1u);
}

TEST(SamplerTest, RepeatPenaltyDividesPositiveAndMultipliesNegative) {
  SamplerConfig c = plain_config();
  c.repeat_penalty = 2.0f;
  Sampler s = make(c, 4);
  ASSERT_TRUE(s.accept(0).ok());
  ASSERT_TRUE(s.accept(1).ok());
  ASSERT_TRUE(s.accept(1).ok());  // counted once: repeat penalty ignores counts
  sample_ok(s, {2.0f, -2.0f, 1.0f, 0.5f});
  std::map<int32_t, float> logit;
  for (const auto& cand : s.candidates()) logit[cand.id] = cand.logit;
  EXPECT_EQ(logit[0], 1.0f);
  EXPECT_EQ(logit[1], -4.0f);
  EXPECT_EQ(logit[2], 1.0f);
  EXPECT_EQ(logit[3], 0.5f);
  // Greedy sees the penalized logits: 0 and 2 now tie, the lower id wins.
  c.temperature = 0.0f;
  Sampler g = make(c, 4);
  ASSERT_TRUE(g.accept(0).ok());
  EXPECT_EQ(sample_ok(g, {2.0f, -2.0f, 1.0f, 0.5f}), 0);
  ASSERT_TRUE(g.accept(0).ok());
  c.repeat_penalty = 2.5f;
  Sampler g2 = make(c, 4);
  ASSERT_TRUE(g2.accept(0).ok());
  EXPECT_EQ(sample_ok(g2, {2.0f, -2.0f, 1.0f, 0.5f}), 2);
}

TEST(SamplerTest, PresenceAndFrequencyPenaltiesUseCounts) {
  SamplerConfig c = plain_config();
  c.presence_penalty = 1.0f;
  c.frequency_penalty = 0.5f;
  Sampler s = make(c, 3);
  for (const int32_t t : {0, 0, 0, 1}) ASSERT_TRUE(s.accept(t).ok());
  sample_ok(s, {3.0f, 3.0f, 3.0f});
  std::map<int32_t, float> logit;
  for (const auto& cand : s.candidates()) logit[cand.id] = cand.logit;
  EXPECT_FLOAT_EQ(logit[0], 3.0f - 1.5f - 1.0f);
  EXPECT_FLOAT_EQ(logit[1], 3.0f - 0.5f - 1.0f);
  EXPECT_FLOAT_EQ(logit[2], 3.0f);
}

std::map<int32_t, float> penalized_logits(Sampler& s, int32_t vocab) {
  sample_ok(s, std::vector<float>(static_cast<size_t>(vocab), 1.0f));
  std::map<int32_t, float> logit;
  for (const auto& cand : s.candidates()) logit[cand.id] = cand.logit;
  return logit;
}

TEST(SamplerTest, PenaltyWindowSlides) {
  SamplerConfig c = plain_config();
  c.frequency_penalty = 1.0f;
  c.repeat_last_n = 3;
  Sampler s = make(c, 4);
  for (const int32_t t : {0, 1, 1, 2}) ASSERT_TRUE(s.accept(t).ok());  // window: 1 1 2
  auto l = penalized_logits(s, 4);
  EXPECT_EQ(l[0], 1.0f);
  EXPECT_EQ(l[1], -1.0f);
  EXPECT_EQ(l[2], 0.0f);
  for (const int32_t t : {3, 3}) ASSERT_TRUE(s.accept(t).ok());  // window: 2 3 3
  l = penalized_logits(s, 4);
  EXPECT_EQ(l[1], 1.0f);
  EXPECT_EQ(l[2], 0.0f);
  EXPECT_EQ(l[3], -1.0f);
  s.reset();
  l = penalized_logits(s, 4);
  for (int32_t t = 0; t < 4; ++t) EXPECT_EQ(l[t], 1.0f) << t;

  c.repeat_last_n = -1;  // everything since reset
  Sampler all = make(c, 4);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(all.accept(i % 2).ok());
  l = penalized_logits(all, 4);
  EXPECT_EQ(l[0], -49.0f);
  EXPECT_EQ(l[1], -49.0f);

  c.repeat_last_n = 0;  // off
  Sampler none = make(c, 4);
  ASSERT_TRUE(none.accept(0).ok());
  EXPECT_EQ(penalized_logits(none, 4)[0], 1.0f);
}

TEST(SamplerTest, SameSeedSameDraws) {
  SamplerConfig c = plain_config();
  c.seed = 99;
  const std::vector<float> logits = logs_of({0.1, 0.2, 0.3, 0.25, 0.15});
  Sampler a = make(c, 5);
  Sampler b = make(c, 5);
  std::vector<int32_t> first;
  for (int i = 0; i < 500; ++i) {
    const int32_t ta = sample_ok(a, logits);
    EXPECT_EQ(ta, sample_ok(b, logits));
    first.push_back(ta);
  }
  a.reset();
  for (int i = 0; i < 500; ++i) ASSERT_EQ(sample_ok(a, logits), first[static_cast<size_t>(i)]);
  c.seed = 100;
  Sampler other = make(c, 5);
  int same = 0;
  for (int i = 0; i < 500; ++i) same += sample_ok(other, logits) == first[static_cast<size_t>(i)] ? 1 : 0;
  EXPECT_LT(same, 200);  // ~22% expected by chance
}

TEST(SamplerTest, DrawsAreStableAcrossPlatforms) {
  // Locks the RNG-to-token mapping: mt19937_64's stream is fixed by the C++ standard and
  // the uniform comes from its raw bits, so these ids must be the same everywhere. A
  // power-of-two uniform distribution needs no expf rounding to agree.
  SamplerConfig c = plain_config();
  c.seed = 42;
  Sampler s = make(c, 16);
  const std::vector<float> flat(16, 0.0f);
  std::vector<int32_t> got;
  for (int i = 0; i < 12; ++i) got.push_back(sample_ok(s, flat));
  // With uniform weights the draw is floor(u * 16) of mt19937_64(42)'s top 53 bits.
  std::mt19937_64 rng(42);
  std::vector<int32_t> expected;
  for (int i = 0; i < 12; ++i) expected.push_back(static_cast<int32_t>(rng() >> 60));
  EXPECT_EQ(got, expected);
}

TEST(SamplerTest, FrequenciesFollowTheDistribution) {
  const std::vector<double> p = {0.1, 0.2, 0.3, 0.4};
  constexpr int kDraws = 100000;
  // Binomial sd at p=0.4 is ~0.0015: 0.01 is more than 6 sd, yet catches any real bias.
  const auto check = [&](SamplerConfig c, const std::vector<double>& expected) {
    Sampler s = make(c, 4);
    std::vector<int> hits(4, 0);
    for (int i = 0; i < kDraws; ++i) ++hits[static_cast<size_t>(sample_ok(s, logs_of(p)))];
    for (size_t t = 0; t < 4; ++t) {
      EXPECT_NEAR(static_cast<double>(hits[t]) / kDraws, expected[t], 0.01) << "token " << t;
    }
  };
  SamplerConfig c = plain_config();
  check(c, p);
  c.temperature = 0.5f;  // p^2 renormalized
  check(c, {0.01 / 0.3, 0.04 / 0.3, 0.09 / 0.3, 0.16 / 0.3});
  c.temperature = 1.0f;
  c.top_k = 2;
  check(c, {0.0, 0.0, 3.0 / 7.0, 4.0 / 7.0});
}

TEST(SamplerTest, LargeVocabularyDefaults) {
  // Qwen-sized vocabulary with the default chain: only plausible tokens survive.
  constexpr int32_t kVocab = 151936;
  std::vector<float> logits(kVocab);
  for (int32_t i = 0; i < kVocab; ++i) logits[static_cast<size_t>(i)] = static_cast<float>((i * 7919) % 1000) / 100.0f;
  SamplerConfig c;
  Sampler s = make(c, kVocab);
  for (int i = 0; i < 20; ++i) {
    const int32_t t = sample_ok(s, logits);
    ASSERT_GE(t, 0);
    EXPECT_GE(logits[static_cast<size_t>(t)], 9.0f);
    ASSERT_TRUE(s.accept(t).ok());
  }
  EXPECT_LE(s.candidates().size(), 40u);
  c.top_k = 0;  // top-p/min-p over the whole vocabulary: min-p bounds what survives
  Sampler s2 = make(c, kVocab);
  const float floor = 9.99f + std::log(c.min_p);
  for (int i = 0; i < 20; ++i) {
    const int32_t t = sample_ok(s2, logits);
    EXPECT_GE(logits[static_cast<size_t>(t)], floor);
  }
  for (const auto& cand : s2.candidates()) ASSERT_GE(cand.logit, floor);
}

TEST(SamplerTest, DegenerateLogits) {
  SamplerConfig c = plain_config();
  Sampler s = make(c, 3);
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(sample_ok(s, {-inf, -inf, -inf}), 0);
  EXPECT_EQ(sample_ok(s, {0.0f, inf, inf}), 1);
  EXPECT_EQ(sample_ok(s, {-inf, 0.0f, -inf}), 1);
  c.temperature = 1e-45f;  // denormal: 1/T overflows, behaves as greedy
  Sampler d = make(c, 3);
  EXPECT_EQ(sample_ok(d, {0.0f, 1.0f, 1.0f}), 1);
}

}  // namespace
}  // namespace zhi
