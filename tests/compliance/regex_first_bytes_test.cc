// regex_first_bytes: which bytes a pattern's matches can start with. Named
// patterns check the parser's answers; random patterns check, against
// Vectorscan itself, that every match starts with a byte of the set.
#include "compliance/regex_first_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "compliance/random_regex.h"
#include "compliance/regex_set.h"
#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

std::string members(const ByteSet& s) {
  std::string out;
  for (unsigned b = 0; b < 128; ++b)
    if (s.has(static_cast<unsigned char>(b))) out += static_cast<char>(b);
  return out;
}

// The set as a string of its bytes in order, then "+" and its characters
// in order if any, or "?" where unknown.
std::string first_of(const std::string& pattern) {
  StartSet s;
  if (!regex_first_bytes(pattern, &s)) return "?";
  std::string out = members(s.bytes);
  if (!s.chars.empty()) {
    std::vector<char32_t> chars = s.chars;
    std::sort(chars.begin(), chars.end());
    out += '+';
    for (char32_t cp : chars) append_utf8(out, cp);
  }
  return out;
}

TEST(RegexFirstBytes, NamedPatterns) {
  // The cn pack's personal-information patterns start with digits.
  EXPECT_EQ(first_of("\\b\\d{17}[\\dx]\\b"), "0123456789");
  EXPECT_EQ(first_of("\\b1[3-9]\\d{9}\\b"), "1");
  // Optional and zero-width pieces let what follows start the match.
  EXPECT_EQ(first_of("^-?\\d+"), "-0123456789");
  EXPECT_EQ(first_of("(ab|c)?x"), "ACXacx");
  EXPECT_EQ(first_of("a.{2,6}b"), "Aa");  // only what can come first counts
  EXPECT_EQ(first_of("(?:1|2){0,2}3"), "123");
  EXPECT_EQ(first_of("[\\x41-\\x43_]+y"), "ABC_abc");
  EXPECT_EQ(first_of("\\x{31}|\\.|\\n"), "\n.1");
  EXPECT_EQ(first_of("[]a-]z"), "-A]a");
  // Chinese characters (no case forms) start matches too.
  EXPECT_EQ(first_of("(买|卖).{0,5}枪"), "+买卖");
  EXPECT_EQ(first_of("[卖买]?1|\\x{4e00}"), "1+一买卖");
  EXPECT_EQ(first_of("敏感"), "+敏");
  // Unknown: a match could start with bytes the analysis cannot bound.
  for (const char* p :
       {".{2}ab",  ".x",     "[^a]x", "\\w+",    "\\sx",   "\\Dx",   "\\p{Han}x", "é",       "Ｘ",
        "[一-龥]", "[a-z]x", "kx",    "\\x{e9}", "(?i)ab", "(?=a)a", "a\\1",      "\\Qa\\E", "a|.",
        "(a",      "a)",     "[a",    "a{",      "x{2,1",  "*a",     "a**",       "\\"}) {
    EXPECT_EQ(first_of(p), "?") << p;
  }
}

TEST(RegexFirstBytes, EveryMatchStartsWithAByteOfTheSet) {
  std::mt19937 rng(45654);
  int analysed = 0, matches = 0;
  for (int i = 0; i < 1500; ++i) {
    const std::string pattern = random_pattern(rng, 0);
    StartSet first;
    if (!regex_first_bytes(pattern, &first) || !check_regex(pattern).ok()) continue;
    int bad = -1;
    auto set = RegexSet::compile({{pattern, 0}}, &bad);
    if (!set.ok()) continue;  // syntax Vectorscan does not support
    ++analysed;
    for (int k = 0; k < 4; ++k) {
      const std::string text = random_text(rng, 1 + rng() % 200, 1);
      RegexSet::Stream s =
          RegexSet::Stream::open(set.value(), RegexSet::Stream::Skip::kNever).value();
      const auto on = [&](unsigned, uint64_t from, uint64_t to) {
        ASSERT_LT(from, to);
        ASSERT_LE(to, text.size());
        const Decoded d = decode_utf8(reinterpret_cast<const unsigned char*>(text.data()) + from,
                                      text.size() - from);
        const bool in =
            first.bytes.has(static_cast<unsigned char>(text[from])) ||
            std::find(first.chars.begin(), first.chars.end(), d.cp) != first.chars.end();
        EXPECT_TRUE(in) << "pattern " << pattern << " matched from byte " << from
                        << " in: " << text;
        ++matches;
      };
      ASSERT_TRUE(s.scan(text.data(), text.size(), on).ok());
      ASSERT_TRUE(s.close(on).ok());
    }
  }
  // Enough patterns were analysed, and matched, to mean something.
  EXPECT_GT(analysed, 400);
  EXPECT_GT(matches, 5000);
}

}  // namespace
}  // namespace zhi::compliance
