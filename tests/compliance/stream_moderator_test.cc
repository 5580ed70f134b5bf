// Streaming moderation: terms split across generated pieces (and UTF-8
// sequences split across pieces) are caught, findings equal block mode's,
// held-back text never shows part of a refused term, and a refuse hit stops
// and retracts.
#include "compliance/stream_moderator.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "compliance/test_pack.h"

namespace zhi::compliance {
namespace {

using testing::make_moderator;

struct StreamRun {
  std::string shown;  // what a UI would display
  bool stopped = false;
  int stop_piece = -1;
  Verdict verdict;
};

StreamRun run_stream(const Moderator& mod, const std::vector<std::string>& pieces,
                     const std::string& lang = "en") {
  StreamRun r;
  Result<StreamModerator> s = mod.stream(lang);
  EXPECT_TRUE(s.ok());
  auto apply = [&](const StreamStep& st) {
    if (st.replace) r.shown.clear();
    r.shown += st.text;
  };
  for (size_t i = 0; i < pieces.size() && !r.stopped; ++i) {
    Result<StreamStep> st = s->feed(pieces[i]);
    EXPECT_TRUE(st.ok());
    apply(st.value());
    if (st->stop) {
      r.stopped = true;
      r.stop_piece = static_cast<int>(i);
    }
  }
  if (!r.stopped) {
    Result<StreamStep> st = s->finish();
    EXPECT_TRUE(st.ok());
    apply(st.value());
    r.stopped = st->stop;
  }
  r.verdict = s->verdict();
  return r;
}

std::vector<std::string> split_bytes(const std::string& s, const std::vector<size_t>& cuts) {
  std::vector<std::string> out;
  size_t prev = 0;
  for (size_t c : cuts) {
    out.push_back(s.substr(prev, c - prev));
    prev = c;
  }
  out.push_back(s.substr(prev));
  return out;
}

class Streaming : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mod_ = make_moderator({{"test-refuse", "substring", "敏感词\n"},
                           {"test-refuse", "word", "zhitest\n"},
                           {"test-mask", "substring", "隐私\n"},
                           {"test-flag", "word", "gift card\n"},
                           {"test-mask", "regex", "\\b1[3-9]\\d{9}\\b\n"}},
                          "sussex\n");
  }
  static void TearDownTestSuite() { mod_.reset(); }
  static std::shared_ptr<const Moderator> mod_;
};
std::shared_ptr<const Moderator> Streaming::mod_;

TEST_F(Streaming, TermSplitAcrossTokensStopsTheStream) {
  const StreamRun r = run_stream(*mod_, {"这是一个", "敏", "感", "词的例子"}, "zh-CN");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.stop_piece, 3);               // the piece that completed 敏感词
  EXPECT_EQ(r.shown, testing::kRefusalZh);  // retracted and replaced
  EXPECT_EQ(r.verdict.decision, Action::kRefuse);
}

TEST_F(Streaming, EverySingleSplitPointFindsTheTerm) {
  const std::string text = "abc 敏 感\u200b詞 def";
  for (size_t cut = 1; cut < text.size(); ++cut) {
    const StreamRun r = run_stream(*mod_, split_bytes(text, {cut}));
    EXPECT_TRUE(r.stopped) << "cut at byte " << cut;
  }
}

TEST_F(Streaming, ByteAtATime) {
  const std::string text = "say z h\u200b i-t e s t now";
  std::vector<size_t> cuts;
  for (size_t i = 1; i < text.size(); ++i) cuts.push_back(i);
  EXPECT_TRUE(run_stream(*mod_, split_bytes(text, cuts)).stopped);
}

TEST_F(Streaming, CleanTextPassesThroughUnchanged) {
  const std::string text =
      "今天天气很好，我们去公园散步吧。Let's go to Sussex by train, not by gift-cart.";
  std::vector<size_t> cuts;
  for (size_t i = 3; i < text.size(); i += 5) cuts.push_back(i);
  const StreamRun r = run_stream(*mod_, split_bytes(text, cuts));
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.shown, text);
  EXPECT_TRUE(r.verdict.findings.empty());
}

TEST_F(Streaming, HeldBackTextNeverShowsPartOfARefusedTerm) {
  Result<StreamModerator> s = mod_->stream("zh-CN");
  ASSERT_TRUE(s.ok());
  std::string shown;
  for (const char* piece : {"开头的话很长很长很长，", "然后敏", "感"}) {
    Result<StreamStep> st = s->feed(piece);
    ASSERT_TRUE(st.ok());
    ASSERT_FALSE(st->stop);
    shown += st->text;
  }
  EXPECT_EQ(shown.find("敏"), std::string::npos) << shown;
  Result<StreamStep> st = s->feed("词");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(st->stop);
  EXPECT_TRUE(st->replace);
  EXPECT_EQ(st->text, testing::kRefusalZh);
  Result<StreamStep> after = s->feed("more");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->stop);
  EXPECT_TRUE(after->text.empty());
}

TEST_F(Streaming, HoldBackIsTheLongestTermThatCouldStillComplete) {
  Result<StreamModerator> s = mod_->stream("zh-CN");
  ASSERT_TRUE(s.ok());
  // Chinese text: English-only terms ("gift card", 8 letters) cannot span a
  // Chinese character, so only the longest Chinese term (3) is held back.
  Result<StreamStep> st = s->feed("一二三四五六七八");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->text, "一二三四五");
  // English words: held back by the longest English term.
  st = s->feed(" alpha beta gamma");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->text, "六七八 alpha b");  // 14 letters, the last 8 held
  // A clause break releases everything before it.
  st = s->feed("。");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->text, "eta gamma。");
}

TEST_F(Streaming, MaskIsAppliedBeforeTextIsShown) {
  const StreamRun r = run_stream(*mod_, {"我的隐", "私在这里，", "还有别的内容要说"});
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.shown, "我的**在这里，还有别的内容要说");
  EXPECT_EQ(r.verdict.decision, Action::kMask);
  EXPECT_EQ(r.verdict.masked, r.shown);
}

TEST_F(Streaming, RegexMaskOverShownTextRewritesIt) {
  const StreamRun r = run_stream(*mod_, {"电话1381234", "5678", "。谢谢"});
  EXPECT_EQ(r.shown, "电话***********。谢谢");
}

TEST_F(Streaming, AllowListWorksAcrossPieces) {
  const StreamRun r = run_stream(*mod_, {"I live in Sus", "s", "ex now"});
  EXPECT_FALSE(r.stopped);
  EXPECT_EQ(r.shown, "I live in Sussex now");
}

TEST_F(Streaming, RandomSplitsAgreeWithBlockMode) {
  const std::vector<std::string> texts = {
      "这是敏感詞，那是隐私，还有 gift  card 和 z h i t e s t。",
      "phone 13812345678 and ZHITEST and 隐 私 and Sussex",
      "nothing to see here, 只是普通的句子。",
      "敏*感*词 then 隐\u200b私",
  };
  std::mt19937 rng(7);
  for (const std::string& text : texts) {
    Result<Verdict> block = mod_->check(text, "en");
    ASSERT_TRUE(block.ok());
    for (int trial = 0; trial < 50; ++trial) {
      std::vector<size_t> cuts;
      for (size_t i = 1; i < text.size(); ++i) {
        if (rng() % 4 == 0) cuts.push_back(i);
      }
      const StreamRun r = run_stream(*mod_, split_bytes(text, cuts));
      if (block->decision == Action::kRefuse) {
        EXPECT_TRUE(r.stopped) << text;
        continue;
      }
      ASSERT_EQ(r.verdict.findings.size(), block->findings.size()) << text;
      for (size_t i = 0; i < block->findings.size(); ++i) {
        bool found = false;
        for (const Finding& f : r.verdict.findings) {
          found = found || (f.begin == block->findings[i].begin &&
                            f.end == block->findings[i].end && f.rule == block->findings[i].rule);
        }
        EXPECT_TRUE(found) << text << " finding " << i;
      }
      EXPECT_EQ(r.shown, block->decision == Action::kMask ? block->masked : text);
    }
  }
}

}  // namespace
}  // namespace zhi::compliance
