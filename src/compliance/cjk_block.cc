#include "compliance/cjk_block.h"

#include "compliance/ascii_block.h"
#include "compliance/match_rules.h"

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

static_assert(cjk_entry::kCpMask == FoldTable::kCpMask && cjk_entry::kWord == FoldTable::kWord &&
              cjk_entry::kSpace == FoldTable::kSpace && cjk_entry::kMulti == FoldTable::kMulti &&
              cjk_entry::kEndsShift == MatchRules::kBmpEndsShift &&
              cjk_entry::kEndsWord == uint32_t{MatchRules::kEndsWord}
                                          << MatchRules::kBmpEndsShift &&
              cjk_entry::kBreaker == MatchRules::kBmpBreaker &&
              cjk_entry::kStop == MatchRules::kBmpCjkStop);

CjkBatch write_cjk_skeleton_scalar(const uint32_t* entries, uint32_t m, uint64_t begin,
                                   uint32_t gap, uint32_t flags, uint32_t max_gap, SkelChar* ring,
                                   uint64_t count, uint8_t* ends) {
  CjkBatch b{0, false, 0, kNoCut, gap, flags};
  for (uint32_t c = 0; c < m; ++c) {
    const uint32_t e = entries[c];
    if (e & (cjk_entry::kMulti | cjk_entry::kStop)) {
      b.stopped = true;
      break;
    }
    b.taken = c + 1;
    if (!(e & cjk_entry::kWord)) {
      b.gap += b.gap < 255;
      b.flags |= ((e & cjk_entry::kSpace) ? SkelChar::kGapSpace : 0u) |
                 ((e & cjk_entry::kBreaker) ? SkelChar::kGapBreaker : 0u);
      continue;
    }
    const uint64_t at = count + b.words;
    ring[at & (SkeletonWindow::kSize - 1)] =
        SkelChar{e & cjk_entry::kCpMask, static_cast<uint8_t>(b.gap), static_cast<uint8_t>(b.flags),
                 3, begin + 3 * uint64_t{c}};
    if ((b.flags & SkelChar::kGapBreaker) || b.gap > max_gap) b.cut = at;
    ends[b.words++] = static_cast<uint8_t>((e >> cjk_entry::kEndsShift) & 7);
    b.gap = 0;
    b.flags = 0;
    if (e & cjk_entry::kEndsWord) {
      b.stopped = true;
      break;
    }
  }
  return b;
}

uint32_t encode_cjk_folded_scalar(const uint32_t* entries, uint32_t m, char* out) {
  uint32_t c = 0;
  for (; c < m; ++c) {
    const uint32_t f = entries[c] & cjk_entry::kCpMask;
    if (f < 0x800 || f >= 0x10000) break;
    out[3 * c] = static_cast<char>(0xE0 | (f >> 12));
    out[3 * c + 1] = static_cast<char>(0x80 | ((f >> 6) & 0x3F));
    out[3 * c + 2] = static_cast<char>(0x80 | (f & 0x3F));
  }
  return c;
}

#if !defined(__x86_64__)  // the AVX-512 file is x86-only (src/compliance/x86/)
uint32_t decode_cjk_avx512(const unsigned char* p, size_t n, const uint32_t* table,
                           uint32_t* entries) {
  return decode_cjk_scalar(p, n, table, entries);
}
CjkBatch write_cjk_skeleton_avx512(const uint32_t* entries, uint32_t m, uint64_t begin,
                                   uint32_t gap, uint32_t flags, uint32_t max_gap, SkelChar* ring,
                                   uint64_t count, uint8_t* ends) {
  return write_cjk_skeleton_scalar(entries, m, begin, gap, flags, max_gap, ring, count, ends);
}
uint32_t encode_cjk_folded_avx512(const uint32_t* entries, uint32_t m, char* out) {
  return encode_cjk_folded_scalar(entries, m, out);
}
#endif

}  // namespace zhi::compliance
