// Decoding of runs of three-byte UTF-8 sequences (all of CJK), up to 64
// characters at once, for the scanner's CJK fast path (Scanner::cjk_run):
// each character's entry is loaded from a table indexed by code point
// (MatchRules::bmp) before any of them is looked at, so the loads overlap.
//
// The AVX-512 version (16 characters a step, one gather) and the scalar one
// must agree; the scalar one runs on other CPUs and is the reference the
// tests compare against.
#pragma once

#include <cstddef>
#include <cstdint>

#include "compliance/skeleton_window.h"

namespace zhi::compliance {

// Decodes the well-formed three-byte sequences at the start of p[0 .. n)
// (not overlong, not surrogates), at most 64, and sets entries[c] =
// table[code point of the c-th]. Returns how many; stops at the first that
// is not one, or does not end before n.
uint32_t decode_cjk_scalar(const unsigned char* p, size_t n, const uint32_t* table,
                           uint32_t* entries);
// The same with AVX-512; only call when ascii_block_simd() is true.
uint32_t decode_cjk_avx512(const unsigned char* p, size_t n, const uint32_t* table,
                           uint32_t* entries);

// The bits of a MatchRules::bmp entry that write_cjk_skeleton reads
// (cjk_block.cc checks they are FoldTable's and MatchRules' own).
namespace cjk_entry {
inline constexpr uint32_t kCpMask = 0x1FFFFF;
inline constexpr uint32_t kWord = 1u << 21;
inline constexpr uint32_t kSpace = 1u << 23;
inline constexpr uint32_t kMulti = 1u << 25;  // folds to several code points
inline constexpr int kEndsShift = 26;         // MatchRules::kEnds* << kEndsShift
inline constexpr uint32_t kEndsWord = 4u << kEndsShift;
inline constexpr uint32_t kBreaker = 1u << 29;
inline constexpr uint32_t kStop = 1u << 30;  // dropped, or an alpha word character
}  // namespace cjk_entry

// What write_cjk_skeleton did with a batch.
struct CjkBatch {
  uint32_t taken;  // characters consumed
  bool stopped;  // ended before the batch's end, or at a word character that ends a whole-word term
  uint32_t words;  // skeleton entries written
  uint64_t cut;  // highest entry index whose gap holds a clause break or exceeds max_gap, or kNoCut
  uint32_t gap;  // the noise after the last entry, carried on to the next character
  uint32_t flags;  // (SkelChar gap flags)
};

// The scanner's CJK path (Scanner::cjk_run) over one batch of decoded
// entries (decode_cjk), up to 64: takes characters until one it cannot
// (kMulti or kStop), or through a word character that ends a whole-word
// term (the general path ends that word at the next character). Each word
// character becomes the skeleton entry (folded code point, gap and gap
// flags, length 3, byte offset begin + 3c) at ring index count, count + 1,
// ... (ring: SkeletonWindow::kSize entries), with ends[k] = its entry's
// kEnds* bits; noise adds to the gap and its flags. `gap` and `flags`
// describe the noise before the batch. The scalar version is the reference.
CjkBatch write_cjk_skeleton_scalar(const uint32_t* entries, uint32_t m, uint64_t begin,
                                   uint32_t gap, uint32_t flags, uint32_t max_gap, SkelChar* ring,
                                   uint64_t count, uint8_t* ends);
// The same with AVX-512 (VBMI2 byte compress); only call when ascii_block_simd()
// is true. It writes all 64 bytes of ends, past the entries reported.
CjkBatch write_cjk_skeleton_avx512(const uint32_t* entries, uint32_t m, uint64_t begin,
                                   uint32_t gap, uint32_t flags, uint32_t max_gap, SkelChar* ring,
                                   uint64_t count, uint8_t* ends);

// The folded text of a batch, for the regex terms: writes the UTF-8 of the
// folded code points (entry & kCpMask) of entries[0 .. m) to out, three
// bytes apiece, while each takes three bytes (U+0800 .. U+FFFF, as nearly
// every CJK character's fold does). Returns how many it wrote; the caller
// encodes the one it stopped at itself. The scalar version is the reference.
uint32_t encode_cjk_folded_scalar(const uint32_t* entries, uint32_t m, char* out);
// The same with AVX-512 (VBMI byte permute), 16 a step; only call when
// ascii_block_simd() is true. It writes no byte past out[3 * result).
uint32_t encode_cjk_folded_avx512(const uint32_t* entries, uint32_t m, char* out);

}  // namespace zhi::compliance
