// UTF-8 decoding that says exactly how a byte sequence is wrong, so the
// tokenizer can pass invalid bytes through losslessly and the stream decoder
// can hold back a character that is still arriving.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace zhi {

enum class Utf8Status : uint8_t {
  kValid,      // a whole, well-formed character of `len` bytes
  kTruncated,  // all remaining bytes are a well-formed prefix; more may follow
  kInvalid,    // `len` bytes (the maximal ill-formed subpart, >= 1) form no character
};

struct Utf8Decoded {
  Utf8Status status;
  uint32_t len;
  uint32_t cp;  // only meaningful when status == kValid
};

// Decodes the character starting at p[0]; n >= 1 bytes are available.
// Follows Unicode's table of well-formed sequences (no overlongs, no
// surrogates, nothing above U+10FFFF). Inline: it runs once per character.
inline Utf8Decoded decode_utf8(const char* p, size_t n) {
  const auto* s = reinterpret_cast<const uint8_t*>(p);
  const uint8_t b0 = s[0];
  if (b0 < 0x80) return {Utf8Status::kValid, 1, b0};

  uint32_t need = 0;  // continuation bytes after the lead
  uint32_t cp = 0;
  // The second byte's range is narrower for some leads: that is what rules
  // out overlongs (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
  uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {Utf8Status::kInvalid, 1, 0};
  }

  for (uint32_t i = 1; i <= need; ++i) {
    if (i >= n) return {Utf8Status::kTruncated, i, 0};
    const uint8_t b = s[i];
    const uint8_t min = i == 1 ? lo : 0x80;
    const uint8_t max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) return {Utf8Status::kInvalid, i, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {Utf8Status::kValid, need + 1, cp};
}

// Appends the UTF-8 encoding of cp (assumed a valid scalar value).
void append_utf8(uint32_t cp, std::string* out);

// Copies `bytes`, replacing each maximal ill-formed subpart (and a truncated
// tail) with U+FFFD, as the WHATWG and Unicode recommend.
std::string sanitize_utf8(std::string_view bytes);

inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace zhi
