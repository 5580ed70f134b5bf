// The last word characters a scanner has seen: the "skeleton" of the text
// (folded word characters with the noise between them removed), each with
// the noise that preceded it and the original bytes it came from. Matching
// looks back at most kMaxTermChars (+1 for a word-boundary check); the
// scanner's ASCII path writes up to 64 characters ahead of the one it
// probes, so a ring of 256 suffices and stays in L1 (4 KiB).
#pragma once

#include <cstdint>

namespace zhi::compliance {

struct SkelChar {
  char32_t cp;
  uint8_t
      gap;  // noise code points between the previous word character and this one (saturates at 255)
  uint8_t flags;   // kAlphaChar | kGapSpace | kGapBreaker
  uint16_t len;    // bytes of the original code point this came from
  uint64_t begin;  // its byte offset in the original text (stream-wide)

  static constexpr uint8_t kAlphaChar = 1;  // space-separated script (not CJK)
  static constexpr uint8_t kGapSpace = 2;   // the gap before it holds white space
  static constexpr uint8_t kGapBreaker =
      4;  // the gap before it holds a clause break (，。！？ or a newline)

  bool alpha() const { return (flags & kAlphaChar) != 0; }
  uint64_t end() const { return begin + len; }
};

class SkeletonWindow {
 public:
  static constexpr uint64_t kSize = 256;  // power of two, > kMaxTermChars + 1 + 64

  void push(const SkelChar& c) { ring_[count_++ & (kSize - 1)] = c; }
  // For a writer that keeps the count in a register: put() the entries at
  // count(), count() + 1, ..., then set_count() before anyone reads them.
  // A put() at count() that is then not counted spoils index count() - kSize,
  // which no reader looks at (they look back at most kMaxTermChars + 1).
  void put(uint64_t i, const SkelChar& c) { ring_[i & (kSize - 1)] = c; }
  void set_count(uint64_t count) { count_ = count; }
  // Index i counts word characters from the start of the stream; valid for
  // count() - kSize <= i < count().
  const SkelChar& at(uint64_t i) const { return ring_[i & (kSize - 1)]; }
  // For bulk writers (write_ascii_skeleton_*): entry i is ring()[i % kSize].
  SkelChar* ring() { return ring_; }
  uint64_t count() const { return count_; }

 private:
  SkelChar ring_[kSize] = {};
  uint64_t count_ = 0;
};

}  // namespace zhi::compliance
