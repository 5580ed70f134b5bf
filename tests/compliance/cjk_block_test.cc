// decode_cjk_avx512 against decode_cjk_scalar: the same count and entries
// on random runs of three-byte sequences broken by overlong forms,
// surrogates, other sequence lengths, stray continuation bytes and short
// inputs, looked up in a real policy's table.
#include "compliance/cjk_block.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace zhi::compliance
