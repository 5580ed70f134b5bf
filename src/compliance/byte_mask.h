// One bit per byte for which bytes of a block of up to 64 belong to a set
// of ASCII bytes, or start one of a few three-byte characters: RegexSet
// finds where a regex match could start with them (regex_first_bytes.h),
// so it can skip the rest of the text.
//
// The AVX-512 (VBMI) version and the scalar one must give identical masks;
// the scalar one runs on other CPUs and is the reference the tests compare
// against.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zhi::compliance {

// member[b] is nonzero for the set's bytes b < 128; bytes >= 0x80 are never
// members.
struct ByteTable {
  alignas(64) uint8_t member[128] = {};
  uint8_t lo = 0, hi = 0;  // the smallest and largest members (lo > hi when empty)
};

// Bit k set where p[k] is a member, for k < min(n, 64).
uint64_t byte_mask_scalar(const unsigned char* p, size_t n, const ByteTable& t);
// The same with AVX-512 BW + VBMI; only call when ascii_block_simd() is true.
uint64_t byte_mask_avx512(const unsigned char* p, size_t n, const ByteTable& t);

// Up to 16 three-byte UTF-8 characters, byte by byte.
struct CharTable {
  static constexpr uint32_t kMax = 16;
  uint32_t n = 0;
  uint8_t b0[kMax] = {}, b1[kMax] = {}, b2[kMax] = {};
};

// Bit k set where one of the table's characters starts at p[k], for k < 64
// with k + 3 <= avail (the bytes readable from p).
uint64_t char_starts_scalar(const unsigned char* p, size_t avail, const CharTable& t);
// The same with AVX-512 BW; only call when ascii_block_simd() is true.
uint64_t char_starts_avx512(const unsigned char* p, size_t avail, const CharTable& t);

}  // namespace zhi::compliance
