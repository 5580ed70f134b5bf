// GPT-2's byte <-> unicode mapping used by byte-level BPE vocabularies.
// Every byte gets a printable stand-in character so that vocab files can
// store arbitrary bytes as text: printable Latin-1 bytes stand for
// themselves, the other 68 bytes (controls, space, DEL, NBSP, soft hyphen)
// map in order to U+0100..U+0143. So " the" is stored as "Ġthe".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zhi {

// The stand-in code point for a byte.
uint32_t byte_to_unicode(uint8_t byte);
// The byte a stand-in code point denotes, or -1 when cp stands for none.
int unicode_to_byte(uint32_t cp);

// Raw bytes -> vocab text ("Ġthe" for " the").
std::string byte_level_encode(std::string_view bytes);
// Vocab text -> raw bytes. A character outside the mapping (or invalid UTF-8)
// is kept as its own bytes, so nothing is lost; `*exact` reports whether the
// text was entirely stand-in characters.
std::string byte_level_decode(std::string_view text, bool* exact = nullptr);

}  // namespace zhi
