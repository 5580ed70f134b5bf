#include "tokenizer/utf8_util.h"

#include <gtest/gtest.h>

#include "tokenizer/byte_level.h"

namespace zhi {
namespace {

Utf8Decoded dec(std::string_view s) { return decode_utf8(s.data(), s.size()); }

TEST(Utf8, DecodesWellFormed) {
  EXPECT_EQ(dec("A").cp, 0x41u);
  EXPECT_EQ(dec("\xc3\xa9").cp, 0xE9u);
  EXPECT_EQ(dec("中").cp, 0x4E2Du);
  EXPECT_EQ(dec("😀").cp, 0x1F600u);
  EXPECT_EQ(dec("😀").len, 4u);
  EXPECT_EQ(dec("\xf4\x8f\xbf\xbf").status, Utf8Status::kValid);  // U+10FFFF
}

TEST(Utf8, RejectsIllFormed) {
  for (std::string_view bad : {"\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                               "\xf5\x80\x80\x80", "\xff"}) {
    const Utf8Decoded d = dec(bad);
    EXPECT_EQ(d.status, Utf8Status::kInvalid) << testing::PrintToString(bad);
    EXPECT_EQ(d.len, 1u) << testing::PrintToString(bad);
  }
  // The maximal subpart: a good lead and continuation, then a bad byte.
  const Utf8Decoded d = dec("\xe4\xb8x");
  EXPECT_EQ(d.status, Utf8Status::kInvalid);
  EXPECT_EQ(d.len, 2u);
}

TEST(Utf8, Truncated) {
  EXPECT_EQ(dec("\xe4").status, Utf8Status::kTruncated);
  EXPECT_EQ(dec("\xe4\xb8").status, Utf8Status::kTruncated);
  EXPECT_EQ(dec("\xf0\x9f\x98").status, Utf8Status::kTruncated);
  EXPECT_EQ(dec("\xe0\x80").status, Utf8Status::kInvalid);  // could never complete
}

TEST(Utf8, Sanitize) {
  EXPECT_EQ(sanitize_utf8("ok 中"), "ok 中");
  EXPECT_EQ(sanitize_utf8("a\xff" "b"), "a\uFFFDb");
  EXPECT_EQ(sanitize_utf8("a\xe4\xb8"), "a\uFFFD");
  EXPECT_EQ(sanitize_utf8("\xe0\x80"), "\uFFFD\uFFFD");
}

TEST(Utf8, AppendRoundTrips) {
  for (uint32_t cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    append_utf8(cp, &s);
    const Utf8Decoded d = dec(s);
    EXPECT_EQ(d.status, Utf8Status::kValid);
    EXPECT_EQ(d.cp, cp);
    EXPECT_EQ(d.len, s.size());
  }
}

TEST(ByteLevel, KnownStandIns) {
  EXPECT_EQ(byte_to_unicode(' '), 0x120u);   // Ġ
  EXPECT_EQ(byte_to_unicode('\n'), 0x10Au);  // Ċ
  EXPECT_EQ(byte_to_unicode(0x00), 0x100u);
  EXPECT_EQ(byte_to_unicode(0x7F), 0x121u);
  EXPECT_EQ(byte_to_unicode(0xAD), 0x143u);
  EXPECT_EQ(byte_to_unicode('A'), static_cast<uint32_t>('A'));
  EXPECT_EQ(byte_to_unicode(0xE9), 0xE9u);
  EXPECT_EQ(byte_level_encode(" the"), "\u0120the");
}

TEST(ByteLevel, EveryByteRoundTrips) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  bool exact = false;
  EXPECT_EQ(byte_level_decode(byte_level_encode(all), &exact), all);
  EXPECT_TRUE(exact);
  for (int b = 0; b < 256; ++b) EXPECT_EQ(unicode_to_byte(byte_to_unicode(static_cast<uint8_t>(b))), b);
  EXPECT_EQ(unicode_to_byte(0x4E2D), -1);
}

TEST(ByteLevel, UnmappedCharactersKeepTheirBytes) {
  bool exact = true;
  EXPECT_EQ(byte_level_decode("a中\xff", &exact), "a中\xff");
  EXPECT_FALSE(exact);
}

}  // namespace
}  // namespace zhi
