#include "tokenizer/stream_decoder.h"

#include <gtest/gtest.h>

#include "test_vocab.h"
#include "tokenizer/tokenizer.h"

namespace zhi {
namespace {

// Byte tokens only, so every id is one byte and characters split freely.
Tokenizer byte_tokenizer() {
  testing::TestVocab v;
  v.merge("\xe4", "\xb8");  // 中 as one token, to mix multi-byte tokens in
  v.merge("\xe4\xb8", "\xad");
  return std::move(Tokenizer::from_vocab(v.data)).value();
}

std::string push_all(StreamDecoder& d, const std::string& bytes, std::vector<std::string>* pieces) {
  std::string out;
  for (char c : bytes) {
    Result<std::string> p = d.push(static_cast<uint8_t>(c));
    EXPECT_TRUE(p.ok());
    pieces->push_back(*p);
    out += *p;
  }
  return out;
}

TEST(StreamDecoder, HoldsBackSplitCharacters) {
  const Tokenizer tok = byte_tokenizer();
  StreamDecoder d(tok);
  std::vector<std::string> pieces;
  EXPECT_EQ(push_all(d, "a\xe4\xb8\xad", &pieces), "a中");
  EXPECT_EQ(pieces, (std::vector<std::string>{"a", "", "", "中"}));
  EXPECT_EQ(d.pending_bytes(), 0u);
  // A four-byte emoji, one byte at a time.
  pieces.clear();
  EXPECT_EQ(push_all(d, "\xf0\x9f\x98\x80", &pieces), "😀");
  EXPECT_EQ(pieces, (std::vector<std::string>{"", "", "", "😀"}));
  EXPECT_EQ(d.flush(), "");
}

TEST(StreamDecoder, MultiByteTokenCompletesCharacter) {
  const Tokenizer tok = byte_tokenizer();
  StreamDecoder d(tok);
  const std::optional<int32_t> zh_head = tok.find_token(testing::stand_in("\xe4\xb8\xad"));
  ASSERT_TRUE(zh_head.has_value());
  EXPECT_EQ(d.push(*zh_head).value(), "中");
}

TEST(StreamDecoder, InvalidBytesBecomeReplacementAtOnce) {
  const Tokenizer tok = byte_tokenizer();
  StreamDecoder d(tok);
  EXPECT_EQ(d.push(0xFF).value(), "\uFFFD");
  EXPECT_EQ(d.push('x').value(), "x");
  // E0 80: 80 cannot follow E0, so E0 alone is one bad subpart, then 80 another.
  EXPECT_EQ(d.push(0xE0).value(), "");
  EXPECT_EQ(d.push(0x80).value(), "\uFFFD\uFFFD");
  // A lead byte cut off by another character.
  EXPECT_EQ(d.push(0xE4).value(), "");
  EXPECT_EQ(d.push('y').value(), "\uFFFDy");
}

TEST(StreamDecoder, FlushReplacesUnfinishedCharacter) {
  const Tokenizer tok = byte_tokenizer();
  StreamDecoder d(tok);
  EXPECT_EQ(d.push(0xE4).value(), "");
  EXPECT_EQ(d.push(0xB8).value(), "");
  EXPECT_EQ(d.pending_bytes(), 2u);
  EXPECT_EQ(d.flush(), "\uFFFD");
  EXPECT_EQ(d.pending_bytes(), 0u);
  EXPECT_EQ(d.push('z').value(), "z");
}

TEST(StreamDecoder, OutOfRangeIdIsAnErrorAndChangesNothing) {
  const Tokenizer tok = byte_tokenizer();
  StreamDecoder d(tok);
  EXPECT_EQ(d.push(0xE4).value(), "");
  Result<std::string> r = d.push(tok.n_vocab());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_FALSE(d.push(-1).ok());
  EXPECT_EQ(d.pending_bytes(), 1u);
  d.reset();
  EXPECT_EQ(d.flush(), "");
}

TEST(StreamDecoder, ConcatenationEqualsSanitizedDecode) {
  const Tokenizer tok = byte_tokenizer();
  const std::string text = "héllo 世界 😀 \xff tail \xf0\x9f";
  const std::vector<int32_t> ids = tok.encode(text, false);
  StreamDecoder d(tok);
  std::string out;
  for (int32_t id : ids) out += d.push(id).value();
  out += d.flush();
  EXPECT_EQ(out, "héllo 世界 😀 \uFFFD tail \uFFFD");
}

}  // namespace
}  // namespace zhi
