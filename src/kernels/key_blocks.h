// F16 attention keys stored transposed, in blocks of kKeyBlock keys: block b
// holds keys kKeyBlock * b .. kKeyBlock * b + 15 as head_dim rows of
// kKeyBlock halves, row i holding element i of each key. Blocks lie back to
// back.
//
// Why: each score is a dot product whose sixteen lanes end in a fold. Over
// key rows that fold is shuffles, per score (with 7 queries per key, 63
// cycles per key of which the folds were most). Over key blocks the same
// lanes of sixteen keys sit in one vector, so the fold is vertical adds
// shared by the sixteen, and the arithmetic per score is unchanged.
#pragma once

#include <cstdint>

namespace zhi {

inline constexpr int64_t kKeyBlock = 16;

constexpr int64_t key_block_bytes(int64_t head_dim) { return head_dim * kKeyBlock * 2; }

// Bytes from the first block to element i of key j.
constexpr int64_t key_block_offset(int64_t j, int64_t i, int64_t head_dim) {
  return j / kKeyBlock * key_block_bytes(head_dim) + (i * kKeyBlock + j % kKeyBlock) * 2;
}

// Writes key j (head_dim halves) into the blocks, and reads it back.
inline void put_key(const uint16_t* key, int64_t head_dim, int64_t j, uint8_t* blocks) {
  uint16_t* dst = reinterpret_cast<uint16_t*>(blocks + key_block_offset(j, 0, head_dim));
  for (int64_t i = 0; i < head_dim; ++i) dst[i * kKeyBlock] = key[i];
}

inline void get_key(const uint8_t* blocks, int64_t head_dim, int64_t j, uint16_t* key) {
  const uint16_t* src =
      reinterpret_cast<const uint16_t*>(blocks + key_block_offset(j, 0, head_dim));
  for (int64_t i = 0; i < head_dim; ++i) key[i] = src[i * kKeyBlock];
}

}  // namespace zhi
