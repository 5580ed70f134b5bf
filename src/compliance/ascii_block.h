// Classification of up to 64 bytes of plain ASCII at once, for the
// scanner's ASCII fast path (Scanner::ascii_block): which bytes are word
// characters, white space, clause breaks, and which end a term of each set,
// as one bit per byte, plus each byte's folded character. The scanner then
// visits word characters and events by bit scans instead of deciding every
// byte on its own.
//
// The AVX-512 (VBMI) version and the scalar one must give identical blocks;
// the scalar one (ascii_block_scalar.h) runs on other CPUs and for short
// inputs, and is the reference the tests compare against.
#pragma once

#include <cstddef>
#include <cstdint>

#include "compliance/skeleton_window.h"

namespace zhi::compliance {

// Per ASCII byte: the folded character and a class byte, built from
// MatchRules::ascii (MatchRules::build_ascii).
struct AsciiTables {
  static constexpr uint8_t kWord = 1;     // word character (always alpha here)
  static constexpr uint8_t kSpace = 2;    // == SkelChar::kGapSpace
  static constexpr uint8_t kBreaker = 4;  // == SkelChar::kGapBreaker
  static constexpr int kEndsShift = 3;    // MatchRules::kEnds* << kEndsShift
  static constexpr uint8_t kSlow = 0x80;  // takes the general path
  alignas(64) uint8_t fold[128];
  alignas(64) uint8_t cls[128];
};

struct AsciiBlock {
  uint32_t len;  // leading bytes taken (< 64 only where a slow byte or the input ends)
  // Bit k describes byte k; bits at or past len are zero.
  uint64_t word, space, breaker;
  uint64_t ends_allow, ends_anywhere, ends_word;  // word characters some term of the set ends with
  alignas(64) uint8_t folded[64];                 // folded characters; valid below len
};

// Classifies p[0 .. min(n, 64)), stopping at the first byte >= 0x80 or
// marked slow. classify_ascii_block_scalar (ascii_block_scalar.h) is the
// reference; this one, with AVX-512 (BW + VBMI), only runs where
// ascii_block_simd() is true.
void classify_ascii_block_avx512(const unsigned char* p, size_t n, const AsciiTables& t,
                                 AsciiBlock& out);

// Puts the skeleton entries of the block's word characters (folded
// character, gap and gap flags, length 1, byte offset begin + k) into ring
// (SkeletonWindow::kSize entries) at indexes count, count + 1, ...; `gap`
// and `flags` describe the noise before the block. Sets at[k] to the entry
// index (less count) of each word character k. Returns the highest index
// written whose gap holds a clause break or exceeds max_gap, or kNoCut.
// write_ascii_skeleton_scalar (ascii_block_scalar.h) is the reference.
constexpr uint64_t kNoCut = ~uint64_t{0};
uint64_t write_ascii_skeleton_avx512(const AsciiBlock& b, uint64_t begin, uint32_t gap,
                                     uint32_t flags, uint32_t max_gap, SkelChar* ring,
                                     uint64_t count, uint8_t* at);

// True where this CPU (and OS) runs the *_avx512 functions (AVX-512 BW,
// VBMI and VBMI2).
bool ascii_block_simd();

}  // namespace zhi::compliance
