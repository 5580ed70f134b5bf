// What each evasion-relevant code point folds to.
#include "compliance/fold_table.h"

#include <gtest/gtest.h>

#include <string>

#include "compliance/folded_term.h"
#include "compliance/homoglyph_map.h"

namespace zhi::compliance {
namespace {

const FoldTable& table() {
  static const FoldTable* t = [] {
    Result<const FoldTable*> r = FoldTable::instance();
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? r.value() : nullptr;
  }();
  return *t;
}

// The folded word characters of `s`, noise removed.
std::u32string skeleton(const std::string& s) {
  Result<FoldedTerm> t = fold_term(table(), s);
  return t.ok()
             ? t->chars
             : U"<error: " +
                   std::u32string(t.status().message().begin(), t.status().message().end()) + U">";
}

TEST(FoldTable, FullWidthAndCompatibilityFormsFoldToAscii) {
  EXPECT_EQ(skeleton("ＺＨＩ１２３"), U"zhi123");
  EXPECT_EQ(skeleton("ⓩⓗⓘ"), U"zhi");                             // circled
  EXPECT_EQ(skeleton("\U0001D433\U0001D421\U0001D422"), U"zhi");  // mathematical bold (other plane)
  EXPECT_EQ(skeleton("ﬁ"), U"fi");                                // ligature expands
  EXPECT_EQ(skeleton("①②"), U"12");
}

TEST(FoldTable, CaseFolds) {
  EXPECT_EQ(skeleton("ZhiTEST"), U"zhitest");
  EXPECT_EQ(skeleton("STRASSE"), skeleton("straße"));
}

TEST(FoldTable, TraditionalFoldsToSimplified) {
  EXPECT_EQ(skeleton("敏感詞"), U"敏感词");
  EXPECT_EQ(skeleton("臺灣"), skeleton("台湾"));
  EXPECT_EQ(skeleton("發財"), U"发财");
}

TEST(FoldTable, CjkCompatibilityIdeographsFold) {
  EXPECT_EQ(skeleton("\uF900"), skeleton("\u8C48"));  // 豈 compatibility -> unified (-> 岂)
  EXPECT_EQ(skeleton("\uF900"), U"岂");
}

TEST(FoldTable, ZeroWidthAndMarksAreDropped) {
  FoldedChar out[kMaxFoldOut];
  for (char32_t cp : {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD})
    EXPECT_EQ(table().fold(cp, out), 0) << std::hex << static_cast<uint32_t>(cp);
  EXPECT_EQ(table().fold(0x0336, out), 0);  // combining long stroke overlay
  EXPECT_EQ(skeleton("z\u0336h\u0336i\u0336"), U"zhi");
  EXPECT_EQ(skeleton("café"), U"cafe");
}

TEST(FoldTable, HomoglyphsFoldToLatin) {
  EXPECT_EQ(skeleton("\u0441\u0430sin\u043E"), U"casino");  // Cyrillic с, а, о
  EXPECT_EQ(skeleton("\u03BA\u03B1\u03C1"), U"kap");        // Greek κ α ρ
  EXPECT_EQ(skeleton("\u0421\u0410\u0405"), U"cas");        // Cyrillic capitals fold, then map
  EXPECT_EQ(fold_homoglyph(U'a'), U'a');
  EXPECT_EQ(fold_homoglyph(U'\u4E2D'), U'\u4E2D');
}

TEST(FoldTable, NoiseIsClassified) {
  FoldedChar out[kMaxFoldOut];
  for (char32_t cp : {U' ', U'*', U'_', U'.', U'-', U'\u3000', U'\U0001F600', U'，', U'。'}) {
    const int n = table().fold(cp, out);
    ASSERT_GE(n, 1) << std::hex << static_cast<uint32_t>(cp);
    EXPECT_FALSE(out[0].word) << std::hex << static_cast<uint32_t>(cp);
  }
  ASSERT_EQ(table().fold(U'\u3000', out), 1);  // ideographic space -> space
  EXPECT_TRUE(out[0].space);
  ASSERT_EQ(table().fold(U'中', out), 1);
  EXPECT_TRUE(out[0].word);
  EXPECT_FALSE(out[0].alpha);
  ASSERT_EQ(table().fold(U'a', out), 1);
  EXPECT_TRUE(out[0].alpha);
  ASSERT_EQ(table().fold(U'7', out), 1);
  EXPECT_TRUE(out[0].word);
}

TEST(FoldedTerm, RecordsSpacesInsideTheTerm) {
  Result<FoldedTerm> t = fold_term(table(), "gift  card");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->chars, U"giftcard");
  EXPECT_EQ(t->space_before, uint64_t{1} << 4);
  EXPECT_TRUE(t->alpha);
}

TEST(FoldedTerm, RejectsEmptyLongAndInvalidTerms) {
  EXPECT_FALSE(fold_term(table(), "*** ---").ok());
  EXPECT_FALSE(fold_term(table(), "\u200B").ok());
  EXPECT_FALSE(fold_term(table(), std::string(kMaxTermChars + 1, 'a')).ok());
  EXPECT_TRUE(fold_term(table(), std::string(kMaxTermChars, 'a')).ok());
  EXPECT_FALSE(fold_term(table(), "ab\xFF").ok());
}

}  // namespace
}  // namespace zhi::compliance
