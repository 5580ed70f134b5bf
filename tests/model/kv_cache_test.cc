// KvCache: rows sit where the attention kernels expect them, a fresh cache
// reads as zeros, and stored rows round-trip through the cache's type.
#include "model/kv_cache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace zhi {
namespace {

TEST(KvCache, F16HeadRowsStartOnCacheLines) {
  // Two KV heads of 64 dims: each head's row of a position is 128 bytes, so
  // it covers exactly two cache lines when the buffer is line-aligned.
  auto c = KvCache::create(3, 40, 2, 64, GgmlType::kF16);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  for (int64_t layer = 0; layer < 3; ++layer)
    for (int64_t h = 0; h < 2; ++h) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(c->k_head(layer, h)) % 64, 0u) << layer << " " << h;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(c->v_head(layer, h)) % 64, 0u) << layer << " " << h;
    }
  EXPECT_EQ(c->pos_stride(), 256);
  EXPECT_EQ(c->bytes(), uint64_t{2} * 3 * 40 * 256);
}

TEST(KvCache, FreshCacheIsZeroAndStoresRoundTrip) {
  auto c = KvCache::create(2, 8, 2, 32, GgmlType::kF32);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  const auto* k = reinterpret_cast<const float*>(c->k_layer(1));
  for (int64_t i = 0; i < 8 * 64; ++i) ASSERT_EQ(k[i], 0.0f) << i;
  std::vector<float> kr(64), vr(64), got(32);
  for (int i = 0; i < 64; ++i) {
    kr[i] = 0.5f * static_cast<float>(i);
    vr[i] = -0.25f * static_cast<float>(i);
  }
  c->store(1, 5, kr.data(), vr.data());
  c->load_k(1, 5, 1, got.data());
  for (int i = 0; i < 32; ++i) EXPECT_EQ(got[i], kr[32 + i]);
  c->load_v(1, 5, 0, got.data());
  for (int i = 0; i < 32; ++i) EXPECT_EQ(got[i], vr[i]);
  c->load_k(0, 5, 1, got.data());  // another layer is untouched
  for (int i = 0; i < 32; ++i) EXPECT_EQ(got[i], 0.0f);
}

TEST(KvCache, RejectsUnsupportedTypesAndEmptyShapes) {
  auto bad_type = KvCache::create(1, 4, 1, 64, GgmlType::kQ4_0);
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("supported"), std::string::npos);
  EXPECT_FALSE(KvCache::create(1, 0, 1, 64, GgmlType::kF16).ok());
}

}  // namespace
}  // namespace zhi
