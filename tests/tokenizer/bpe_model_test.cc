#include "tokenizer/bpe_model.h"

#include <gtest/gtest.h>

#include <random>

#include "test_vocab.h"
#include "tokenizer/tokenizer.h"

namespace zhi {
namespace {

using testing::naive_bpe;
using testing::TestVocab;

const char* const kChars[] = {"中", "文", "字", "人", "a", "，"};

// Merges drawn at random over the bytes of a few CJK characters, so many
// of them join bytes across character boundaries, at every rank: exactly
// what could break the whole-character shortcut.
TestVocab random_cjk_vocab(std::mt19937& rng) {
  TestVocab v;
  std::vector<std::string> pieces;
  for (const char* c : kChars) {
    for (const char* p = c; *p != '\0'; ++p) pieces.emplace_back(1, *p);
  }
  for (int i = 0; i < 60; ++i) {
    const std::string l = pieces[rng() % pieces.size()];
    const std::string r = pieces[rng() % pieces.size()];
    if (l.size() + r.size() > 9) continue;
    bool dup = false;
    for (const std::string& t : v.data.tokens) dup = dup || t == testing::stand_in(l + r);
    if (dup) continue;
    v.merge(l, r);
    pieces.push_back(l + r);
  }
  return v;
}

std::string random_word(std::mt19937& rng, size_t n_chars) {
  std::string w;
  for (size_t i = 0; i < n_chars; ++i) w += kChars[rng() % 6];
  return w;
}

TEST(BpeModel, WholeCharacterShortcutNeverChangesTheResult) {
  std::mt19937 rng(11);
  size_t shortcut_chars = 0;
  for (int vocab_rep = 0; vocab_rep < 60; ++vocab_rep) {
    // Half the vocabularies also get the clean in-character merges early,
    // so that some characters do qualify for the shortcut.
    TestVocab v;
    if (vocab_rep % 2 == 0) {
      for (const char* c : {"中", "文", "字", "人"}) {
        const std::string s = c;
        v.merge(s.substr(0, 1), s.substr(1, 1));
        v.merge(s.substr(0, 2), s.substr(2, 1));
      }
      TestVocab extra = random_cjk_vocab(rng);
      for (const auto& [l, r] : extra.data.merges) {
        const std::string joined = l + r;
        bool dup = false;
        for (const std::string& t : v.data.tokens) dup = dup || t == joined;
        if (dup) continue;
        v.data.merges.emplace_back(l, r);
        v.add(joined, TokenType::kNormal);
      }
    } else {
      v = random_cjk_vocab(rng);
    }
    std::vector<std::string> bytes;
    for (const std::string& t : v.data.tokens) bytes.push_back(byte_level_decode(t));
    auto id_of = [&](std::string_view s) -> int32_t {
      for (size_t i = 0; i < v.data.tokens.size(); ++i) {
        if (v.data.tokens[i] == s) return static_cast<int32_t>(i);
      }
      return kNoToken;
    };
    Result<BpeModel> m = BpeModel::build(v.data, bytes, id_of);
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    shortcut_chars += m->whole_char_count();
    BpeScratch scratch;
    for (int rep = 0; rep < 40; ++rep) {
      const std::string w = random_word(rng, 1 + rng() % 14);
      std::vector<int32_t> fast, slow;
      m->encode_word(w, &scratch, &fast);
      m->encode_word_bytewise(w, &scratch, &slow);
      ASSERT_EQ(fast, slow) << w;
      ASSERT_EQ(slow, naive_bpe(v.data, w)) << w;
    }
  }
  // The test means something only if the shortcut was taken sometimes.
  EXPECT_GT(shortcut_chars, 0u);
}

}  // namespace
}  // namespace zhi
