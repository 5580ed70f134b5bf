#include "compliance/language.h"

#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

bool is_han(char32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

bool is_latin_letter(char32_t cp) { return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'); }

}  // namespace

std::string detect_language(std::string_view text, std::string_view fallback) {
  // The opening of a message shows its language; a long document need not be read through.
  constexpr size_t kPrefix = 4096;
  text = text.substr(0, kPrefix);
  size_t han = 0, words = 0;
  bool in_word = false;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    const Decoded d = decode_utf8(p + i, text.size() - i);
    i += d.len;
    han += is_han(d.cp);
    const bool letter = is_latin_letter(d.cp);
    words += letter && !in_word;
    in_word = letter;
  }
  if (han == 0 && words == 0) return std::string(fallback);
  return han >= words ? "zh-CN" : "en";
}

}  // namespace zhi::compliance
