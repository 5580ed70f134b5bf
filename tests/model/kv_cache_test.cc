// KvCache: rows and key blocks sit where the attention kernels expect them, a fresh cache
// reads as zeros, stored rows round-trip through the cache's type, and the
// position rows of saved state come out and go back in.
#include "model/kv_cache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/half.h"
#include "kernels/key_blocks.h"

namespace zhi {
namespace {

TEST(KvCache, F16HeadsStartOnCacheLines) {
  // Two KV heads of 64 dims: each head's V row of a position is 128 bytes,
  // so it covers exactly two cache lines when the buffer is line-aligned;
  // K is in key blocks of 16 positions (2 KB), 40 positions padded to 48.
  auto c = KvCache::create(3, 40, 2, 64, GgmlType::kF16);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  for (int64_t layer = 0; layer < 3; ++layer)
    for (int64_t h = 0; h < 2; ++h) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(c->k_head(layer, h)) % 64, 0u) << layer << " " << h;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(c->v_head(layer, h)) % 64, 0u) << layer << " " << h;
    }
  EXPECT_EQ(c->pos_stride(), 128);  // head-major: a head's positions are contiguous
  EXPECT_EQ(c->row_bytes(), 256);
  ASSERT_TRUE(c->k_blocks());
  EXPECT_EQ(c->k_head(1, 1) - c->k_head(1, 0), 48 * 128);
  EXPECT_EQ(c->k_head(1, 0) - c->k_head(0, 1), 48 * 128);
  EXPECT_EQ(c->v_head(1, 1) - c->v_head(1, 0), 40 * 128);
  EXPECT_EQ(c->bytes(), uint64_t{3} * 48 * 256 + uint64_t{3} * 40 * 256);
}

TEST(KvCache, F16KeysGoIntoKeyBlocksAndComeBackAsRows) {
  auto c = KvCache::create(2, 20, 2, 16, GgmlType::kF16);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  std::vector<float> k(32), v(32);
  for (int64_t pos = 0; pos < 18; ++pos) {
    for (int i = 0; i < 32; ++i) {
      k[i] = static_cast<float>(100 * pos + i);
      v[i] = -static_cast<float>(100 * pos + i);
    }
    c->store(1, pos, k.data(), v.data());
  }
  // Element i of key 17 of head 1: block 1, row i, lane 1.
  const auto* blocks = reinterpret_cast<const uint16_t*>(c->k_head(1, 1));
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(f16_to_f32(blocks[key_block_offset(17, i, 16) / 2]), 100.0f * 17 + 16 + i) << i;
  EXPECT_EQ(key_block_offset(17, 3, 16), 16 * 16 * 2 + (3 * 16 + 1) * 2);
  std::vector<float> got(16);
  c->load_k(1, 9, 0, got.data());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(got[i], 100.0f * 9 + i);
  // Saved state is position rows: every head of a position in turn.
  std::vector<uint16_t> rows(18 * 32);
  c->read_rows(1, KvCache::Part::kK, 18, reinterpret_cast<uint8_t*>(rows.data()));
  for (int64_t pos = 0; pos < 18; ++pos)
    for (int i = 0; i < 32; ++i) ASSERT_EQ(f16_to_f32(rows[pos * 32 + i]), 100.0f * pos + i);
  auto d = KvCache::create(2, 20, 2, 16, GgmlType::kF16);
  ASSERT_TRUE(d.ok());
  d->write_rows(0, KvCache::Part::kK, 18, reinterpret_cast<const uint8_t*>(rows.data()));
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t pos = 0; pos < 20; ++pos) {
      d->load_k(0, pos, h, got.data());
      for (int i = 0; i < 16; ++i)
        ASSERT_EQ(got[i], pos < 18 ? 100.0f * pos + 16 * h + i : 0.0f) << h << " " << pos;
    }
}

TEST(KvCache, FreshCacheIsZeroAndStoresRoundTrip) {
  auto c = KvCache::create(2, 8, 2, 32, GgmlType::kF32);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  std::vector<float> rows(8 * 64, 1.0f);
  c->read_rows(1, KvCache::Part::kK, 8, reinterpret_cast<uint8_t*>(rows.data()));
  for (int64_t i = 0; i < 8 * 64; ++i) ASSERT_EQ(rows[i], 0.0f) << i;
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

TEST(KvCache, PositionRowsComeOutAndGoBackIn) {
  // Three heads of 32 (F32): position row p is head 0, 1, 2 of p in turn.
  auto a = KvCache::create(2, 6, 3, 32, GgmlType::kF32);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  std::vector<float> k(96), v(96);
  for (int64_t pos = 0; pos < 5; ++pos) {
    for (int i = 0; i < 96; ++i) {
      k[i] = static_cast<float>(1000 * pos + i);
      v[i] = -static_cast<float>(1000 * pos + i);
    }
    a->store(1, pos, k.data(), v.data());
  }
  std::vector<float> rows(4 * 96);
  a->read_rows(1, KvCache::Part::kV, 4, reinterpret_cast<uint8_t*>(rows.data()));
  for (int64_t pos = 0; pos < 4; ++pos)
    for (int i = 0; i < 96; ++i)
      ASSERT_EQ(rows[pos * 96 + i], -(1000.0f * pos + i)) << pos << " " << i;
  // Into another cache (a context importing saved state), then read back
  // through the attention kernels' view.
  auto b = KvCache::create(2, 6, 3, 32, GgmlType::kF32);
  ASSERT_TRUE(b.ok());
  b->write_rows(1, KvCache::Part::kV, 4, reinterpret_cast<const uint8_t*>(rows.data()));
  for (int64_t h = 0; h < 3; ++h) {
    const auto* head = reinterpret_cast<const float*>(b->v_head(1, h));
    for (int64_t pos = 0; pos < 4; ++pos)
      for (int i = 0; i < 32; ++i)
        ASSERT_EQ(head[pos * 32 + i], -(1000.0f * pos + 32 * h + i)) << h << " " << pos << " " << i;
    const auto* after = reinterpret_cast<const float*>(b->v_head(1, h));
    EXPECT_EQ(after[4 * 32], 0.0f);  // position 4 was not written
  }
  std::vector<float> other(4 * 96, 1.0f);
  b->read_rows(0, KvCache::Part::kV, 4, reinterpret_cast<uint8_t*>(other.data()));
  for (float x : other) ASSERT_EQ(x, 0.0f);  // another layer untouched
}

TEST(KvCache, RejectsUnsupportedTypesAndEmptyShapes) {
  auto bad_type = KvCache::create(1, 4, 1, 64, GgmlType::kQ4_0);
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("supported"), std::string::npos);
  EXPECT_FALSE(KvCache::create(1, 0, 1, 64, GgmlType::kF16).ok());
}

}  // namespace
}  // namespace zhi
