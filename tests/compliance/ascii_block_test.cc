// The AVX-512 ASCII block functions against their scalar twins: the same
// masks, folded bytes, skeleton entries, entry indexes and barrier, on
// random blocks (mostly ASCII, with slow bytes and short inputs) under the
// tables of a real policy, at ring positions that wrap.
#include "compliance/ascii_block.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "compliance/ascii_block_scalar.h"
#include "compliance/test_pack.h"

namespace zhi::compliance {
namespace {

TEST(AsciiBlock, SimdMatchesScalar) {
  if (!ascii_block_simd()) GTEST_SKIP() << "this CPU has no AVX-512 VBMI/VBMI2";
  auto mod = testing::make_moderator(
      {{"test-flag", "substring", "abc\nx1\n"}, {"test-mask", "word", "abe\nbad\n"}}, "cabc\n");
  ASSERT_TRUE(mod);
  const AsciiTables& t = mod->rules()->ascii_tables;
  static const char kBytes[] = "abcdexyzABC019 _-*.,;\n\t!?@";
  std::mt19937 rng(1);
  size_t words = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    unsigned char p[80];
    const int mode = static_cast<int>(rng() % 4);
    for (unsigned char& b : p) {
      b = static_cast<unsigned char>(kBytes[rng() % (sizeof(kBytes) - 1)]);
      if (mode == 1 && rng() % 40 == 0) b = static_cast<unsigned char>(0x80 + rng() % 128);
      if (mode == 2 && rng() % 40 == 0) b = static_cast<unsigned char>(rng() % 128);  // any ASCII
      if (mode == 3) b = rng() % 3 ? ' ' : b;  // long noise runs
    }
    const size_t n = rng() % 4 == 0 ? rng() % 70 : 64 + rng() % 16;
    AsciiBlock a, b;
    classify_ascii_block_scalar(p, n, t, a);
    classify_ascii_block_avx512(p, n, t, b);
    ASSERT_EQ(a.len, b.len) << trial;
    EXPECT_EQ(a.word, b.word) << trial;
    EXPECT_EQ(a.space, b.space) << trial;
    EXPECT_EQ(a.breaker, b.breaker) << trial;
    EXPECT_EQ(a.ends_allow, b.ends_allow) << trial;
    EXPECT_EQ(a.ends_anywhere, b.ends_anywhere) << trial;
    EXPECT_EQ(a.ends_word, b.ends_word) << trial;
    EXPECT_EQ(std::memcmp(a.folded, b.folded, a.len), 0) << trial;

    const uint64_t count = rng() % 2 ? rng() % 1000 : 256 * (1 + rng() % 3) - rng() % 70;
    const uint64_t begin = rng() % 100000;
    const uint32_t gap = rng() % 2 ? 0 : rng() % 256;
    const uint32_t flags = rng() % 8 & (SkelChar::kGapSpace | SkelChar::kGapBreaker);
    const uint32_t max_gap = rng() % 2 ? 3 : rng() % 300;
    SkeletonWindow ra, rb;
    uint8_t at_a[64], at_b[64];
    const uint64_t cut_a =
        write_ascii_skeleton_scalar(a, begin, gap, flags, max_gap, ra.ring(), count, at_a);
    const uint64_t cut_b =
        write_ascii_skeleton_avx512(a, begin, gap, flags, max_gap, rb.ring(), count, at_b);
    EXPECT_EQ(cut_a, cut_b) << trial;
    uint32_t i = 0;
    for (uint64_t m = a.word; m != 0; m &= m - 1, ++i) {
      const int k = __builtin_ctzll(m);
      EXPECT_EQ(at_a[k], i);
      EXPECT_EQ(at_b[k], i);
    }
    for (uint32_t e = 0; e < i; ++e) {
      const SkelChar& x = ra.at(count + e);
      const SkelChar& y = rb.at(count + e);
      EXPECT_EQ(x.cp, y.cp) << trial << " " << e;
      EXPECT_EQ(x.gap, y.gap) << trial << " " << e;
      EXPECT_EQ(x.flags, y.flags) << trial << " " << e;
      EXPECT_EQ(x.len, y.len) << trial << " " << e;
      EXPECT_EQ(x.begin, y.begin) << trial << " " << e;
    }
    // Nothing written outside the entries (the rings started zeroed).
    for (uint64_t e = i; e < SkeletonWindow::kSize; ++e) {
      EXPECT_EQ(rb.at(count + e).begin, 0u) << trial << " " << e;
      EXPECT_EQ(rb.at(count + e).cp, 0u) << trial << " " << e;
    }
    words += i;
  }
  EXPECT_GT(words, 100000u);
}

}  // namespace
}  // namespace zhi::compliance
