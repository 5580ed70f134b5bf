#include <gtest/gtest.h>

#include "features/eval/text_measure.h"

namespace zhi::features::eval {
namespace {

using nlohmann::json;

TEST(EvalTextMeasure, CountsCharactersNotBytes) {
  EXPECT_EQ(char_count(""), 0u);
  EXPECT_EQ(char_count("abc"), 3u);
  EXPECT_EQ(char_count("会议改到周五"), 6u);
  EXPECT_EQ(char_count("3月5日 ok"), 7u);
  // Each invalid byte counts one, and nothing runs past the end.
  EXPECT_EQ(char_count("a\xff\xfe"), 3u);
  EXPECT_EQ(char_count("\xe4\xbc"), 2u);
}

TEST(EvalTextMeasure, MatchingIgnoresCaseWidthAndSpacing) {
  EXPECT_TRUE(contains_term("Meet ZHANG WEI on Friday", json("Zhang Wei"), "en"));
  EXPECT_TRUE(contains_term("Meet Zhang   Wei", json("zhang wei"), "en"));
  EXPECT_FALSE(contains_term("Meet ZhangWei", json("zhang wei"), "en"));
  // Chinese: spaces a model puts around numbers do not matter; full-width digits fold.
  EXPECT_TRUE(contains_term("会议定在 3 月 5 日", json("3月5日"), "zh"));
  EXPECT_TRUE(contains_term("增长了４２％", json("42%"), "zh"));
  EXPECT_FALSE(contains_term("增长了24%", json("42%"), "zh"));
  // Alternatives: any spelling counts.
  EXPECT_TRUE(contains_term("see you at 3 pm", json::array({"15:00", "3 pm"}), "en"));
  EXPECT_FALSE(contains_term("see you at noon", json::array({"15:00", "3 pm"}), "en"));
  EXPECT_FALSE(contains_term("anything", json(""), "en"));
  EXPECT_EQ(term_label(json::array({"15:00", "3 pm"})), "15:00");
}

TEST(EvalTextMeasure, CountsExactOccurrences) {
  EXPECT_EQ(count_exact("the the the", "the"), 3u);
  EXPECT_EQ(count_exact("aaaa", "aa"), 2u);
  EXPECT_EQ(count_exact("The", "the"), 0u);
  EXPECT_EQ(count_exact("abc", ""), 0u);
}

TEST(EvalTextMeasure, HanShareTellsTheLanguage) {
  EXPECT_FALSE(han_share("123 !?").has_value());
  EXPECT_DOUBLE_EQ(*han_share("你好"), 1.0);
  EXPECT_DOUBLE_EQ(*han_share("hello"), 0.0);
  EXPECT_NEAR(*han_share("用 API 调用"), 3.0 / 6.0, 1e-12);
}

TEST(EvalTextMeasure, EditDistanceInCharacters) {
  EXPECT_EQ(char_edit_distance("", ""), 0u);
  EXPECT_EQ(char_edit_distance("abc", ""), 3u);
  EXPECT_EQ(char_edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(char_edit_distance("我们在会义室见", "我们在会议室见"), 1u);
  EXPECT_EQ(char_edit_distance("teh cat", "the cat"), 2u);
  EXPECT_EQ(char_edit_distance("same text", "same text"), 0u);
}

}  // namespace
}  // namespace zhi::features::eval
