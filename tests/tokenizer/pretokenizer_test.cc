#include "tokenizer/qwen2_pretokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zhi {
namespace {

using Pieces = std::vector<std::string>;

Pieces split(std::string_view text) {
  Pieces out;
  for (std::string_view p : qwen2_pretokenize(text)) out.emplace_back(p);
  return out;
}

TEST(Qwen2PreTokenizer, WordsKeepOneLeadingSpace) {
  EXPECT_EQ(split("Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(split(" Hello"), (Pieces{" Hello"}));
}

TEST(Qwen2PreTokenizer, SpaceRunsLeaveTheLastSpaceToTheWord) {
  EXPECT_EQ(split("Hello  world"), (Pieces{"Hello", " ", " world"}));
  EXPECT_EQ(split("   leading"), (Pieces{"  ", " leading"}));
  EXPECT_EQ(split("a    b"), (Pieces{"a", "   ", " b"}));
}

TEST(Qwen2PreTokenizer, TrailingSpacesStayTogether) {
  EXPECT_EQ(split("spaces   "), (Pieces{"spaces", "   "}));
  EXPECT_EQ(split(" "), (Pieces{" "}));
}

TEST(Qwen2PreTokenizer, SingleSpaceBeforeDigitStandsAlone) {
  EXPECT_EQ(split("x 12"), (Pieces{"x", " ", "1", "2"}));
}

TEST(Qwen2PreTokenizer, DigitsAreSingle) {
  EXPECT_EQ(split("2024年"), (Pieces{"2", "0", "2", "4", "年"}));
  EXPECT_EQ(split("１２"), (Pieces{"１", "２"}));  // fullwidth digits are \p{N}
}

TEST(Qwen2PreTokenizer, Contractions) {
  EXPECT_EQ(split("it's"), (Pieces{"it", "'s"}));
  EXPECT_EQ(split("we've they'll I'd"), (Pieces{"we", "'ve", " they", "'ll", " I", "'d"}));
  EXPECT_EQ(split("DON'T WE'LL"), (Pieces{"DON", "'T", " WE", "'LL"}));
  EXPECT_EQ(split("'Re"), (Pieces{"'Re"}));
  // Not a listed contraction: the apostrophe leads the word instead.
  EXPECT_EQ(split("'x"), (Pieces{"'x"}));
  EXPECT_EQ(split("'r"), (Pieces{"'r"}));
  // No word boundary is required after the contraction.
  EXPECT_EQ(split("'sup"), (Pieces{"'s", "up"}));
  // A typographic apostrophe is not one.
  EXPECT_EQ(split("it’s"), (Pieces{"it", "’s"}));
}

TEST(Qwen2PreTokenizer, PunctuationRuns) {
  EXPECT_EQ(split("ok!!!???..."), (Pieces{"ok", "!!!???..."}));
  EXPECT_EQ(split("a ..b"), (Pieces{"a", " ..", "b"}));
  EXPECT_EQ(split("(x)"), (Pieces{"(x", ")"}));
  EXPECT_EQ(split("end.\n\nNext"), (Pieces{"end", ".\n\n", "Next"}));
  EXPECT_EQ(split("x **2"), (Pieces{"x", " **", "2"}));
}

TEST(Qwen2PreTokenizer, NewlinesAndWhitespace) {
  EXPECT_EQ(split("hello\nworld\n\n"), (Pieces{"hello", "\n", "world", "\n\n"}));
  EXPECT_EQ(split("\t\t\n  \n"), (Pieces{"\t\t\n  \n"}));
  EXPECT_EQ(split("a  \n  b"), (Pieces{"a", "  \n", " ", " b"}));
  EXPECT_EQ(split("line1\r\nline2"), (Pieces{"line", "1", "\r\n", "line", "2"}));
  EXPECT_EQ(split("\tfoo"), (Pieces{"\tfoo"}));
  EXPECT_EQ(split("x\t\tfoo"), (Pieces{"x", "\t", "\tfoo"}));
  EXPECT_EQ(split(" \n"), (Pieces{" \n"}));
}

TEST(Qwen2PreTokenizer, UnicodeSpaces) {
  // U+3000 ideographic space and U+00A0 are \s; a single one joins the word.
  EXPECT_EQ(split("你好\u3000世界"), (Pieces{"你好", "\u3000世界"}));
  EXPECT_EQ(split("a\u00a0b"), (Pieces{"a", "\u00a0b"}));
  EXPECT_EQ(split("a \u3000b"), (Pieces{"a", " ", "\u3000b"}));
}

TEST(Qwen2PreTokenizer, CjkAndMixedScripts) {
  EXPECT_EQ(split("你好，世界！"), (Pieces{"你好", "，世界", "！"}));
  EXPECT_EQ(split("混合mixed语言"), (Pieces{"混合mixed语言"}));
  EXPECT_EQ(split("Qwen2.5系列"), (Pieces{"Qwen", "2", ".", "5", "系列"}));
}

TEST(Qwen2PreTokenizer, MarksAndEmoji) {
  // A combining mark is neither letter nor number: it ends the letter run.
  EXPECT_EQ(split("e\u0301x"), (Pieces{"e", "\u0301x"}));
  EXPECT_EQ(split("hi 😀!"), (Pieces{"hi", " 😀!"}));
  EXPECT_EQ(split("😀a"), (Pieces{"😀a"}));
}

TEST(Qwen2PreTokenizer, InvalidBytesAreOtherCharacters) {
  EXPECT_EQ(split("a\xffz"), (Pieces{"a", "\xffz"}));
  EXPECT_EQ(split("\xe4\xbd"), (Pieces{"\xe4\xbd"}));
}

TEST(Qwen2PreTokenizer, PiecesTileTheInput) {
  const std::string text = "  Mixed 中文 text\t\r\n 123 'LL ok…  \u3000 end  ";
  std::string joined;
  for (std::string_view p : qwen2_pretokenize(text)) {
    EXPECT_FALSE(p.empty());
    joined += p;
  }
  EXPECT_EQ(joined, text);
}

TEST(Qwen2PreTokenizer, EmptyText) { EXPECT_TRUE(split("").empty()); }

}  // namespace
}  // namespace zhi
