#include "kernels/packed_weights.h"

#include <cstddef>
#include <cstring>
#include <vector>

#include "quant/block_formats.h"

namespace zhi {
namespace {

// A packed block is a list of slabs: slab i holds `width` bytes of each of
// the sixteen rows, taken from byte `offset` of the row's block (so a slab
// of width 4 is one vpdpbusd operand, width 2 a vector of f16 scales,
// width 1 a vector of int8 scales). Some slabs are transformed on the way.
enum class Transform : uint8_t { kCopy, kFlipSign, kSpreadFifthBits };

struct Slab {
  int32_t offset;
  int32_t width;
  Transform transform = Transform::kCopy;
};

struct Layout {
  std::vector<Slab> slabs;
  int64_t block_elems = 0;
  int64_t block_bytes = 0;  // of the packed block: kPackRows * the source block
};

Layout make_layout(GgmlType type) {
  Layout l;
  auto add = [&](int32_t offset, int32_t width, Transform t = Transform::kCopy) {
    l.slabs.push_back({offset, width, t});
  };
  switch (type) {
    case GgmlType::kQ8_0:
      add(0, 2);
      for (int k = 0; k < 8; ++k) add(offsetof(BlockQ8_0, qs) + 4 * k, 4, Transform::kFlipSign);
      l.block_elems = kQK;
      break;
    case GgmlType::kQ4_0:
      add(0, 2);
      for (int k = 0; k < 4; ++k) add(offsetof(BlockQ4_0, qs) + 4 * k, 4);
      l.block_elems = kQK;
      break;
    case GgmlType::kQ5_0:
      add(0, 2);
      add(offsetof(BlockQ5_0, qh), 4, Transform::kSpreadFifthBits);
      for (int k = 0; k < 4; ++k) add(offsetof(BlockQ5_0, qs) + 4 * k, 4);
      l.block_elems = kQK;
      break;
    case GgmlType::kQ4_K:
      add(offsetof(BlockQ4_K, d), 2);
      add(offsetof(BlockQ4_K, dmin), 2);
      for (int i = 0; i < 3; ++i) add(offsetof(BlockQ4_K, scales) + 4 * i, 4);
      for (int c = 0; c < 4; ++c)
        for (int p = 0; p < 8; ++p) add(offsetof(BlockQ4_K, qs) + 32 * c + 4 * p, 4);
      l.block_elems = kQK_K;
      break;
    case GgmlType::kQ6_K:
      add(offsetof(BlockQ6_K, d), 2);
      for (int s = 0; s < 16; ++s) add(offsetof(BlockQ6_K, scales) + s, 1);
      for (int h = 0; h < 2; ++h) {
        for (int c = 0; c < 8; ++c) {
          add(offsetof(BlockQ6_K, ql) + 64 * h + 4 * c, 4);
          add(offsetof(BlockQ6_K, ql) + 64 * h + 32 + 4 * c, 4);
          add(offsetof(BlockQ6_K, qh) + 32 * h + 4 * c, 4);
        }
      }
      l.block_elems = kQK_K;
      break;
    default:
      return l;
  }
  for (const Slab& s : l.slabs) l.block_bytes += kPackRows * s.width;
  return l;
}

const Layout& layout(GgmlType type) {
  static const Layout layouts[] = {make_layout(GgmlType::kQ8_0), make_layout(GgmlType::kQ4_0),
                                   make_layout(GgmlType::kQ5_0), make_layout(GgmlType::kQ4_K),
                                   make_layout(GgmlType::kQ6_K)};
  static const Layout none;
  switch (type) {
    case GgmlType::kQ8_0:
      return layouts[0];
    case GgmlType::kQ4_0:
      return layouts[1];
    case GgmlType::kQ5_0:
      return layouts[2];
    case GgmlType::kQ4_K:
      return layouts[3];
    case GgmlType::kQ6_K:
      return layouts[4];
    default:
      return none;
  }
}

// Bit 8j+k of the result is bit 4k+j of qh (k < 8, j < 4): a transpose of
// an 8x4 bit matrix, so lane k's four fifth bits sit one shift from bit 4 of
// each byte.
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

// Moves one slab between sixteen rows (row_bytes apart) and its packed
// bytes, transformed one way or back. Fixed-width copies compile to plain
// loads and stores; this runs for every prefill matmul, which unpacks.
template <int kWidth, bool kToPacked>
void move_slab(Transform t, const uint8_t* row0, int64_t row_bytes, uint8_t* slab) {
  for (int64_t r = 0; r < kPackRows; ++r) {
    uint8_t* row = const_cast<uint8_t*>(row0) + r * row_bytes;
    uint8_t* packed = slab + r * kWidth;
    uint8_t* dst = kToPacked ? packed : row;
    const uint8_t* src = kToPacked ? row : packed;
    uint8_t bytes[kWidth];
    std::memcpy(bytes, src, kWidth);
    if constexpr (kWidth == 4) {
      if (t == Transform::kFlipSign) {
        for (int i = 0; i < 4; ++i) bytes[i] ^= 0x80;  // Q8_0 codes stored unsigned (value + 128)
      } else if (t == Transform::kSpreadFifthBits) {
        uint32_t v;
        std::memcpy(&v, bytes, 4);
        v = kToPacked ? spread_fifth_bits(v) : gather_fifth_bits(v);
        std::memcpy(bytes, &v, 4);
      }
    }
    std::memcpy(dst, bytes, kWidth);
  }
}

template <bool kToPacked>
void move_block(const Layout& l, const uint8_t* row_block, int64_t row_bytes, uint8_t* p) {
  for (const Slab& s : l.slabs) {
    const uint8_t* row0 = row_block + s.offset;
    switch (s.width) {
      case 4:
        move_slab<4, kToPacked>(s.transform, row0, row_bytes, p);
        break;
      case 2:
        move_slab<2, kToPacked>(s.transform, row0, row_bytes, p);
        break;
      default:
        move_slab<1, kToPacked>(s.transform, row0, row_bytes, p);
        break;
    }
    p += kPackRows * s.width;
  }
}

}  // namespace

bool has_packed_layout(GgmlType type) { return layout(type).block_bytes != 0; }

int64_t packed_group_bytes(GgmlType type, int64_t cols) {
  const Layout& l = layout(type);
  return l.block_bytes == 0 ? 0 : cols / l.block_elems * l.block_bytes;
}

void pack_group(GgmlType type, const uint8_t* rows, int64_t row_bytes, int64_t cols,
                uint8_t* group) {
  const Layout& l = layout(type);
  const int64_t src_block = type_info(type).block_bytes;
  for (int64_t b = 0; b < cols / l.block_elems; ++b)
    move_block<true>(l, rows + b * src_block, row_bytes, group + b * l.block_bytes);
}

void unpack_group(GgmlType type, const uint8_t* group, int64_t cols, uint8_t* rows,
                  int64_t row_bytes) {
  const Layout& l = layout(type);
  const int64_t src_block = type_info(type).block_bytes;
  for (int64_t b = 0; b < cols / l.block_elems; ++b)
    move_block<false>(l, rows + b * src_block, row_bytes,
                      const_cast<uint8_t*>(group) + b * l.block_bytes);
}

void unpack_row(GgmlType type, const uint8_t* group, int64_t cols, int64_t r, uint8_t* row) {
  const Layout& l = layout(type);
  const int64_t src_block = type_info(type).block_bytes;
  for (int64_t b = 0; b < cols / l.block_elems; ++b) {
    const uint8_t* p = group + b * l.block_bytes;
    for (const Slab& s : l.slabs) {
      uint8_t* dst = row + b * src_block + s.offset;
      const uint8_t* src = p + r * s.width;
      std::memcpy(dst, src, static_cast<size_t>(s.width));
      if (s.transform == Transform::kFlipSign) {
        for (int32_t i = 0; i < s.width; ++i) dst[i] ^= 0x80;
      } else if (s.transform == Transform::kSpreadFifthBits) {
        uint32_t v;
        std::memcpy(&v, dst, 4);
        v = gather_fifth_bits(v);
        std::memcpy(dst, &v, 4);
      }
      p += kPackRows * s.width;
    }
  }
}

}  // namespace zhi
