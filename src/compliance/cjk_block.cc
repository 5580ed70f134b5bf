#include "compliance/cjk_block.h"

namespace zhi::compliance {

uint32_t decode_cjk_scalar(const unsigned char* p, size_t n, const uint32_t* table,
                           uint32_t* entries) {
  uint32_t m = 0;
  for (size_t q = 0; m < 64 && q + 2 < n; q += 3) {
    const uint32_t b0 = p[q], b1 = p[q + 1], b2 = p[q + 2];
    const uint32_t cp = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
    // Bit tests rather than && so the loads below do not wait on branches
    // that depend on each other.
    const bool valid = ((b0 & 0xF0) == 0xE0) & ((b1 & 0xC0) == 0x80) & ((b2 & 0xC0) == 0x80) &
                       (cp >= 0x800) & (cp - 0xD800 >= 0x800);
    if (!valid) break;
    entries[m++] = table[cp];
  }
  return m;
}

#if !defined(__x86_64__)  // the AVX-512 file is x86-only (src/compliance/x86/)
uint32_t decode_cjk_avx512(const unsigned char* p, size_t n, const uint32_t* table,
                           uint32_t* entries) {
  return decode_cjk_scalar(p, n, table, entries);
}
#endif

}  // namespace zhi::compliance
