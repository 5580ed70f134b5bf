// RegexSet over Vectorscan: matches must not depend on where in memory the
// scanned text lies. Vectorscan 5.4.9 on AVX-512 gets a few texts wrong at a
// few addresses when one call scans more than 64 bytes; these texts are two
// it got wrong (found by a search against std::regex, see regex_set.h).
#include "compliance/regex_set.h"

#include <gtest/gtest.h>

#include <cstring>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace zhi::compliance {
namespace {

// Match ends of `pattern` over `text` when the text starts `offset` bytes
// past a 64-byte boundary.
std::set<uint64_t> match_ends(const std::shared_ptr<const RegexSet>& set, const std::string& text,
                              size_t offset) {
  alignas(64) static char buf[4096];
  std::memset(buf, 0, sizeof buf);
  std::memcpy(buf + offset, text.data(), text.size());
  RegexSet::Stream s = RegexSet::Stream::open(set).value();
  std::set<uint64_t> ends;
  const auto on = [&](unsigned, uint64_t, uint64_t to) { ends.insert(to); };
  EXPECT_TRUE(s.scan(buf + offset, text.size(), on).ok());
  EXPECT_TRUE(s.close(on).ok());
  return ends;
}

TEST(RegexSet, MatchesDoNotDependOnTheTextsAddress) {
  int bad = -1;
  auto set = RegexSet::compile({{"x\\d{2}", 0}}, &bad);
  ASSERT_TRUE(set.ok()) << set.status().to_string();
  const std::regex re("[xX][0-9]{2}");
  for (const std::string text :
       {"1  2bba221b*1a2*a c*2* c12c1cc1b22b21****1*1*aac2c12b*1a*1*21 *1ac2bab 12 "
        "*x*bax*bba22x22c*cbx121 2bx1*bc*",
        "a1b 222a2  1cab2c*1c1*22c*11b a 1ca cbabba2* b*baaa*2b c 2aa***a1*x x21a1 ba*1bcaba"}) {
    std::set<uint64_t> want;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
         ++it)
      want.insert(static_cast<uint64_t>(it->position() + it->length()));
    ASSERT_FALSE(want.empty());
    for (size_t offset = 0; offset < 64; ++offset)
      EXPECT_EQ(match_ends(*set, text, offset), want) << "offset " << offset << ": " << text;
  }
}

}  // namespace
}  // namespace zhi::compliance
