// ByteSink: what is committed stays, in order, across growth; room asked
// for and not committed is not kept.
#include "compliance/byte_sink.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

std::string contents(const ByteSink& s) { return std::string(s.data(), s.size()); }

TEST(ByteSink, KeepsCommittedBytesAcrossGrowth) {
  ByteSink s;
  EXPECT_TRUE(s.empty());
  std::string want;
  for (int round = 0; round < 300; ++round) {
    // Ask for a block's room, fill all of it, keep only part (as the fast
    // paths do); the rest must not show.
    char* d = s.tail(64);
    std::memset(d, '#', 64);
    const size_t keep = static_cast<size_t>(round % 65);
    for (size_t i = 0; i < keep; ++i) d[i] = static_cast<char>('a' + (round + i) % 26);
    s.commit(keep);
    want.append(d, keep);
    s.push_back('|');
    want.push_back('|');
    s.append("xy", 2);
    s.append("ignored", 0);
    want += "xy";
  }
  ASSERT_EQ(contents(s), want);
  EXPECT_EQ(s[5], want[5]);
  EXPECT_EQ(want.find('#'), std::string::npos);
  s.clear();
  EXPECT_TRUE(s.empty());
  append_utf8(s, U'敏');
  append_utf8(s, U'A');
  append_utf8(s, U'\U0001F600');
  EXPECT_EQ(contents(s),
            "\xE6\x95\x8F"
            "A"
            "\xF0\x9F\x98\x80");
}

TEST(ByteSink, ReserveMakesRoomWithoutChangingContents) {
  ByteSink s;
  s.append("abc", 3);
  s.reserve(1 << 20);
  const char* before = s.data();
  for (int i = 0; i < 1000; ++i) std::memcpy(s.tail(3), "def", 3), s.commit(3);
  EXPECT_EQ(s.data(), before);  // no growth inside the reserved room
  EXPECT_EQ(s.size(), 3003u);
  EXPECT_EQ(contents(s).substr(0, 6), "abcdef");
}

}  // namespace
}  // namespace zhi::compliance
