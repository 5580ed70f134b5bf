// The scanner's speed-ups must not change what it finds:
//  - the fast paths (Scanner::ascii_run, cjk_run) against the general per-
//    code-point path, on random text that mixes plain ASCII with everything that
//    makes the general path work (full-width forms, traditional characters,
//    homoglyphs, zero-width characters, separators, clause breaks, marks,
//    invalid bytes), in block mode and streamed in random pieces;
//  - the literal index's blocked filter against a brute-force matcher.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "compliance/literal_index.h"
#include "compliance/scanner.h"
#include "compliance/test_pack.h"
#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

// Pieces chosen so terms occur often and every fast-path boundary is crossed:
// ASCII letters (both cases), digits, spaces, separators and clause breaks
// next to full-width letters, Cyrillic and Greek look-alikes, a traditional
// character, a zero-width space, a combining mark, an emoji, a tab, a lone
// invalid byte, a truncated sequence, an ideographic space and CJK
// punctuation.
const char* const kPieces[] = {
    "a",      "b",        "c",      "d",      "e",   "A",   "B",     "x",      "1",  "2",    " ",
    " ",      "*",        "_",      "-",      ".",   ",",   "\n",    "\t",     "ａ", "Ｂ",   "ｃ",
    "\u0430", "ο",        "\u200b", "\u0301", "😀",   "敏",  "感",    "詞",     "词", "，",   "。",
    "\xff",   "\xe6\x95", "abc",    "bad",    "cab", "x1 ", "A B C", "\u3000", "「", "敏感", "詞a"};

std::string random_text(std::mt19937& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kPieces[rng() % std::size(kPieces)];
  return s;
}

std::vector<Hit> scan_block(const std::shared_ptr<const Moderator>& mod, const std::string& text,
                            bool fast, bool simd = true) {
  Scanner s = Scanner::create(mod->rules()).value();
  s.set_fast_paths(fast);
  s.set_simd(simd);
  EXPECT_TRUE(s.feed(text).ok());
  EXPECT_TRUE(s.finish().ok());
  return s.hits();
}

// Hits in the order they became final, and the stable end after each piece.
std::pair<std::vector<Hit>, std::vector<uint64_t>> scan_stream(
    const std::shared_ptr<const Moderator>& mod, const std::string& text,
    const std::vector<size_t>& cuts, bool fast, bool simd = true) {
  Scanner s = Scanner::create(mod->rules()).value();
  s.set_fast_paths(fast);
  s.set_simd(simd);
  std::vector<uint64_t> stable;
  size_t at = 0;
  for (size_t cut : cuts) {
    EXPECT_TRUE(s.feed(std::string_view(text).substr(at, cut - at)).ok());
    stable.push_back(s.stable_end());
    at = cut;
  }
  EXPECT_TRUE(s.finish().ok());
  return {s.hits(), stable};
}

// simd: whether the fast paths may use AVX-512 (where the CPU has it) or
// must use their scalar twins. long_runs: texts of long ASCII and CJK runs
// (long_text), which cross the fast paths' 64-character batches, wrap the
// skeleton ring and saturate gaps.
void check_equivalent(const std::shared_ptr<const Moderator>& mod, uint32_t seed, int trials,
                      bool simd = true, bool long_runs = false);

// Runs of one kind of piece at a time, mostly long: plain ASCII words and
// noise (with, now and then, a space run over 255 bytes), CJK characters
// and punctuation, and now and then one of kPieces.
std::string long_text(std::mt19937& rng) {
  static const char* const kAscii[] = {"a", "b", "c", "d", "e", "x",  "1",   "A",   "B",   " ",
                                       " ", "*", "-", ".", ",", "\n", "abc", "bad", "cab", "x1 "};
  static const char* const kCjk[] = {"敏", "感", "词", "天",     "气",
                                     "，", "。", "「", "\u3000", "敏感"};
  std::string s;
  const int runs = 1 + static_cast<int>(rng() % 6);
  for (int r = 0; r < runs; ++r) {
    const int n = static_cast<int>(rng() % 200);
    switch (rng() % 5) {
      case 0:
      case 1:
        for (int i = 0; i < n; ++i) s += kAscii[rng() % std::size(kAscii)];
        break;
      case 2:
        for (int i = 0; i < n; ++i) s += kCjk[rng() % std::size(kCjk)];
        break;
      case 3:
        s += std::string(rng() % 2 ? 300 : 1 + rng() % 70, ' ');
        break;
      default:
        for (int i = 0; i < 1 + n / 20; ++i) s += kPieces[rng() % std::size(kPieces)];
    }
  }
  return s;
}

void check_equivalent(const std::shared_ptr<const Moderator>& mod, uint32_t seed, int trials,
                      bool simd, bool long_runs) {
  std::mt19937 rng(seed);
  size_t hits = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const std::string text =
        long_runs ? long_text(rng) : random_text(rng, 1 + static_cast<int>(rng() % 80));
    const std::vector<Hit> general = scan_block(mod, text, false);
    EXPECT_EQ(scan_block(mod, text, true, simd), general) << text;
    hits += general.size();
    std::vector<size_t> cuts;
    for (size_t at = 0; at < text.size();) {
      // Splits inside UTF-8 sequences too; long texts also get long pieces.
      at = std::min(text.size(), at + 1 + rng() % (long_runs && rng() % 2 ? 300 : 7));
      cuts.push_back(at);
    }
    const auto slow = scan_stream(mod, text, cuts, false);
    const auto fast = scan_stream(mod, text, cuts, true, simd);
    EXPECT_EQ(fast.first, slow.first) << text;
    EXPECT_EQ(fast.second, slow.second) << text;
  }
  EXPECT_GT(hits, static_cast<size_t>(trials));  // the inputs do exercise the hit paths
}

const char* const kSubstring = "abc\nbad\ncab\nab\nx1\n敏感\n感词\n词a\nac\n";
const char* const kWord = "abe\nbe\ncad\naaa\nb1\nabcd\nb词\n感a\n";

TEST(FastPath, RunsMatchTheGeneralPath) {
  auto mod = testing::make_moderator(
      {{"test-flag", "substring", kSubstring}, {"test-mask", "word", kWord}});
  ASSERT_TRUE(mod);
  check_equivalent(mod, 1, 1500);
}

TEST(FastPath, RunsMatchTheGeneralPathWithAllowTerms) {
  auto mod = testing::make_moderator(
      {{"test-flag", "substring", kSubstring}, {"test-mask", "word", kWord}},
      "abcab\nxabc\ncabe\n敏感词\nbad b\n");
  ASSERT_TRUE(mod);
  check_equivalent(mod, 2, 1500);
}

TEST(FastPath, RunsMatchTheGeneralPathWithRegexTerms) {
  // A regex term makes the scanner keep the folded text and its offset map.
  auto mod = testing::make_moderator({{"test-flag", "substring", kSubstring},
                                      {"test-mask", "word", kWord},
                                      {"test-refuse", "regex", "b[a-c]+d\n\\d{2}\n"}});
  ASSERT_TRUE(mod);
  check_equivalent(mod, 3, 1000);
}

// The same three term sets with the fast paths' scalar twins (on a CPU
// without AVX-512 the tests above already run those), and with long runs.
TEST(FastPath, ScalarTwinsMatchTheGeneralPath) {
  auto mod = testing::make_moderator(
      {{"test-flag", "substring", kSubstring}, {"test-mask", "word", kWord}},
      "abcab\nxabc\ncabe\n敏感词\nbad b\n");
  ASSERT_TRUE(mod);
  check_equivalent(mod, 4, 1000, /*simd=*/false);
}

TEST(FastPath, LongRunsMatchTheGeneralPath) {
  for (const bool simd : {true, false}) {
    auto plain = testing::make_moderator(
        {{"test-flag", "substring", kSubstring}, {"test-mask", "word", kWord}});
    ASSERT_TRUE(plain);
    check_equivalent(plain, 5, 300, simd, /*long_runs=*/true);
    auto allow = testing::make_moderator(
        {{"test-flag", "substring", kSubstring}, {"test-mask", "word", kWord}},
        "abcab\nxabc\ncabe\n敏感词\nbad b\n");
    ASSERT_TRUE(allow);
    check_equivalent(allow, 6, 300, simd, /*long_runs=*/true);
    auto regex = testing::make_moderator({{"test-flag", "substring", kSubstring},
                                          {"test-mask", "word", kWord},
                                          {"test-refuse", "regex", "b[a-c]+d\n\\d{2}\n"}});
    ASSERT_TRUE(regex);
    check_equivalent(regex, 7, 200, simd, /*long_runs=*/true);
  }
}

// A list large enough (filters of 64 KiB) that the fast paths prefetch
// filter lines ahead of their probes, of terms made of the characters the
// long texts use, so they hit often.
TEST(FastPath, LongRunsMatchTheGeneralPathWithALargeList) {
  const std::u32string alphabet = U"abcdex1敏感词天气";
  std::mt19937 rng(8);
  std::set<std::u32string> seen;
  std::string substring, word;
  while (seen.size() < 34000) {
    std::u32string t;
    const size_t len = 2 + rng() % 7;
    for (size_t i = 0; i < len; ++i) t += alphabet[rng() % alphabet.size()];
    if (!seen.insert(t).second) continue;
    std::string& out = seen.size() % 2 ? substring : word;
    for (char32_t c : t) append_utf8(out, c);
    out += '\n';
  }
  auto mod = testing::make_moderator(
      {{"test-flag", "substring", substring}, {"test-mask", "word", word}}, "abcab\n敏感词\n");
  ASSERT_TRUE(mod);
  for (const bool simd : {true, false}) check_equivalent(mod, 9, 100, simd, /*long_runs=*/true);
}

// Many terms over a small alphabet, so the filter's lines are crowded and
// every key length has keys: no true match may be filtered out. The shortest
// term length decides how many characters pick a filter line (two to four),
// and terms longer than eight characters share keys with their endings.
void check_index_against_brute_force(uint32_t min_len, uint32_t max_len, uint32_t seed) {
  const std::u32string alphabet = min_len >= 3 ? U"abc敏" : U"abcde敏感词";
  std::mt19937 rng(seed);
  std::set<std::u32string> seen;
  std::vector<std::u32string> terms;
  while (terms.size() < 3000) {
    std::u32string t;
    const uint32_t len = min_len + rng() % (max_len - min_len + 1);
    for (uint32_t i = 0; i < len; ++i) t += alphabet[rng() % alphabet.size()];
    if (len == 1 && rng() % 4 != 0) continue;  // a few one-character terms
    if (seen.insert(t).second) terms.push_back(t);
  }
  LiteralIndex index;
  for (uint32_t i = 0; i < terms.size(); ++i) {
    FoldedTerm f;
    f.chars = terms[i];
    index.add(f, i);
  }
  index.build();
  SkeletonWindow w;
  std::u32string text;
  size_t found = 0;
  for (int k = 0; k < 2000; ++k) {
    const char32_t c = alphabet[rng() % alphabet.size()];
    text += c;
    w.push(SkelChar{c, 0, 0, 1, static_cast<uint64_t>(k)});
    const uint64_t j = w.count() - 1;
    std::set<uint32_t> got, want;
    index.for_each_ending_at(w, j, [&](const TermRef& t) { got.insert(t.rule); });
    for (uint32_t i = 0; i < terms.size(); ++i) {
      const std::u32string& t = terms[i];
      if (t.size() <= text.size() && text.compare(text.size() - t.size(), t.size(), t) == 0)
        want.insert(i);
    }
    ASSERT_EQ(got, want) << "terms of " << min_len << "-" << max_len << ", at " << k;
    found += want.size();
  }
  EXPECT_GT(found, 500u);
}

TEST(FastPath, LiteralIndexFindsWhatBruteForceFinds) {
  check_index_against_brute_force(1, 8, 9);    // lines picked by two characters
  check_index_against_brute_force(3, 12, 10);  // by three; keys capped at eight
  check_index_against_brute_force(5, 12, 11);  // by four, as for a list of Latin words
}

}  // namespace
}  // namespace zhi::compliance
