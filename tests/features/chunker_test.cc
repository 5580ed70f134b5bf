// The chunker tiles its input exactly, respects the budget, and cuts at the
// coarsest boundary that fits.
#include "features/chunker.h"

#include <gtest/gtest.h>

#include <string>

#include "features/text_utils.h"
#include "zhi/features.hpp"

namespace zhi::features {
namespace {

// One "token" per 4 bytes, rounded up: a stand-in that makes budgets easy to reason about.
int64_t quarter_bytes(std::string_view s) { return static_cast<int64_t>((s.size() + 3) / 4); }

std::string joined(std::string_view text, const std::vector<Chunk>& chunks) {
  std::string out;
  for (const Chunk& c : chunks) out += text.substr(c.begin, c.end - c.begin);
  return out;
}

TEST(Chunker, ShortTextIsOneChunk) {
  const std::string text = "One short paragraph.";
  auto chunks = split_into_chunks(text, 100, quarter_bytes);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 1u);
  EXPECT_EQ((*chunks)[0].begin, 0u);
  EXPECT_EQ((*chunks)[0].end, text.size());
}

TEST(Chunker, CutsAtParagraphsWhenTheyFit) {
  std::string text;
  for (int i = 0; i < 10; ++i)
    text += "Paragraph " + std::to_string(i) + " has some words in it.\n\n";
  auto chunks = split_into_chunks(text, 25, quarter_bytes);  // about two paragraphs per chunk
  ASSERT_TRUE(chunks.ok());
  EXPECT_GT(chunks->size(), 3u);
  EXPECT_EQ(joined(text, *chunks), text);
  for (const Chunk& c : *chunks) {
    EXPECT_LE(quarter_bytes(std::string_view(text).substr(c.begin, c.end - c.begin)), 25);
    // Every cut is just after a blank line.
    if (c.end < text.size()) {
      EXPECT_EQ(text.substr(c.end - 2, 2), "\n\n");
    }
  }
}

TEST(Chunker, LongParagraphSplitsAtSentences) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "Sentence number " + std::to_string(i) + " ends here. ";
  auto chunks = split_into_chunks(text, 20, quarter_bytes);
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(joined(text, *chunks), text);
  for (const Chunk& c : *chunks) {
    EXPECT_LE(quarter_bytes(std::string_view(text).substr(c.begin, c.end - c.begin)), 20);
    if (c.end < text.size()) {
      EXPECT_EQ(text.substr(c.end - 2, 2), ". ");
    }
  }
}

TEST(Chunker, ChineseSentencesAndCharacters) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "这是第" + std::to_string(i) + "句话，内容很短。";
  text += std::string(200 * 3, 'x');  // a run with no boundary at all
  const auto cjk_count = [](std::string_view s) { return static_cast<int64_t>(char_count(s)); };
  auto chunks = split_into_chunks(text, 30, cjk_count);
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(joined(text, *chunks), text);
  for (const Chunk& c : *chunks) {
    const std::string_view piece = std::string_view(text).substr(c.begin, c.end - c.begin);
    EXPECT_LE(cjk_count(piece), 30);
    EXPECT_TRUE(is_char_boundary(text, c.begin));
    EXPECT_TRUE(is_char_boundary(text, c.end));
  }
}

TEST(Chunker, LongRunWithoutBoundariesCostsFewCounts) {
  const std::string text(40000, 'a');
  int calls = 0;
  auto chunks = split_into_chunks(text, 100, [&](std::string_view s) {
    ++calls;
    return quarter_bytes(s);
  });
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(chunks->size(), 100u);  // 400 bytes = 100 "tokens" each
  EXPECT_EQ(joined(text, *chunks), text);
  // Searching piece ends, not growing chunks a character at a time: about
  // 2 log2(400) counts per chunk, where the naive way needs 400.
  EXPECT_LT(calls, 100 * 25);
}

TEST(Chunker, RejectsZeroBudget) {
  auto chunks = split_into_chunks("text", 0, quarter_bytes);
  ASSERT_FALSE(chunks.ok());
  EXPECT_EQ(chunks.error().code(), ErrorCode::kInvalidArgument);
}

TEST(Chunker, EmptyTextHasNoChunks) {
  auto chunks = split_into_chunks("", 10, quarter_bytes);
  ASSERT_TRUE(chunks.ok());
  EXPECT_TRUE(chunks->empty());
}

}  // namespace
}  // namespace zhi::features
