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

}  // namespace zhi::compliance
