// Scores over F16 key blocks (kernels/key_blocks.h) against the F16 GemmFn
// over the same keys as rows: bit for bit, on the scalar table and every
// ISA this machine runs. Head sizes cross the sixteen-lane step and its
// tail; key counts end mid-block; query counts cover a decode group (7) and
// a prefill block (8).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/half.h"
#include "kernel_test_util.h"
#include "kernels/key_blocks.h"

namespace zhi {
namespace {

using testing::QuantActs;
using testing::random_floats;

class KeyBlockScores : public ::testing::TestWithParam<Isa> {};

TEST(KeyBlocks, KeysGoInAndComeBackOut) {
  const int64_t hd = 72, n = 37;
  std::vector<uint8_t> blocks((n + kKeyBlock - 1) / kKeyBlock * key_block_bytes(hd), 0);
  for (int64_t j = 0; j < n; ++j) {
    std::vector<uint16_t> key(hd);
    for (int64_t i = 0; i < hd; ++i) key[i] = static_cast<uint16_t>(j * 1000 + i);
    put_key(key.data(), hd, j, blocks.data());
  }
  for (int64_t j = 0; j < n; ++j) {
    std::vector<uint16_t> got(hd);
    get_key(blocks.data(), hd, j, got.data());
    for (int64_t i = 0; i < hd; ++i) ASSERT_EQ(got[i], j * 1000 + i) << j << " " << i;
  }
  // Element i of the sixteen keys of a block is one run of 32 bytes.
  uint16_t e;
  std::memcpy(&e, blocks.data() + key_block_bytes(hd) + (5 * kKeyBlock + 3) * 2, 2);
  EXPECT_EQ(e, 19 * 1000 + 5);
}

TEST_P(KeyBlockScores, MatchTheF16GemmOverRows) {
  const Isa isa = GetParam();
  const KernelTable* k = kernels_for(isa);
  if (k == nullptr) GTEST_SKIP() << isa_name(isa) << " does not run here";
  ASSERT_NE(k->key_block_scores_f16, nullptr);
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  for (int64_t hd : {8, 16, 40, 64, 72, 128, 264}) {
    for (int64_t n : {1, 3, 15, 16, 17, 33, 100}) {
      const int64_t blocks_n = (n + kKeyBlock - 1) / kKeyBlock;
      // Keys as rows (the GemmFn's layout) and as blocks; the padding keys
      // of the last block hold values too, which must not leak into scores.
      auto kf = random_floats(blocks_n * kKeyBlock * hd, static_cast<uint32_t>(hd * 7 + n));
      // Zeros of both signs, and a key whose products cancel exactly: the
      // sign of a zero sum depends on the order of the adds.
      for (size_t i = 0; i < kf.size(); i += 13) kf[i] = i % 2 == 0 ? 0.0f : -0.0f;
      if (n > 2)
        for (int64_t i = 0; i < hd; ++i) kf[2 * hd + i] = i % 2 == 0 ? -0.0f : 0.0f;
      std::vector<uint16_t> rows(static_cast<size_t>(blocks_n * kKeyBlock * hd));
      for (size_t i = 0; i < rows.size(); ++i) rows[i] = f32_to_f16(kf[i]);
      // Exactly the blocks' bytes, so ASan sees a read past the last block.
      std::vector<uint8_t> blocks(static_cast<size_t>(blocks_n * key_block_bytes(hd)));
      for (int64_t j = 0; j < blocks_n * kKeyBlock; ++j)
        put_key(rows.data() + j * hd, hd, j, blocks.data());
      for (int64_t nq : {1, 3, 7, 8, 17}) {
        auto x = random_floats(nq * hd, static_cast<uint32_t>(nq + hd));
        for (size_t i = 0; i < x.size(); i += 7) x[i] = -0.0f;
        QuantActs q(GgmlType::kF16, x, nq, hd);
        const int64_t ldo = n + 5;
        std::vector<float> want(nq * ldo, -1.0f), got(nq * ldo, -1.0f);
        scalar->gemm_for(GgmlType::kF16)(reinterpret_cast<const uint8_t*>(rows.data()), hd * 2, n,
                                         q.view, nq, want.data(), ldo);
        k->key_block_scores_f16(blocks.data(), n, q.view, nq, got.data(), ldo);
        for (size_t i = 0; i < want.size(); ++i) {
          ASSERT_EQ(std::memcmp(&want[i], &got[i], 4), 0)
              << isa_name(isa) << " hd " << hd << " n " << n << " queries " << nq << " at " << i
              << ": rows " << want[i] << ", blocks " << got[i];
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, KeyBlockScores,
                         ::testing::Values(Isa::kScalar, Isa::kAvx2, Isa::kAvx512, Isa::kNeon),
                         [](const auto& info) { return std::string(isa_name(info.param)); });

}  // namespace
}  // namespace zhi
