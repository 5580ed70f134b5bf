// GB/T 45654 expects a term library of at least 10,000 entries and the
// engine must handle 100,000: such a list loads, compiles and matches.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>
#include <string>

#include "compliance/moderator.h"
#include "compliance/policy_loader.h"
#include "compliance/test_pack.h"
#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

// Distinct pseudo-terms: two thirds Chinese (2-6 ideographs), one third Latin (5-12 letters).
std::vector<std::string> make_terms(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::set<std::string> seen;
  std::vector<std::string> out;
  while (out.size() < n) {
    std::string t;
    if (out.size() % 3 != 0) {
      const int len = 2 + static_cast<int>(rng() % 5);
      for (int i = 0; i < len; ++i) append_utf8(t, 0x4E00 + rng() % 0x5000);
    } else {
      const int len = 5 + static_cast<int>(rng() % 8);
      for (int i = 0; i < len; ++i) t += static_cast<char>('a' + rng() % 26);
    }
    if (seen.insert(t).second) out.push_back(t);
  }
  return out;
}

TEST(BigList, HundredThousandTermsLoadAndMatch) {
  const std::vector<std::string> terms = make_terms(100000, 1);
  std::string file = "# 100,000 generated test terms\n";
  for (const std::string& t : terms) file += t + "\n";
  const std::string path = testing::write_file("big/terms.txt", file);
  const auto t0 = std::chrono::steady_clock::now();
  Result<PolicyPack> pack = load_policy_pack(testing::write_pack("big-pack", {}));
  ASSERT_TRUE(pack.ok()) << pack.status().to_string();
  ASSERT_TRUE(add_term_file(*pack, path, "test-refuse").ok());
  ASSERT_EQ(pack->terms.size(), terms.size());
  Result<std::shared_ptr<const Moderator>> mod = Moderator::create(std::move(pack).value());
  ASSERT_TRUE(mod.ok()) << mod.status().to_string();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "[ info     ] 100,000 terms loaded and compiled in %.2f s; index %zu KiB\n", secs,
      ((*mod)->rules()->anywhere.memory_bytes() + (*mod)->rules()->word.memory_bytes()) / 1024);
  EXPECT_LT(secs, 60.0);

  // Every 997th term, planted in filler text, is found at its exact place.
  for (size_t i = 0; i < terms.size(); i += 997) {
    const std::string text = "前文 some words " + terms[i] + " 后文。";
    const Verdict v = (*mod)->check(text).value();
    bool found = false;
    for (const Finding& f : v.findings) {
      found = found ||
              (f.rule == i && f.begin == text.find(terms[i]) && f.end == f.begin + terms[i].size());
    }
    EXPECT_TRUE(found) << "term " << i << ": " << terms[i];
  }
}

}  // namespace
}  // namespace zhi::compliance
