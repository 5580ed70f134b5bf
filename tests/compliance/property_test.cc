// Randomised checks over a small alphabet (so terms occur often): every
// finding's span folds back to exactly its term, block and streaming agree
// under random splits, and a brute-force matcher over the skeleton finds the
// same plain (noise-free) occurrences.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "compliance/fold_table.h"
#include "compliance/folded_term.h"
#include "compliance/stream_moderator.h"
#include "compliance/test_pack.h"

namespace zhi::compliance {
namespace {

const char* const kPieces[] = {"敏", "感", "詞", "词",     "a",  "b", "A",
                               "ｂ", " ",  "*",  "\u200b", "，", "c", "\u0430"};

std::string random_text(std::mt19937& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kPieces[rng() % std::size(kPieces)];
  return s;
}

TEST(Property, SpansFoldBackToTheirTermsAndStreamingAgrees) {
  const std::vector<std::string> terms = {"敏感", "感词", "敏感词", "ab", "ba", "abc", "词a"};
  std::string list;
  for (const std::string& t : terms) list += t + "\n";
  auto mod = testing::make_moderator({{"test-flag", "substring", list}});
  ASSERT_TRUE(mod);
  const FoldTable& table = *FoldTable::instance().value();
  std::mt19937 rng(11);
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const std::string text = random_text(rng, 5 + static_cast<int>(rng() % 40));
    const Verdict block = mod->check(text, "en").value();
    for (const Finding& f : block.findings) {
      const std::string span = text.substr(f.begin, f.end - f.begin);
      Result<FoldedTerm> folded = fold_term(table, span);
      ASSERT_TRUE(folded.ok()) << span;
      const FoldedTerm want = fold_term(table, mod->pack().terms[f.rule].text).value();
      EXPECT_EQ(folded->chars, want.chars) << "span '" << span << "' in '" << text << "'";
      ++checked;
    }
    // Streaming with random splits (splits inside UTF-8 sequences included).
    Result<StreamModerator> s = mod->stream("en");
    ASSERT_TRUE(s.ok());
    std::string shown;
    size_t at = 0;
    while (at < text.size()) {
      const size_t len = 1 + rng() % 5;
      StreamStep st = s->feed(text.substr(at, len)).value();
      if (st.replace) shown.clear();
      shown += st.text;
      at += len;
    }
    StreamStep st = s->finish().value();
    shown += st.text;
    EXPECT_EQ(shown, text);  // flag only: nothing changes what is shown
    std::multiset<std::tuple<uint64_t, uint64_t, uint32_t>> a, b;
    for (const Finding& f : block.findings) a.emplace(f.begin, f.end, f.rule);
    for (const Finding& f : s->verdict().findings) b.emplace(f.begin, f.end, f.rule);
    EXPECT_EQ(a, b) << text;
  }
  EXPECT_GT(checked, 100);
}

TEST(Property, FindsEveryPlainOccurrence) {
  const std::vector<std::string> terms = {"敏感", "感词", "敏感词"};
  std::string list;
  for (const std::string& t : terms) list += t + "\n";
  auto mod = testing::make_moderator({{"test-flag", "substring", list}});
  ASSERT_TRUE(mod);
  std::mt19937 rng(5);
  const char* const plain[] = {"敏", "感", "词", "好"};
  for (int trial = 0; trial < 300; ++trial) {
    std::string text;
    const int n = 3 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) text += plain[rng() % 4];
    size_t expected = 0;
    for (const std::string& t : terms) {
      for (size_t at = text.find(t); at != std::string::npos; at = text.find(t, at + 3)) ++expected;
    }
    EXPECT_EQ(mod->check(text, "en")->findings.size(), expected) << text;
  }
}

}  // namespace
}  // namespace zhi::compliance
