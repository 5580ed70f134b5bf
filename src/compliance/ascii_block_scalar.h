// The scalar twins of ascii_block.h's functions: the reference, and what
// runs on CPUs without AVX-512 and for short inputs on every CPU. Inline
// because a streamed token is a few bytes, where a call would cost as much
// as the work. Kept out of ascii_block.h so no file built with AVX-512 flags
// (src/compliance/x86/) compiles a copy of these that the linker might pick.
#pragma once

#include <cstddef>
#include <cstdint>

#include "compliance/ascii_block.h"
#include "compliance/skeleton_window.h"

namespace zhi::compliance {

inline void classify_ascii_block_scalar(const unsigned char* p, size_t n, const AsciiTables& t,
                                        AsciiBlock& out) {
  const size_t m = n < 64 ? n : 64;
  uint64_t word = 0, space = 0, breaker = 0, allow = 0, anywhere = 0, ends_word = 0;
  uint32_t k = 0;
  for (; k < m; ++k) {
    const unsigned char b = p[k];
    if (b >= 0x80) break;
    const uint8_t c = t.cls[b];
    if (c & AsciiTables::kSlow) break;
    out.folded[k] = t.fold[b];
    const uint64_t bit = uint64_t{1} << k;
    word |= (c & AsciiTables::kWord) ? bit : 0;
    space |= (c & AsciiTables::kSpace) ? bit : 0;
    breaker |= (c & AsciiTables::kBreaker) ? bit : 0;
    allow |= ((c >> AsciiTables::kEndsShift) & 1) ? bit : 0;
    anywhere |= ((c >> (AsciiTables::kEndsShift + 1)) & 1) ? bit : 0;
    ends_word |= ((c >> (AsciiTables::kEndsShift + 2)) & 1) ? bit : 0;
  }
  out.len = k;
  out.word = word;
  out.space = space;
  out.breaker = breaker;
  out.ends_allow = allow;
  out.ends_anywhere = anywhere;
  out.ends_word = ends_word;
}

// Bits 0 .. k-1 (k <= 64).
inline uint64_t ascii_below(uint32_t k) { return k >= 64 ? ~uint64_t{0} : (uint64_t{1} << k) - 1; }

inline uint64_t write_ascii_skeleton_scalar(const AsciiBlock& b, uint64_t begin, uint32_t gap,
                                            uint32_t flags, uint32_t max_gap, SkelChar* ring,
                                            uint64_t count, uint8_t* at) {
  // Gap flags of the noise in bytes [from, to).
  const auto gap_flags = [&](uint32_t from, uint32_t to) -> uint32_t {
    const uint64_t m = ascii_below(to) & ~ascii_below(from);
    return ((b.space & m) ? SkelChar::kGapSpace : 0) |
           ((b.breaker & m) ? SkelChar::kGapBreaker : 0);
  };
  uint64_t cut = kNoCut;
  uint64_t m = b.word;
  if (m == 0) return cut;
  uint32_t k = static_cast<uint32_t>(__builtin_ctzll(m));
  // The first word character's gap carries the noise before the block.
  gap = gap + k < 255 ? gap + k : 255;
  flags |= gap_flags(0, k);
  uint32_t i = 0;
  while (true) {
    ring[(count + i) & (SkeletonWindow::kSize - 1)] =
        SkelChar{b.folded[k], static_cast<uint8_t>(gap),
                 static_cast<uint8_t>(flags | SkelChar::kAlphaChar), 1, begin + k};
    if ((flags & SkelChar::kGapBreaker) || gap > max_gap) cut = count + i;
    at[k] = static_cast<uint8_t>(i++);
    const uint32_t prev = k;
    m &= m - 1;
    if (m == 0) return cut;
    k = static_cast<uint32_t>(__builtin_ctzll(m));
    gap = k - prev - 1;
    flags = gap_flags(prev + 1, k);
  }
}

}  // namespace zhi::compliance
