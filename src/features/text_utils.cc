#include "features/text_utils.h"

#include "zhi/features.hpp"

namespace zhi::features {

size_t utf8_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

bool is_char_boundary(std::string_view s, size_t i) {
  if (i == 0 || i >= s.size()) return i <= s.size();
  return (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
}

size_t floor_char_boundary(std::string_view s, size_t i) {
  if (i >= s.size()) return s.size();
  while (i > 0 && !is_char_boundary(s, i)) --i;
  return i;
}

char32_t decode_at(std::string_view s, size_t i, size_t* len) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = b(i);
  size_t n = utf8_length(lead);
  if (n == 1 || i + n > s.size()) {
    *len = 1;
    return lead < 0x80 ? lead : 0xFFFD;
  }
  char32_t c = lead & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      *len = 1;
      return 0xFFFD;
    }
    c = (c << 6) | (b(i + k) & 0x3F);
  }
  *len = n;
  return c;
}

bool is_han(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0xF900 && c <= 0xFAFF);
}

std::string_view take_chars(std::string_view s, size_t max_chars) {
  size_t i = 0;
  for (size_t n = 0; i < s.size() && n < max_chars; ++n) {
    size_t len = 1;
    decode_at(s, i, &len);
    i += len;
  }
  return s.substr(0, i);
}

size_t char_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    size_t len = 1;
    decode_at(s, i, &len);
    i += len;
  }
  return n;
}

std::string trim(std::string_view s) {
  const auto space_at_start = [&](size_t i) -> size_t {
    if (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) return 1;
    if (s.substr(i, 3) == "\u3000") return 3;
    return 0;
  };
  size_t b = 0;
  while (size_t n = space_at_start(b)) b += n;
  size_t e = s.size();
  while (e > b) {
    if (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\n' || s[e - 1] == '\r') {
      --e;
    } else if (e - b >= 3 && s.substr(e - 3, 3) == "\u3000") {
      e -= 3;
    } else {
      break;
    }
  }
  return std::string(s.substr(b, e - b));
}

Language detect_language(std::string_view text) {
  size_t han = 0, latin = 0;
  for (size_t i = 0; i < text.size();) {
    size_t len = 1;
    const char32_t c = decode_at(text, i, &len);
    i += len;
    if (is_han(c)) {
      ++han;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      ++latin;
    }
  }
  // An English word is about five letters and carries what one or two Han
  // characters do, so Han text wins from a quarter of the letter count.
  return han > 0 && han * 4 >= latin ? Language::kZh : Language::kEn;
}

}  // namespace zhi::features
