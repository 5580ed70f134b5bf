#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "test_vocab.h"

namespace zhi {
namespace {

using testing::naive_bpe;
using testing::stand_in;
using testing::TestVocab;
using Ids = std::vector<int32_t>;

Tokenizer build(const VocabData& v) {
  Result<Tokenizer> t = Tokenizer::from_vocab(v);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  return std::move(t).value();
}

int32_t byte_id(char c) { return static_cast<uint8_t>(c); }

struct HelloVocab : TestVocab {
  HelloVocab() {
    he = merge("h", "e");
    ll = merge("l", "l");
    hell = merge("he", "ll");
    hello = merge("hell", "o");
    sp_w = merge(" ", "w");
    or_ = merge("o", "r");
    im_start = add("<|im_start|>", TokenType::kControl);
    im_end = add("<|im_end|>", TokenType::kControl);
    tool = add("<tool_call>", TokenType::kUserDefined);
    pad = add("[PAD0]", TokenType::kUnused);
    data.eos_id = im_end;
  }
  int32_t he, ll, hell, hello, sp_w, or_, im_start, im_end, tool, pad;
};

TEST(Tokenizer, AppliesMergesInRankOrder) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  EXPECT_EQ(tok.encode("hello", false), (Ids{v.hello}));
  EXPECT_EQ(tok.encode("hell", false), (Ids{v.hell}));
  EXPECT_EQ(tok.encode("hellohello", false), (Ids{v.hello, v.hello}));
  EXPECT_EQ(tok.encode("hello world", false), (Ids{v.hello, v.sp_w, v.or_, byte_id('l'), byte_id('d')}));
}

TEST(Tokenizer, LowerRankWinsOverLeftmost) {
  TestVocab a;
  const int32_t bc = a.merge("b", "c");
  const int32_t ab = a.merge("a", "b");
  EXPECT_EQ(build(a.data).encode("abc", false), (Ids{byte_id('a'), bc}));
  (void)ab;
  TestVocab b;
  const int32_t ab2 = b.merge("a", "b");
  b.merge("b", "c");
  EXPECT_EQ(build(b.data).encode("abc", false), (Ids{ab2, byte_id('c')}));
}

TEST(Tokenizer, TiesGoLeftmost) {
  TestVocab v;
  const int32_t aa = v.merge("a", "a");
  EXPECT_EQ(build(v.data).encode("aaa", false), (Ids{aa, byte_id('a')}));
}

TEST(Tokenizer, MatchesTextbookBpeOnShortAndLongWords) {
  // Random merges over a three-letter alphabet; words of every length cross
  // the switch from the flat loop to the heap.
  std::mt19937 rng(7);
  TestVocab v;
  std::vector<std::string> pieces = {"a", "b", "c"};
  for (int i = 0; i < 40; ++i) {
    const std::string l = pieces[rng() % pieces.size()];
    const std::string r = pieces[rng() % pieces.size()];
    if (l.size() + r.size() > 6) continue;
    bool dup = false;
    for (const auto& m : v.data.merges) dup = dup || (m.first == stand_in(l) && m.second == stand_in(r));
    for (const std::string& t : v.data.tokens) dup = dup || t == stand_in(l + r);
    if (dup) continue;
    v.merge(l, r);
    pieces.push_back(l + r);
  }
  const Tokenizer tok = build(v.data);
  for (size_t len : {2u, 5u, 17u, 60u, 95u, 96u, 97u, 150u, 400u}) {
    for (int rep = 0; rep < 5; ++rep) {
      std::string word;
      for (size_t i = 0; i < len; ++i) word.push_back("abc"[rng() % 3]);
      EXPECT_EQ(tok.encode(word, false), naive_bpe(v.data, word)) << word;
    }
  }
}

TEST(Tokenizer, SpecialsOnlyWhenAsked) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  const std::string text = "<|im_start|>hello<|im_end|>";
  EXPECT_EQ(tok.encode(text, true), (Ids{v.im_start, v.hello, v.im_end}));
  const Ids plain = tok.encode(text, false);
  for (int32_t id : plain) EXPECT_FALSE(tok.is_special(id));
  EXPECT_EQ(tok.decode(plain).value(), text);
  // User-defined tokens behave the same way.
  EXPECT_EQ(tok.encode("<tool_call>", true), (Ids{v.tool}));
  EXPECT_NE(tok.encode("<tool_call>", false), (Ids{v.tool}));
}

TEST(Tokenizer, SpecialsAdjacentAndPartial) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  EXPECT_EQ(tok.encode("<|im_start|><|im_start|>", true), (Ids{v.im_start, v.im_start}));
  EXPECT_EQ(tok.encode("<|im_start|", true), tok.encode("<|im_start|", false));
  EXPECT_EQ(tok.encode("<<|im_end|>>", true), (Ids{byte_id('<'), v.im_end, byte_id('>')}));
  // Unused tokens are never matched from text.
  EXPECT_EQ(tok.encode("[PAD0]", true), tok.encode("[PAD0]", false));
}

TEST(Tokenizer, LongestSpecialWins) {
  TestVocab v;
  const int32_t short_tok = v.add("<|a", TokenType::kControl);
  const int32_t long_tok = v.add("<|ab|>", TokenType::kControl);
  const Tokenizer tok = build(v.data);
  EXPECT_EQ(tok.encode("<|ab|>", true), (Ids{long_tok}));
  EXPECT_EQ(tok.encode("<|ax", true), (Ids{short_tok, byte_id('x')}));
}

TEST(Tokenizer, NormalizesToNfc) {
  TestVocab v;
  const Tokenizer tok = build(v.data);
  EXPECT_EQ(tok.encode("cafe\u0301", false), tok.encode("caf\u00e9", false));
  EXPECT_EQ(tok.decode(tok.encode("cafe\u0301", false)).value(), "caf\u00e9");
}

TEST(Tokenizer, InvalidUtf8RoundTrips) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  const std::string text = "hello \xff\xfe wor\xe4\xbd ld\xc3";
  EXPECT_EQ(tok.decode(tok.encode(text, false)).value(), text);
  EXPECT_EQ(tok.decode(tok.encode(std::string("a\0b", 3), false)).value(), std::string("a\0b", 3));
}

TEST(Tokenizer, DecodeRejectsIdsOutOfRange) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  const Ids bad = {v.hello, tok.n_vocab()};
  Result<std::string> r = tok.decode(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(r.status().message().find(std::to_string(tok.n_vocab())), std::string::npos);
  EXPECT_FALSE(tok.decode(Ids{-1}).ok());
  EXPECT_EQ(tok.token_bytes(-5), "");
  EXPECT_EQ(tok.token_bytes(1 << 30), "");
  EXPECT_EQ(tok.token_type(1 << 30), TokenType::kUnused);
}

TEST(Tokenizer, Accessors) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  EXPECT_EQ(tok.token_bytes(v.sp_w), " w");
  EXPECT_EQ(tok.token_text(v.sp_w), "\u0120w");
  EXPECT_EQ(tok.find_token("\u0120w"), v.sp_w);
  EXPECT_EQ(tok.find_token("<|im_end|>"), v.im_end);
  EXPECT_FALSE(tok.find_token("nope").has_value());
  EXPECT_EQ(tok.eos_id(), v.im_end);
  EXPECT_EQ(tok.bos_id(), kNoToken);
  EXPECT_TRUE(tok.is_control(v.im_start));
  EXPECT_FALSE(tok.is_control(v.tool));
  EXPECT_TRUE(tok.is_special(v.tool));
}

TEST(Tokenizer, EmptyText) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  EXPECT_TRUE(tok.encode("", true).empty());
  EXPECT_EQ(tok.decode(Ids{}).value(), "");
}

TEST(Tokenizer, ConcurrentEncodesAgree) {
  HelloVocab v;
  const Tokenizer tok = build(v.data);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "hello world " + std::to_string(i) + " ";
  const Ids want = tok.encode(text, false);
  std::vector<Ids> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got) threads.emplace_back([&] { g = tok.encode(text, false); });
  for (auto& t : threads) t.join();
  for (const Ids& g : got) EXPECT_EQ(g, want);
}

struct BadVocab : ::testing::Test {
  HelloVocab v;
  void expect_error(StatusCode code, const std::string& needle) {
    Result<Tokenizer> r = Tokenizer::from_vocab(v.data);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), code) << r.status().to_string();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().to_string();
  }
};

TEST_F(BadVocab, TypesDoNotMatchTokens) {
  v.data.token_types.pop_back();
  expect_error(StatusCode::kInvalidArgument, "token types");
}
TEST_F(BadVocab, UnknownType) {
  v.data.token_types[260] = static_cast<TokenType>(9);
  expect_error(StatusCode::kInvalidArgument, "token 260");
}
TEST_F(BadVocab, MissingByteToken) {
  v.data.tokens[0x41] = "not A";
  expect_error(StatusCode::kInvalidArgument, "0x41");
}
TEST_F(BadVocab, MergeOfUnknownToken) {
  v.data.merges.emplace_back("zz", "q");
  expect_error(StatusCode::kInvalidArgument, "'zz'");
}
TEST_F(BadVocab, MergeResultMissing) {
  v.data.merges.emplace_back("x", "y");
  expect_error(StatusCode::kInvalidArgument, "'xy'");
}
TEST_F(BadVocab, EosOutOfRange) {
  v.data.eos_id = 100000;
  expect_error(StatusCode::kOutOfRange, "eos");
}
TEST(BadVocabEmpty, NoTokens) { EXPECT_FALSE(Tokenizer::from_vocab(VocabData{}).ok()); }

}  // namespace
}  // namespace zhi
