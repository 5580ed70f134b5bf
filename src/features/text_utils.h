// UTF-8 helpers the features need: code points, boundaries, script counts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zhi::features {

// Length of the UTF-8 sequence starting with `lead` (1 for invalid bytes).
size_t utf8_length(unsigned char lead);
// Whether byte `i` of `s` starts a character (or is the end).
bool is_char_boundary(std::string_view s, size_t i);
// The largest character boundary <= i.
size_t floor_char_boundary(std::string_view s, size_t i);
// The first `max_chars` code points of `s`.
std::string_view take_chars(std::string_view s, size_t max_chars);
// Code point at `i` (its length in *len); invalid bytes decode as U+FFFD.
char32_t decode_at(std::string_view s, size_t i, size_t* len);
bool is_han(char32_t c);
// Trims ASCII whitespace and the ideographic space at both ends.
std::string trim(std::string_view s);

}  // namespace zhi::features
