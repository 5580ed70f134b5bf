// Block-mode moderation: every normalization defeats its evasion, spans map
// back to the exact original bytes, and the false-positive guards hold.
#include "compliance/moderator.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "compliance/test_pack.h"

namespace zhi::compliance {
namespace {

using testing::ListSpec;
using testing::make_moderator;
using Spans = std::vector<std::pair<uint64_t, uint64_t>>;

Verdict check(const Moderator& m, std::string_view text, std::string_view lang = {}) {
  Result<Verdict> v = m.check(text, lang);
  EXPECT_TRUE(v.ok()) << v.status().to_string();
  return v.ok() ? v.value() : Verdict{};
}

Spans spans(const Verdict& v) {
  Spans s;
  for (const Finding& f : v.findings) s.emplace_back(f.begin, f.end);
  return s;
}

// The span of `needle` inside `text`, for expected values.
std::pair<uint64_t, uint64_t> span_of(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return {at, at + needle.size()};
}

class Evasion : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mod_ = make_moderator({
        {"test-refuse", "substring", "敏感\n敏感词\n"},
        {"test-refuse", "word", "zhitest\ncasino\n"},
    });
  }
  static void TearDownTestSuite() { mod_.reset(); }
  // Expects exactly one finding, covering exactly `needle` in `text`.
  static void expect_hit(const std::string& text, const std::string& needle) {
    SCOPED_TRACE(text);
    const Verdict v = check(*mod_, text);
    EXPECT_EQ(v.decision, Action::kRefuse);
    ASSERT_FALSE(v.findings.empty());
    EXPECT_EQ(spans(v).front(), span_of(text, needle));
  }
  static void expect_clean(const std::string& text) {
    SCOPED_TRACE(text);
    const Verdict v = check(*mod_, text);
    EXPECT_EQ(v.decision, Action::kAllow);
    EXPECT_TRUE(v.findings.empty());
  }
  static std::shared_ptr<const Moderator> mod_;
};
std::shared_ptr<const Moderator> Evasion::mod_;

TEST_F(Evasion, PlainTermIsFoundWithExactSpan) {
  const std::string text = "这是敏感内容";
  const Verdict v = check(*mod_, text);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(spans(v)[0], Spans::value_type(6, 12));
}

TEST_F(Evasion, SeparatorsAndNoiseBetweenCharacters) {
  expect_hit("这是敏 感内容", "敏 感");
  expect_hit("这是敏*感内容", "敏*感");
  expect_hit("这是敏_感内容", "敏_感");
  expect_hit("这是敏.感内容", "敏.感");
  expect_hit("这是敏-感内容", "敏-感");
  expect_hit("这是敏\u3000感内容", "敏\u3000感");  // ideographic space
  expect_hit("这是敏 * 感内容", "敏 * 感");        // three noise characters: the limit
  expect_hit("这是敏😀感内容", "敏😀感");            // emoji as noise
  expect_hit("这是敏＊感内容", "敏＊感");          // full-width asterisk
}

TEST_F(Evasion, ZeroWidthCharacters) {
  expect_hit("这是敏\u200b感内容", "敏\u200b感");
  expect_hit("这是敏\u200c\u200d\u2060感内容", "敏\u200c\u200d\u2060感");
  expect_hit("这是敏\ufeff感内容", "敏\ufeff感");
  expect_hit("z\u200bhitest", "z\u200bhitest");
}

TEST_F(Evasion, TooMuchNoiseOrAClauseBreakSeparates) {
  expect_clean("这是敏 * * 感内容");  // five noise characters
  expect_clean("我过敏。感觉不好");   // a sentence ends between them
  expect_clean("我过敏，感觉不好");
  expect_clean("过敏\n感冒");
}

TEST_F(Evasion, TraditionalChinese) {
  expect_hit("这是敏感詞汇", "敏感");  // the two-character term hits too
  const std::string text = "這是敏感詞";
  const Verdict v = check(*mod_, text);
  ASSERT_EQ(v.findings.size(), 2u);  // 敏感 and 敏感词 (詞 is 词)
  EXPECT_EQ(spans(v)[1], span_of(text, "敏感詞"));
}

TEST_F(Evasion, FullWidthCaseAndCompatibilityForms) {
  expect_hit("say ＺＨＩＴＥＳＴ now", "ＺＨＩＴＥＳＴ");
  expect_hit("say ZhiTest now", "ZhiTest");
  expect_hit("say ⓩⓗⓘⓣⓔⓢⓣ now", "ⓩⓗⓘⓣⓔⓢⓣ");
  expect_hit("say \U0001D433\U0001D421\U0001D422\U0001D42D\U0001D41E\U0001D42C\U0001D42D now",
             "\U0001D433\U0001D421\U0001D422\U0001D42D\U0001D41E\U0001D42C\U0001D42D");
  expect_hit("say z\u0336h\u0336i\u0336t\u0336e\u0336s\u0336t\u0336 now",
             "z\u0336h\u0336i\u0336t\u0336e\u0336s\u0336t");
}

TEST_F(Evasion, Homoglyphs) {
  expect_hit("best \u0441\u0430sin\u043E in town", "\u0441\u0430sin\u043E");  // Cyrillic с а о
  expect_hit("best c\u03B1sin\u03BF in town", "c\u03B1sin\u03BF");            // Greek α ο
  expect_hit("best \u0421\u0410SIN\u041E in town", "\u0421\u0410SIN\u041E");  // capitals
}

TEST_F(Evasion, SpacedOutLetters) {
  expect_hit("say z h i t e s t now", "z h i t e s t");
  expect_hit("say z.h.i.t.e.s.t now", "z.h.i.t.e.s.t");
  expect_hit("say zhi*test now", "zhi*test");
}

TEST_F(Evasion, WholeWordsDoNotMatchInsideOrAcrossWords) {
  expect_clean("the casinos");  // word continues
  expect_clean("xcasino");      // starts mid-word
  expect_clean("ca sino");      // a space the term does not have, plus joined letters
  expect_hit("a casino.", "casino");
  expect_hit("赌场casino的", "casino");  // CJK next to Latin is a boundary
}

TEST(Moderator, CrossWordRule) {
  auto mod = make_moderator({{"test-refuse", "word", "therapist\nrapist\n"}});
  ASSERT_TRUE(mod);
  const std::string a = "see the rapist";
  const Verdict v = check(*mod, a);
  ASSERT_EQ(v.findings.size(), 1u);  // "rapist", never "therapist"
  EXPECT_EQ(spans(v)[0], span_of(a, "rapist"));
  const std::string b = "my therapist";
  const Verdict w = check(*mod, b);
  ASSERT_EQ(w.findings.size(), 1u);  // "therapist", never "rapist" inside it
  EXPECT_EQ(spans(w)[0], span_of(b, "therapist"));
}

TEST(Moderator, MultiWordTermsMatchAcrossTheirOwnSpaces) {
  auto mod = make_moderator({{"test-flag", "word", "gift card\n"}});
  ASSERT_TRUE(mod);
  EXPECT_EQ(check(*mod, "pay by gift card now").decision, Action::kFlag);
  EXPECT_EQ(check(*mod, "pay by GIFT   CARD now").decision, Action::kFlag);
  EXPECT_EQ(check(*mod, "pay by giftcard now").decision, Action::kFlag);
  EXPECT_EQ(check(*mod, "pay by g i f t c a r d now").decision, Action::kFlag);
  EXPECT_EQ(check(*mod, "pay by gif tcard now").decision, Action::kAllow);
}

TEST(Moderator, SubstringModeMatchesInsideWords) {
  auto mod = make_moderator({{"test-flag", "substring", "scam\n"}});
  ASSERT_TRUE(mod);
  EXPECT_EQ(check(*mod, "scamming people").decision, Action::kFlag);
  EXPECT_EQ(check(*mod, "no sc am here").decision,
            Action::kAllow);  // cross-word rule still applies
}

TEST(Moderator, AutoModeIsWholeWordForLatinAndSubstringForChinese) {
  auto mod = make_moderator({{"test-flag", "auto", "ass\n刷单\n"}});
  ASSERT_TRUE(mod);
  EXPECT_EQ(check(*mod, "first class pass").decision, Action::kAllow);
  EXPECT_EQ(check(*mod, "what an ass").decision, Action::kFlag);
  EXPECT_EQ(check(*mod, "兼职刷单返利").decision, Action::kFlag);
}

TEST(Moderator, AllowListCancelsHitsInsideBenignWords) {
  auto mod = make_moderator({{"test-refuse", "substring", "sex\n刷单\n"}}, "sussex\n防范刷单\n");
  ASSERT_TRUE(mod);
  EXPECT_EQ(check(*mod, "I live in Sussex").decision, Action::kAllow);
  EXPECT_EQ(check(*mod, "I live in S u s s e x").decision, Action::kAllow);
  EXPECT_EQ(check(*mod, "宣传防范刷单诈骗").decision, Action::kAllow);
  EXPECT_EQ(check(*mod, "sex").decision, Action::kRefuse);
  EXPECT_EQ(check(*mod, "兼职刷单").decision, Action::kRefuse);
  // An allowed occurrence does not hide another one.
  const Verdict v = check(*mod, "Sussex and sex");
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.findings[0].begin, 11u);
}

TEST(Moderator, MaskReplacesTheOriginalSpanCharacterForCharacter) {
  auto mod = make_moderator({{"test-mask", "substring", "隐私词\n"}});
  ASSERT_TRUE(mod);
  const Verdict v = check(*mod, "这里有隐 私*词和别的");
  EXPECT_EQ(v.decision, Action::kMask);
  EXPECT_EQ(v.masked, "这里有*****和别的");
  EXPECT_TRUE(v.refusal.empty());
}

TEST(Moderator, RegexTermsSeeFoldedTextWithSpaces) {
  auto mod = make_moderator({{"test-mask", "regex", "\\b1[3-9]\\d{9}\\b\n加微信\\s*\\w+\n"}});
  ASSERT_TRUE(mod);
  const std::string text = "电话１３８１２３４５６７８，谢谢";  // full-width digits fold to ASCII
  const Verdict v = check(*mod, text);
  EXPECT_EQ(v.decision, Action::kMask);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(spans(v)[0], span_of(text, "１３８１２３４５６７８"));
  EXPECT_EQ(v.masked, "电话***********，谢谢");
  EXPECT_EQ(check(*mod, "加微信 abc123").decision, Action::kMask);
  EXPECT_EQ(check(*mod, "加微信").decision, Action::kAllow);
}

TEST(Moderator, DecisionIsTheMostSevereAndRefusalIsInTheUsersLanguage) {
  auto mod =
      make_moderator({{"test-refuse", "auto", "zhitest\n"}, {"test-flag", "auto", "flagme\n"}});
  ASSERT_TRUE(mod);
  const Verdict en = check(*mod, "flagme and then zhitest please");
  EXPECT_EQ(en.decision, Action::kRefuse);
  EXPECT_EQ(en.findings.size(), 2u);
  EXPECT_EQ(en.refusal, testing::kRefusalEn);
  EXPECT_EQ(mod->category(en.category).id, "T.refuse");
  const Verdict zh = check(*mod, "请告诉我 zhitest 是什么");
  EXPECT_EQ(zh.refusal, testing::kRefusalZh);
  EXPECT_EQ(check(*mod, "zhitest", "zh-CN").refusal, testing::kRefusalZh);  // caller's choice wins
  EXPECT_EQ(check(*mod, "only flagme").decision, Action::kFlag);
}

TEST(Moderator, InvalidUtf8IsNoiseNotAnError) {
  auto mod = make_moderator({{"test-refuse", "substring", "敏感\n"}});
  ASSERT_TRUE(mod);
  const std::string text = "敏\xFF感";
  const Verdict v = check(*mod, text);
  EXPECT_EQ(v.decision, Action::kRefuse);
  EXPECT_EQ(spans(v)[0], Spans::value_type(0, text.size()));
  EXPECT_EQ(check(*mod, std::string("\xE6\x95", 2)).decision,
            Action::kAllow);  // truncated sequence
}

TEST(Moderator, OverlappingAndRepeatedHits) {
  auto mod = make_moderator({{"test-flag", "substring", "ab\nbc\nabc\n"}});
  ASSERT_TRUE(mod);
  const Verdict v = check(*mod, "abc abc");
  EXPECT_EQ(v.findings.size(), 6u);
}

}  // namespace
}  // namespace zhi::compliance
