#include "session/stop_matcher.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace zhi {
namespace {

StopMatcher make(std::vector<std::string> stops) {
  auto m = StopMatcher::create(std::move(stops));
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  return std::move(m).value();
}

// Feeds pieces; returns each push's emitted text, then finish() (or "<stop:i>").
std::vector<std::string> run(StopMatcher& m, const std::vector<std::string>& pieces) {
  std::vector<std::string> out;
  for (const auto& p : pieces) {
    const StopStep step = m.push(p);
    out.push_back(step.text);
    if (step.stopped) {
      out.push_back("<stop:" + std::to_string(step.stop_index) + ">");
      return out;
    }
  }
  out.push_back(m.finish());
  return out;
}

using Strings = std::vector<std::string>;

TEST(StopMatcherTest, RejectsEmptyStop) {
  const auto m = StopMatcher::create({"ok", ""});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "stop[1]: empty stop string");
}

TEST(StopMatcherTest, NoStopsPassesThrough) {
  StopMatcher m = make({});
  EXPECT_EQ(run(m, {"Hello", ", ", "world"}), (Strings{"Hello", ", ", "world", ""}));
}

TEST(StopMatcherTest, StopInsideOnePiece) {
  StopMatcher m = make({"</s>"});
  EXPECT_EQ(run(m, {"Hello</s>world"}), (Strings{"Hello", "<stop:0>"}));
  EXPECT_TRUE(m.stopped());
  const StopStep after = m.push("more");
  EXPECT_TRUE(after.stopped);
  EXPECT_EQ(after.text, "");
  EXPECT_EQ(m.finish(), "");
}

TEST(StopMatcherTest, StopAcrossPieces) {
  StopMatcher m = make({"</s>"});
  EXPECT_EQ(run(m, {"Hel", "lo<", "/", "s>", "ignored"}), (Strings{"Hel", "lo", "", "", "<stop:0>"}));
}

TEST(StopMatcherTest, FalseStartIsReleased) {
  StopMatcher m = make({"</s>"});
  EXPECT_EQ(run(m, {"a<", "/b", "c"}), (Strings{"a", "</b", "c", ""}));
}

TEST(StopMatcherTest, HeldTailIsReleasedAtFinish) {
  StopMatcher m = make({"</s>"});
  EXPECT_EQ(run(m, {"ab</"}), (Strings{"ab", "</"}));
  m.reset();
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(run(m, {"x</s>"}), (Strings{"x", "<stop:0>"}));
}

TEST(StopMatcherTest, SelfOverlappingStop) {
  StopMatcher m = make({"aab"});
  EXPECT_EQ(run(m, {"a", "a", "a", "b"}), (Strings{"", "", "a", "", "<stop:0>"}));
}

TEST(StopMatcherTest, EarliestCompletionThenLongest) {
  {
    StopMatcher m = make({"abc", "b"});
    EXPECT_EQ(run(m, {"xabc"}), (Strings{"xa", "<stop:1>"}));
  }
  {
    StopMatcher m = make({"b", "ab"});
    EXPECT_EQ(run(m, {"xab"}), (Strings{"x", "<stop:1>"}));
  }
  {
    StopMatcher m = make({"User:", "\n\n"});
    EXPECT_EQ(run(m, {"Sure.\n", "\nUser:"}), (Strings{"Sure.", "", "<stop:1>"}));
  }
}

TEST(StopMatcherTest, HoldsIncompleteUtf8) {
  StopMatcher m = make({});
  // "你" is E4 BD A0; byte-level tokens may split it anywhere.
  EXPECT_EQ(run(m, {"a\xE4", "\xBD", "\xA0" "b"}), (Strings{"a", "", "\xE4\xBD\xA0" "b", ""}));
  // Four-byte emoji U+1F600 F0 9F 98 80.
  StopMatcher e = make({});
  EXPECT_EQ(run(e, {"\xF0\x9F", "\x98", "\x80"}), (Strings{"", "", "\xF0\x9F\x98\x80", ""}));
  // A stream that ends mid-character still hands every byte back.
  StopMatcher t = make({});
  EXPECT_EQ(run(t, {"ok\xE4\xBD"}), (Strings{"ok", "\xE4\xBD"}));
  // Stray continuation bytes are malformed, not incomplete: not held.
  StopMatcher s = make({});
  EXPECT_EQ(run(s, {"x\xBD"}), (Strings{"x\xBD", ""}));
}

TEST(StopMatcherTest, Utf8StopStringSplitMidCharacter) {
  StopMatcher m = make({"。"});  // E3 80 82
  EXPECT_EQ(run(m, {"好\xE3", "\x80", "\x82后"}), (Strings{"好", "", "", "<stop:0>"}));
  StopMatcher n = make({"。"});
  // Shares the lead byte E3 but is another character: released once known.
  EXPECT_EQ(run(n, {"\xE3\x80", "\x81"}), (Strings{"", "\xE3\x80\x81", ""}));
}

TEST(StopMatcherTest, ResultDoesNotDependOnChunking) {
  const std::vector<std::string> stops = {"</answer>", "\n\nUser:", "。。", "ab"};
  const std::string alphabet[] = {"a", "b", "<", "/", "answer", ">", "\n", "User:", "。", "你", "x"};
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    const int words = 1 + static_cast<int>(rng() % 12);
    for (int w = 0; w < words; ++w) text += alphabet[rng() % std::size(alphabet)];

    StopMatcher whole = make(stops);
    const StopStep ref = whole.push(text);
    const std::string ref_text = ref.stopped ? ref.text : ref.text + whole.finish();

    StopMatcher parts = make(stops);
    std::string got;
    StopStep last;
    size_t pos = 0;
    while (pos < text.size() && !last.stopped) {
      const size_t len = std::min(text.size() - pos, static_cast<size_t>(1 + rng() % 4));
      last = parts.push(std::string_view(text).substr(pos, len));
      got += last.text;
      pos += len;
    }
    if (!last.stopped) got += parts.finish();
    ASSERT_EQ(got, ref_text) << "trial " << trial << " text " << text;
    ASSERT_EQ(last.stopped, ref.stopped) << text;
    ASSERT_EQ(last.stop_index, ref.stop_index) << text;
  }
}

}  // namespace
}  // namespace zhi
