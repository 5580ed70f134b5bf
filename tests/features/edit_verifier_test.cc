// Proofreading edits from a model are checked, repaired or dropped, and what
// is left always turns the input into the corrected text.
#include "features/edit_verifier.h"

#include <gtest/gtest.h>

namespace zhi::features {
namespace {

Edit edit(size_t start, size_t end, std::string original, std::string replacement,
          EditKind kind = EditKind::kSpelling) {
  Edit e;
  e.start = start;
  e.end = end;
  e.original = std::move(original);
  e.replacement = std::move(replacement);
  e.kind = kind;
  e.reason = "r";
  return e;
}

void expect_applies(std::string_view input, std::string_view corrected, const VerifiedEdits& v) {
  auto applied = apply_edits(input, v.edits);
  ASSERT_TRUE(applied.ok()) << applied.error().to_string();
  EXPECT_EQ(*applied, corrected);
}

TEST(EditVerifier, CorrectEditsAreKept) {
  const std::string input = "I has a speling error.";
  const std::string corrected = "I have a spelling error.";
  auto v = verify_edits(
      input, corrected,
      {edit(8, 15, "speling", "spelling"), edit(2, 5, "has", "have", EditKind::kGrammar)});
  EXPECT_EQ(v.check.kept, 2);
  EXPECT_EQ(v.check.dropped, 0);
  EXPECT_FALSE(v.check.rebuilt_from_diff);
  ASSERT_EQ(v.edits.size(), 2u);
  EXPECT_EQ(v.edits[0].original, "has");  // sorted
  EXPECT_EQ(v.edits[0].kind, EditKind::kGrammar);
  expect_applies(input, corrected, v);
}

TEST(EditVerifier, WrongOffsetsAreRepairedByText) {
  const std::string input = "我们明天去公圆玩。";
  const std::string corrected = "我们明天去公园玩。";
  // Offsets counted in characters instead of bytes, as a model might.
  auto v = verify_edits(input, corrected, {edit(5, 7, "公圆", "公园")});
  EXPECT_EQ(v.check.repaired, 1);
  EXPECT_EQ(v.check.kept, 0);
  ASSERT_EQ(v.edits.size(), 1u);
  EXPECT_EQ(v.edits[0].start, 15u);
  EXPECT_EQ(v.edits[0].end, 21u);
  EXPECT_FALSE(v.check.rebuilt_from_diff);
  EXPECT_EQ(v.check.notes.size(), 1u);
  expect_applies(input, corrected, v);
}

TEST(EditVerifier, RepairPicksTheNearestOccurrence) {
  const std::string input = "teh cat and teh dog";
  const std::string corrected = "teh cat and the dog";
  auto v = verify_edits(input, corrected, {edit(13, 16, "teh", "the")});
  ASSERT_EQ(v.edits.size(), 1u);
  EXPECT_EQ(v.edits[0].start, 12u);
  expect_applies(input, corrected, v);
}

TEST(EditVerifier, EditsThatCannotApplyAreDroppedAndTheDiffRebuildsThem) {
  const std::string input = "Their going too the store.";
  const std::string corrected = "They're going to the store.";
  auto v = verify_edits(input, corrected,
                        {edit(0, 5, "Their", "They're", EditKind::kGrammar),
                         edit(40, 44, "nope", "x"), edit(0, 5, "Their", "There")});
  EXPECT_EQ(v.check.proposed, 3);
  EXPECT_GE(v.check.dropped, 2);  // not in the input; overlapping
  EXPECT_TRUE(v.check.rebuilt_from_diff);
  expect_applies(input, corrected, v);
  // The rebuilt edit over "Their" keeps the model's kind.
  ASSERT_FALSE(v.edits.empty());
  EXPECT_EQ(v.edits[0].original, "Their");
  EXPECT_EQ(v.edits[0].replacement, "They're");
  EXPECT_EQ(v.edits[0].kind, EditKind::kGrammar);
  EXPECT_EQ(v.edits.size(), 2u);
}

TEST(EditVerifier, NoOpEditsAreDropped) {
  auto v = verify_edits("fine text", "fine text", {edit(0, 4, "fine", "fine")});
  EXPECT_EQ(v.check.dropped, 1);
  EXPECT_TRUE(v.edits.empty());
  EXPECT_FALSE(v.check.rebuilt_from_diff);
}

TEST(EditVerifier, EditsInsideACharacterAreNotAccepted) {
  const std::string input = "中文";
  // Bytes 1..3 cut through 中; the text there is not "x" anyway, and an
  // insertion inside a character cannot be placed.
  auto v = verify_edits(input, input, {edit(1, 1, "", "x")});
  EXPECT_EQ(v.check.dropped, 1);
  EXPECT_TRUE(v.edits.empty());
}

TEST(EditVerifier, DiffOfEqualTextsIsEmptyAndOfDifferentTextsApplies) {
  EXPECT_TRUE(diff_edits("same words", "same words").empty());
  const std::string a = "The quick brwn fox jumpd over the dog. 今天天汽很好。";
  const std::string b = "The quick brown fox jumped over the lazy dog. 今天天气很好！";
  const std::vector<Edit> d = diff_edits(a, b);
  auto applied = apply_edits(a, d);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, b);
  EXPECT_EQ(d.size(), 5u);  // brwn, jumpd, +lazy, 汽, ！
}

TEST(EditVerifier, ApplyRejectsOverlapsAndWrongText) {
  EXPECT_FALSE(apply_edits("abcdef", {edit(0, 3, "abc", "x"), edit(2, 4, "cd", "y")}).ok());
  EXPECT_FALSE(apply_edits("abcdef", {edit(0, 3, "abd", "x")}).ok());
  EXPECT_FALSE(apply_edits("abc", {edit(2, 9, "c", "x")}).ok());
}

}  // namespace
}  // namespace zhi::features
