// byte_mask: the AVX-512 version against its scalar twin, and the scalar
// one against a byte-by-byte reading of the table.
#include "compliance/byte_mask.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "compliance/ascii_block.h"

namespace zhi::compliance {
namespace {

ByteTable random_table(std::mt19937& rng) {
  ByteTable t;
  t.lo = 127;
  t.hi = 0;
  const int kind = static_cast<int>(rng() % 4);
  for (unsigned b = 0; b < 128; ++b) {
    const bool in = kind == 0   ? (b >= '0' && b <= '9')
                    : kind == 1 ? rng() % 40 == 0
                    : kind == 2 ? (b == 0 || b == 127)
                                : false;  // empty
    if (!in) continue;
    t.member[b] = 1;
    t.lo = std::min<uint8_t>(t.lo, static_cast<uint8_t>(b));
    t.hi = std::max<uint8_t>(t.hi, static_cast<uint8_t>(b));
  }
  return t;
}

TEST(ByteMask, ScalarMatchesTheTableAndSimdMatchesScalar) {
  std::mt19937 rng(2026);
  const bool simd = ascii_block_simd();
  if (!simd) std::cout << "[ NOTE ] no AVX-512 VBMI here: only the scalar version is checked\n";
  std::vector<unsigned char> buf(256);
  for (int i = 0; i < 20000; ++i) {
    const ByteTable t = random_table(rng);
    for (auto& b : buf) b = static_cast<unsigned char>(rng() % 3 ? rng() % 128 : rng() % 256);
    const size_t off = rng() % 64, n = rng() % 80;
    const unsigned char* p = buf.data() + off;
    uint64_t want = 0;
    for (size_t k = 0; k < n && k < 64; ++k)
      if (p[k] < 128 && t.member[p[k]]) want |= uint64_t{1} << k;
    ASSERT_EQ(byte_mask_scalar(p, n, t), want) << "case " << i;
    if (simd) {
      ASSERT_EQ(byte_mask_avx512(p, n, t), want) << "case " << i;
    }
  }
}

// Texts of a few Chinese characters (some the table's, some sharing their
// first or first two bytes) and ASCII, at every length near the block's end.
TEST(ByteMask, CharStartsSimdMatchesScalarAndAByteByByteSearch) {
  std::mt19937 rng(45438);
  const bool simd = ascii_block_simd();
  const char* const pieces[] = {"敏", "感", "数", "敷",
                                "整", "a",  "1",  " "};  // 敏 数 敷 整: E6 95 xx
  for (int i = 0; i < 20000; ++i) {
    CharTable t;
    for (const char* c : {"敏", "数"}) {
      if (rng() % 3 == 0) continue;
      t.b0[t.n] = static_cast<uint8_t>(c[0]);
      t.b1[t.n] = static_cast<uint8_t>(c[1]);
      t.b2[t.n] = static_cast<uint8_t>(c[2]);
      ++t.n;
    }
    std::string text;
    while (text.size() < 90) text += pieces[rng() % std::size(pieces)];
    const size_t from = rng() % 8, avail = rng() % (text.size() - from + 1);
    const auto* p = reinterpret_cast<const unsigned char*>(text.data()) + from;
    uint64_t want = 0;
    for (size_t k = 0; k < 64 && k + 3 <= avail; ++k)
      for (uint32_t c = 0; c < t.n; ++c)
        if (p[k] == t.b0[c] && p[k + 1] == t.b1[c] && p[k + 2] == t.b2[c]) want |= uint64_t{1} << k;
    ASSERT_EQ(char_starts_scalar(p, avail, t), want) << "case " << i;
    if (simd) {
      ASSERT_EQ(char_starts_avx512(p, avail, t), want) << "case " << i;
    }
  }
}

}  // namespace
}  // namespace zhi::compliance
