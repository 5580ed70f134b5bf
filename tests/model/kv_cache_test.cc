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

constexpr int64_t kChunk = KvCache::kChunkPositions;
constexpr int64_t kN = kChunk + 34;  // positions stored, across a chunk boundary

// Distinct small integers (exact in f16) for element i of position pos.
float key_value(int64_t pos, int64_t i) { return static_cast<float>((pos * 37 + i * 11) % 2000); }

TEST(KvCache, F16HeadsStartOnCacheLinesAndChunksAreDense) {
  // Two KV heads of 64 dims: a head's V row of a position is 128 bytes, so
  // it covers exactly two cache lines when the buffer is line-aligned; K is
  // in key blocks of 16 positions (2 KB). kChunk + 44 positions are two
  // chunks; within a chunk, layer after layer, head after head, each a run
  // of kChunk positions.
  auto c = KvCache::create(3, kChunk + 44, 2, 64, GgmlType::kF16);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  ASSERT_TRUE(c->k_blocks());
  constexpr int64_t kRun = KvCache::kChunkPositions * 128;
  for (int64_t layer = 0; layer < 3; ++layer)
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t j : {int64_t{0}, int64_t{16}, kChunk, kChunk + 16}) {
        EXPECT_EQ(reinterpret_cast<uintptr_t>(c->k_at(layer, h, j)) % 64, 0u) << layer << " " << h;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(c->v_at(layer, h, j)) % 64, 0u) << layer << " " << h;
      }
  EXPECT_EQ(c->pos_stride(), 128);
  EXPECT_EQ(c->row_bytes(), 256);
  EXPECT_EQ(c->k_at(1, 1, 0) - c->k_at(1, 0, 0), kRun);
  EXPECT_EQ(c->k_at(1, 0, 0) - c->k_at(0, 1, 0), kRun);
  EXPECT_EQ(c->k_at(0, 0, kChunk) - c->k_at(2, 1, 0), kRun);  // chunk 1 follows chunk 0's last run
  EXPECT_EQ(c->k_at(0, 0, 32) - c->k_at(0, 0, 0), 2 * 2048);
  EXPECT_EQ(c->v_at(1, 1, 5) - c->v_at(1, 1, 0), 5 * 128);
  EXPECT_EQ(c->v_at(0, 0, kChunk) - c->v_at(2, 1, 0), kRun);
  EXPECT_EQ(KvCache::run_end(0), kChunk);
  EXPECT_EQ(KvCache::run_end(kChunk - 1), kChunk);
  EXPECT_EQ(KvCache::run_end(kChunk), 2 * kChunk);
  EXPECT_EQ(c->bytes(), uint64_t{2} * 2 * 3 * kRun * 2);
}

TEST(KvCache, F16KeysGoIntoKeyBlocksAndComeBackAsRows) {
  // kChunk + 44 positions cross a chunk boundary.
  auto c = KvCache::create(2, kChunk + 44, 2, 16, GgmlType::kF16);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  std::vector<float> k(32), v(32);

  for (int64_t pos = 0; pos < kN; ++pos) {
    for (int i = 0; i < 32; ++i) {
      k[i] = key_value(pos, i);
      v[i] = -key_value(pos, i);
    }
    c->store(1, pos, k.data(), v.data());
  }
  // Element i of key 17 of head 1: block 1, row i, lane 1; key kChunk + 17:
  // the same place in chunk 1.
  for (int64_t pos : {int64_t{17}, kChunk + 17}) {
    const auto* blocks = reinterpret_cast<const uint16_t*>(c->k_at(1, 1, pos / 16 * 16));
    for (int i = 0; i < 16; ++i)
      EXPECT_EQ(f16_to_f32(blocks[key_block_offset(pos % 16, i, 16) / 2]), key_value(pos, 16 + i))
          << pos << " " << i;
  }
  EXPECT_EQ(key_block_offset(17, 3, 16), 16 * 16 * 2 + (3 * 16 + 1) * 2);
  std::vector<float> got(16);
  c->load_k(1, 9, 0, got.data());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(got[i], key_value(9, i));
  c->load_v(1, kChunk + 24, 1, got.data());
  for (int i = 0; i < 16; ++i) EXPECT_EQ(got[i], -key_value(kChunk + 24, 16 + i));
  // Saved state is position rows: every head of a position in turn.
  std::vector<uint16_t> rows(kN * 32);
  c->read_rows(1, KvCache::Part::kK, kN, reinterpret_cast<uint8_t*>(rows.data()));
  for (int64_t pos = 0; pos < kN; ++pos)
    for (int i = 0; i < 32; ++i) ASSERT_EQ(f16_to_f32(rows[pos * 32 + i]), key_value(pos, i));
  auto d = KvCache::create(2, kChunk + 44, 2, 16, GgmlType::kF16);
  ASSERT_TRUE(d.ok());
  d->write_rows(0, KvCache::Part::kK, kN, reinterpret_cast<const uint8_t*>(rows.data()));
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t pos = 0; pos < kChunk + 44; ++pos) {
      d->load_k(0, pos, h, got.data());
      for (int i = 0; i < 16; ++i)
        ASSERT_EQ(got[i], pos < kN ? key_value(pos, 16 * h + i) : 0.0f) << h << " " << pos;
      d->load_k(1, pos, h, got.data());
      for (int i = 0; i < 16; ++i) ASSERT_EQ(got[i], 0.0f);  // another layer untouched
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
    const auto* head = reinterpret_cast<const float*>(b->v_at(1, h, 0));
    for (int64_t pos = 0; pos < 4; ++pos)
      for (int i = 0; i < 32; ++i)
        ASSERT_EQ(head[pos * 32 + i], -(1000.0f * pos + 32 * h + i)) << h << " " << pos << " " << i;
    const auto* after = reinterpret_cast<const float*>(b->v_at(1, h, 0));
    EXPECT_EQ(after[4 * 32], 0.0f);  // position 4 was not written
  }
  std::vector<float> other(4 * 96, 1.0f);
  b->read_rows(0, KvCache::Part::kV, 4, reinterpret_cast<uint8_t*>(other.data()));
  for (float x : other) ASSERT_EQ(x, 0.0f);  // another layer untouched
}

TEST(KvCache, RowCachesRoundTripPositionRowsAcrossChunks) {
  for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kF32}) {
    SCOPED_TRACE(type_name(type));
    auto a = KvCache::create(2, kChunk + 44, 2, 32, type);
    auto b = KvCache::create(2, kChunk + 44, 2, 32, type);
    ASSERT_TRUE(a.ok() && b.ok());
    std::vector<float> k(64), v(64);
    for (int64_t pos = 0; pos < kN; ++pos) {
      for (int i = 0; i < 64; ++i) {
        k[i] = key_value(pos, i) / 64.0f;
        v[i] = -key_value(pos, i + 1) / 64.0f;
      }
      a->store(1, pos, k.data(), v.data());
    }
    std::vector<uint8_t> rows(static_cast<size_t>(kN * a->row_bytes()));
    for (const auto part : {KvCache::Part::kK, KvCache::Part::kV}) {
      a->read_rows(1, part, kN, rows.data());
      b->write_rows(1, part, kN, rows.data());
    }
    std::vector<float> want(32), got(32);
    for (int64_t pos = 0; pos < kN; ++pos)
      for (int64_t h = 0; h < 2; ++h) {
        a->load_k(1, pos, h, want.data());
        b->load_k(1, pos, h, got.data());
        ASSERT_EQ(want, got) << pos << " " << h;
        a->load_v(1, pos, h, want.data());
        b->load_v(1, pos, h, got.data());
        ASSERT_EQ(want, got) << pos << " " << h;
        // F32 keeps the stored value exactly (Q8_0 is checked against `a`).
        if (type == GgmlType::kF32) {
          ASSERT_EQ(got[3], -key_value(pos, 32 * h + 4) / 64.0f);
        }
      }
  }
}

TEST(KvCache, RejectsUnsupportedTypesAndEmptyShapes) {
  auto bad_type = KvCache::create(1, 4, 1, 64, GgmlType::kQ4_0);
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("supported"), std::string::npos);
  EXPECT_FALSE(KvCache::create(1, 0, 1, 64, GgmlType::kF16).ok());
  EXPECT_FALSE(KvCache::create(1, -5, 1, 64, GgmlType::kF16).ok());
  EXPECT_FALSE(KvCache::create(1, 4, 0, 64, GgmlType::kF16).ok());
  const auto huge = KvCache::create(int64_t{1} << 40, int64_t{1} << 40, 8, 128, GgmlType::kF16);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("overflows"), std::string::npos)
      << huge.status().to_string();
}

}  // namespace
}  // namespace zhi
