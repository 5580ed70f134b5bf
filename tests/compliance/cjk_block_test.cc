// decode_cjk_avx512 against decode_cjk_scalar: the same count and entries
// on random runs of three-byte sequences broken by overlong forms,
// surrogates, other sequence lengths, stray continuation bytes and short
// inputs, looked up in a real policy's table. write_cjk_skeleton_avx512
// and encode_cjk_folded_avx512 against their scalar twins on random entries.
#include "compliance/cjk_block.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "compliance/ascii_block.h"
#include "compliance/test_pack.h"
#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

TEST(CjkBlock, SimdMatchesScalar) {
  if (!ascii_block_simd()) GTEST_SKIP() << "this CPU has no AVX-512 VBMI";
  auto mod = testing::make_moderator({{"test-flag", "substring", "敏感\n"}});
  ASSERT_TRUE(mod);
  const uint32_t* table = mod->rules()->bmp.data();
  std::mt19937 rng(2);
  size_t decoded = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string s;
    const int odd = 1 + static_cast<int>(rng() % 40);  // one in `odd` pieces is not a plain one
    while (s.size() < 220) {
      if (rng() % odd != 0) {
        append_utf8(s, 0x800 + rng() % (0x10000 - 0x800 - 0x800));  // below the surrogates
        continue;
      }
      switch (rng() % 7) {
        case 0:  // overlong three-byte form
          s += "\xE0\x80\x80";
          break;
        case 1:  // a surrogate
          s += "\xED\xA0\x80";
          break;
        case 2:
          s += 'a';
          break;
        case 3:
          append_utf8(s, 0x400 + rng() % 0x300);  // two bytes
          break;
        case 4:
          append_utf8(s, 0x10000 + rng() % 0x1000);  // four bytes
          break;
        case 5:
          s += "\x80";
          break;
        default:
          append_utf8(s, 0xE000 + rng() % 0x2000);  // above the surrogates
      }
    }
    const size_t off = rng() % 4 == 0 ? rng() % 3 : 0;  // may start mid-sequence
    const size_t n = rng() % 2 ? s.size() - off : rng() % 200;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + off;
    uint32_t a[64], b[64];
    const uint32_t ma = decode_cjk_scalar(p, n, table, a);
    const uint32_t mb = decode_cjk_avx512(p, n, table, b);
    ASSERT_EQ(ma, mb) << trial;
    for (uint32_t c = 0; c < ma; ++c) EXPECT_EQ(a[c], b[c]) << trial << " " << c;
    decoded += ma;
  }
  EXPECT_GT(decoded, 100000u);  // about 8 characters a trial: most runs are broken early
}

// Entries with every bit the writer reads set at random: word characters,
// white space, clause breaks, term ends, and now and then an entry it must
// stop at; batches of every length, gaps carried in from before (up to
// saturation), and ring positions that wrap.
TEST(CjkBlock, SkeletonWriterSimdMatchesScalar) {
  if (!ascii_block_simd()) GTEST_SKIP() << "this CPU has no AVX-512 VBMI";
  std::mt19937 rng(3);
  uint64_t written = 0, stopped = 0;
  for (int trial = 0; trial < 30000; ++trial) {
    const uint32_t m = rng() % 65;
    const uint32_t stop_odds = 1 + rng() % 100;
    uint32_t entries[64];
    for (uint32_t c = 0; c < m; ++c) {
      uint32_t e = 0x4E00 + rng() % 0x5000;
      if (rng() % 3 != 0) {
        e |= cjk_entry::kWord | ((rng() % 8) << cjk_entry::kEndsShift);
        if (rng() % 4 != 0) e &= ~cjk_entry::kEndsWord;  // most characters end no whole-word term
      } else {
        if (rng() % 2) e |= cjk_entry::kSpace;
        if (rng() % 4 == 0) e |= cjk_entry::kBreaker;
      }
      if (rng() % stop_odds == 0) e |= rng() % 2 ? cjk_entry::kMulti : cjk_entry::kStop;
      entries[c] = e;
    }
    const uint32_t gap = rng() % 4 == 0 ? 250 + rng() % 6 : rng() % 5;
    const uint32_t flags = rng() % 8 & (SkelChar::kGapSpace | SkelChar::kGapBreaker);
    const uint32_t max_gap = rng() % 5;
    const uint64_t count = rng() % 1000;
    const uint64_t begin = rng();
    SkelChar ring_a[SkeletonWindow::kSize] = {}, ring_b[SkeletonWindow::kSize] = {};
    uint8_t ends_a[64] = {}, ends_b[64] = {};
    const CjkBatch a =
        write_cjk_skeleton_scalar(entries, m, begin, gap, flags, max_gap, ring_a, count, ends_a);
    const CjkBatch b =
        write_cjk_skeleton_avx512(entries, m, begin, gap, flags, max_gap, ring_b, count, ends_b);
    ASSERT_EQ(a.taken, b.taken) << trial;
    ASSERT_EQ(a.stopped, b.stopped) << trial;
    ASSERT_EQ(a.words, b.words) << trial;
    EXPECT_EQ(a.cut, b.cut) << trial;
    EXPECT_EQ(a.gap, b.gap) << trial;
    EXPECT_EQ(a.flags, b.flags) << trial;
    for (uint32_t k = 0; k < a.words; ++k) {
      const SkelChar& x = ring_a[(count + k) % SkeletonWindow::kSize];
      const SkelChar& y = ring_b[(count + k) % SkeletonWindow::kSize];
      ASSERT_TRUE(x.cp == y.cp && x.gap == y.gap && x.flags == y.flags && x.len == y.len &&
                  x.begin == y.begin)
          << trial << " entry " << k;
      EXPECT_EQ(ends_a[k], ends_b[k]) << trial << " entry " << k;
    }
    // Nothing written past the entries the batch reports.
    for (uint32_t k = a.words; k < SkeletonWindow::kSize; ++k) {
      const SkelChar& y = ring_b[(count + k) % SkeletonWindow::kSize];
      ASSERT_TRUE(y.cp == 0 && y.begin == 0) << trial << " past entry " << k;
    }
    written += a.words;
    stopped += a.stopped;
  }
  EXPECT_GT(written, 100000u);  // about 5 entries a trial
  EXPECT_GT(stopped, 10000u);
}

TEST(CjkBlock, FoldedTextEncoderMatchesScalarAndUtf8) {
  std::mt19937 rng(5);
  const bool simd = ascii_block_simd();
  uint64_t encoded = 0, stops = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const uint32_t m = rng() % 65;
    const uint32_t odd_odds = 1 + rng() % 80;
    uint32_t entries[64];
    for (uint32_t c = 0; c < m; ++c) {
      // Folded code points of three bytes, with the edges, and now and then
      // one of another length; the flag bits above kCpMask are noise here.
      uint32_t f = 0x800 + rng() % 0xF800;
      if (rng() % 50 == 0) f = rng() % 2 ? 0x800 : 0xFFFF;
      if (rng() % odd_odds == 0) {
        const uint32_t other[] = {0x41, 0x7FF, 0x10000, 0x1F600, 0xE9};
        f = other[rng() % 5];
      }
      entries[c] = f | (rng() & ~cjk_entry::kCpMask);
    }
    char want[64 * 3 + 1], got[64 * 3 + 1];
    std::memset(want, 'x', sizeof want);
    std::memset(got, 'x', sizeof got);
    const uint32_t k = encode_cjk_folded_scalar(entries, m, want);
    std::string utf8;
    for (uint32_t c = 0; c < k; ++c) append_utf8(utf8, entries[c] & cjk_entry::kCpMask);
    ASSERT_EQ(utf8, std::string(want, 3 * k)) << trial;
    if (k < m) {
      const uint32_t f = entries[k] & cjk_entry::kCpMask;
      ASSERT_TRUE(f < 0x800 || f >= 0x10000) << trial;
      ++stops;
    }
    encoded += k;
    if (!simd) continue;
    ASSERT_EQ(encode_cjk_folded_avx512(entries, m, got), k) << trial;
    ASSERT_EQ(std::string(got, sizeof got), std::string(want, sizeof want))
        << trial << ": bytes differ, or were written past the encoded ones";
  }
  EXPECT_GT(encoded, 100000u);
  EXPECT_GT(stops, 5000u);
  if (!simd) GTEST_SKIP() << "scalar encoder checked; this CPU has no AVX-512 VBMI";
}

}  // namespace
}  // namespace zhi::compliance
