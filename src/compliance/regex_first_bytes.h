// Which bytes a regular expression's matches can start with, when that is
// a small set of ASCII bytes: `\b1[3-9]\d{9}\b` can only start at a digit.
// RegexSet uses it to skip text no match can start in (most prose holds
// few digits) instead of feeding every byte to Vectorscan.
//
// The analysis reads a conservative subset of the pattern syntax; anything
// it is not sure of (non-ASCII, '.', negated classes, lookarounds, inline
// flags, back references...) gives "unknown", and the caller scans
// everything. Where it answers, the set is a superset of the truth under
// kRegexFlags (caseless: both cases of a letter are in it).
#pragma once

#include <cstdint>
#include <string_view>

namespace zhi::compliance {

struct ByteSet {
  uint64_t bits[2] = {0, 0};  // ASCII only: bit b of bits[b / 64]
  void add(unsigned char b) { bits[b >> 6] |= uint64_t{1} << (b & 63); }
  bool has(unsigned char b) const { return b < 128 && (bits[b >> 6] >> (b & 63)) & 1; }
  void merge(const ByteSet& o) {
    bits[0] |= o.bits[0];
    bits[1] |= o.bits[1];
  }
  bool empty() const { return (bits[0] | bits[1]) == 0; }
};

// The bytes a match of `expression` can start with; false where the
// analysis cannot tell (then *out is unspecified).
bool regex_first_bytes(std::string_view expression, ByteSet* out);

}  // namespace zhi::compliance
