#include "compliance/byte_mask.h"

#include <cstring>

namespace zhi::compliance {

uint64_t byte_mask_scalar(const unsigned char* p, size_t n, const ByteTable& t) {
  const size_t m = n < 64 ? n : 64;
  if (t.lo > t.hi) return 0;
  uint64_t mask = 0;
  size_t k = 0;
  // Eight bytes at a time, a word with no byte in [lo, hi] is skipped
  // (most text, for a set of digits). The sums work on each byte's low
  // seven bits, so none carries into the next byte: adding 128 - lo sets
  // bit 7 where the byte is at least lo, adding 127 - hi where it is above hi.
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  for (; k + 8 <= m; k += 8) {
    uint64_t w;
    std::memcpy(&w, p + k, 8);
    const uint64_t low7 = w & ~kHigh;
    const uint64_t at_least_lo = (low7 + kOnes * (128u - t.lo)) & kHigh;
    const uint64_t above_hi = (low7 + kOnes * (127u - t.hi)) & kHigh;
    if ((at_least_lo & ~above_hi & ~w) == 0) continue;  // (~w: bytes >= 0x80 are not members)
    for (size_t j = k; j < k + 8; ++j)
      if (p[j] < 128 && t.member[p[j]]) mask |= uint64_t{1} << j;
  }
  for (; k < m; ++k)
    if (p[k] < 128 && t.member[p[k]]) mask |= uint64_t{1} << k;
  return mask;
}

uint64_t char_starts_scalar(const unsigned char* p, size_t avail, const CharTable& t) {
  if (avail < 3 || t.n == 0) return 0;
  const size_t m = avail - 2 < 64 ? avail - 2 : 64;
  uint64_t mask = 0;
  for (size_t k = 0; k < m; ++k) {
    if (p[k] < 0xE0) continue;  // not the first byte of a three-byte character
    for (uint32_t i = 0; i < t.n; ++i) {
      if (p[k] == t.b0[i] && p[k + 1] == t.b1[i] && p[k + 2] == t.b2[i]) {
        mask |= uint64_t{1} << k;
        break;
      }
    }
  }
  return mask;
}

#if !defined(__x86_64__)  // the AVX-512 file is x86-only (src/compliance/x86/)
uint64_t byte_mask_avx512(const unsigned char* p, size_t n, const ByteTable& t) {
  return byte_mask_scalar(p, n, t);
}
uint64_t char_starts_avx512(const unsigned char* p, size_t avail, const CharTable& t) {
  return char_starts_scalar(p, avail, t);
}
#endif

}  // namespace zhi::compliance
