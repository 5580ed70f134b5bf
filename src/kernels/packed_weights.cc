#include "kernels/packed_weights.h"

#include <cstddef>
#include <cstring>

#include "quant/block_formats.h"

namespace zhi {
namespace {

constexpr int64_t kScaleBytes = 2 * kPackRows;  // f16 d of each row
constexpr int64_t kSlabBytes = 4 * kPackRows;   // one 4-byte group of each row

// Bit 8j+k of the result is bit 4k+j of qh (k < 8, j < 4).
// This is a transpose of an 8x4 bit matrix (k rows, j columns); a plain
// 32-step loop, unrolled by the compiler, is fast enough at load.
uint32_t spread_fifth_bits(uint32_t qh) {
  uint32_t out = 0;
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 4; ++j) out |= ((qh >> (4 * k + j)) & 1u) << (8 * j + k);
  return out;
}

uint32_t gather_fifth_bits(uint32_t packed) {
  uint32_t out = 0;
  for (int k = 0; k < 8; ++k)
    for (int j = 0; j < 4; ++j) out |= ((packed >> (8 * j + k)) & 1u) << (4 * k + j);
  return out;
}

int64_t packed_block_bytes(GgmlType type) {
  switch (type) {
    case GgmlType::kQ8_0:
      return kScaleBytes + 8 * kSlabBytes;
    case GgmlType::kQ4_0:
      return kScaleBytes + 4 * kSlabBytes;
    case GgmlType::kQ5_0:
      return kScaleBytes + kSlabBytes + 4 * kSlabBytes;
    default:
      return 0;
  }
}

// Where the 4-byte groups of a row's block go: slab i of the packed block
// takes the group at byte `offset[i]` of the row's block.
struct SlabMap {
  int n = 0;
  int64_t offset[8] = {};
  int64_t first_slab = kScaleBytes;  // Q5_0 puts qh' before the slabs
  uint8_t flip = 0;                  // XORed into every code byte (Q8_0: signed -> unsigned)
};

SlabMap slab_map(GgmlType type) {
  SlabMap m;
  switch (type) {
    case GgmlType::kQ8_0:
      m.n = 8;
      for (int k = 0; k < 8; ++k) m.offset[k] = offsetof(BlockQ8_0, qs) + 4 * k;
      m.flip = 0x80;
      break;
    case GgmlType::kQ4_0:
      m.n = 4;
      for (int k = 0; k < 4; ++k) m.offset[k] = offsetof(BlockQ4_0, qs) + 4 * k;
      break;
    case GgmlType::kQ5_0:
      m.n = 4;
      for (int k = 0; k < 4; ++k) m.offset[k] = offsetof(BlockQ5_0, qs) + 4 * k;
      m.first_slab = kScaleBytes + kSlabBytes;
      break;
    default:
      break;
  }
  return m;
}

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline void store_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

void pack_block(GgmlType type, const SlabMap& m, const uint8_t* const* rows, uint8_t* g) {
  const uint32_t flip = m.flip * 0x01010101u;
  for (int64_t r = 0; r < kPackRows; ++r) {
    const uint8_t* src = rows[r];
    std::memcpy(g + 2 * r, src, 2);  // d leads every block
    if (type == GgmlType::kQ5_0)
      store_u32(g + kScaleBytes + 4 * r,
                spread_fifth_bits(load_u32(src + offsetof(BlockQ5_0, qh))));
    for (int i = 0; i < m.n; ++i)
      store_u32(g + m.first_slab + i * kSlabBytes + 4 * r, load_u32(src + m.offset[i]) ^ flip);
  }
}

void unpack_block(GgmlType type, const SlabMap& m, const uint8_t* g, uint8_t* const* rows) {
  const uint32_t flip = m.flip * 0x01010101u;
  for (int64_t r = 0; r < kPackRows; ++r) {
    uint8_t* dst = rows[r];
    std::memcpy(dst, g + 2 * r, 2);
    if (type == GgmlType::kQ5_0)
      store_u32(dst + offsetof(BlockQ5_0, qh),
                gather_fifth_bits(load_u32(g + kScaleBytes + 4 * r)));
    for (int i = 0; i < m.n; ++i)
      store_u32(dst + m.offset[i], load_u32(g + m.first_slab + i * kSlabBytes + 4 * r) ^ flip);
  }
}

}  // namespace

bool has_packed_layout(GgmlType type) { return packed_block_bytes(type) != 0; }

int64_t packed_group_bytes(GgmlType type, int64_t cols) {
  return cols / kQK * packed_block_bytes(type);
}

void pack_group(GgmlType type, const uint8_t* rows, int64_t row_bytes, int64_t cols,
                uint8_t* group) {
  const SlabMap m = slab_map(type);
  const int64_t src_block = static_cast<int64_t>(type_info(type).block_bytes);
  const uint8_t* row_ptrs[kPackRows];
  for (int64_t b = 0; b < cols / kQK; ++b) {
    for (int64_t r = 0; r < kPackRows; ++r) row_ptrs[r] = rows + r * row_bytes + b * src_block;
    pack_block(type, m, row_ptrs, group + b * packed_block_bytes(type));
  }
}

void unpack_group(GgmlType type, const uint8_t* group, int64_t cols, uint8_t* rows,
                  int64_t row_bytes) {
  const SlabMap m = slab_map(type);
  const int64_t src_block = static_cast<int64_t>(type_info(type).block_bytes);
  uint8_t* row_ptrs[kPackRows];
  for (int64_t b = 0; b < cols / kQK; ++b) {
    for (int64_t r = 0; r < kPackRows; ++r) row_ptrs[r] = rows + r * row_bytes + b * src_block;
    unpack_block(type, m, group + b * packed_block_bytes(type), row_ptrs);
  }
}

}  // namespace zhi
