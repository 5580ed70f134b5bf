// UTF-8 decoding for the moderation scanner. Invalid bytes decode one at a
// time as U+FFFD, so no input can stall or desynchronise the scanner, and
// every decoded unit has an exact byte length for the offset map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace zhi::compliance {

constexpr char32_t kReplacementChar = 0xFFFD;

struct Decoded {
  char32_t cp;
  uint32_t len;  // bytes consumed, 1..4
};

// Length a lead byte announces (0 for a continuation or invalid lead byte).
inline uint32_t utf8_sequence_length(unsigned char b) {
  if (b < 0x80) return 1;
  if (b < 0xC2) return 0;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  if (b < 0xF5) return 4;
  return 0;
}

// Decodes one code point from [p, p + n), n >= 1. Overlong forms, surrogates
// and truncated sequences come back as {U+FFFD, 1}.
inline Decoded decode_utf8(const unsigned char* p, size_t n) {
  const unsigned char b0 = p[0];
  if (b0 < 0x80) return {b0, 1};
  const uint32_t len = utf8_sequence_length(b0);
  if (len == 0 || len > n) return {kReplacementChar, 1};
  char32_t cp = b0 & (0x7F >> len);
  for (uint32_t i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return {kReplacementChar, 1};
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return {kReplacementChar, 1};
  return {cp, len};
}

// Bytes at the end of [p, p + n) that start a sequence the buffer does not
// finish yet (0..3); a streaming caller keeps them for the next piece.
inline size_t incomplete_utf8_tail(const unsigned char* p, size_t n) {
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const unsigned char b = p[n - back];
    if ((b & 0xC0) == 0x80) continue;  // continuation: keep looking for the lead
    const uint32_t len = utf8_sequence_length(b);
    return (len > back) ? back : 0;
  }
  return 0;
}

// Out is std::string or anything else with push_back(char) (ByteSink).
template <class Out>
inline void append_utf8(Out& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline bool is_valid_utf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    const Decoded d = decode_utf8(p + i, s.size() - i);
    if (d.cp == kReplacementChar && d.len == 1) return false;  // a real U+FFFD is 3 bytes
    i += d.len;
  }
  return true;
}

}  // namespace zhi::compliance
