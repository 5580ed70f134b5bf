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
// surrogates, nothing above U+10FFFF).
Utf8Decoded decode_utf8(const char* p, size_t n);

// Appends the UTF-8 encoding of cp (assumed a valid scalar value).
void append_utf8(uint32_t cp, std::string* out);

// Copies `bytes`, replacing each maximal ill-formed subpart (and a truncated
// tail) with U+FFFD, as the WHATWG and Unicode recommend.
std::string sanitize_utf8(std::string_view bytes);

inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace zhi
