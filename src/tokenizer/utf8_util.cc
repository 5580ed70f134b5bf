#include "tokenizer/utf8_util.h"

namespace zhi {

Utf8Decoded decode_utf8(const char* p, size_t n) {
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

void append_utf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const Utf8Decoded d = decode_utf8(bytes.data() + i, bytes.size() - i);
    if (d.status == Utf8Status::kValid) {
      out.append(bytes.data() + i, d.len);
    } else {
      out.append(kReplacementChar);
    }
    i += d.len;
  }
  return out;
}

}  // namespace zhi
