#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8_util.h"

namespace zhi {
namespace {

struct ByteTables {
  std::array<uint32_t, 256> to_cp{};
  std::array<int16_t, 0x144> to_byte{};  // stand-ins all lie below U+0144

  ByteTables() {
    to_byte.fill(-1);
    uint32_t next_shifted = 0x100;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const uint32_t cp = printable ? b : next_shifted++;
      to_cp[b] = cp;
      to_byte[cp] = static_cast<int16_t>(b);
    }
  }
};

const ByteTables& tables() {
  static const ByteTables t;
  return t;
}

}  // namespace

uint32_t byte_to_unicode(uint8_t byte) { return tables().to_cp[byte]; }

int unicode_to_byte(uint32_t cp) {
  const auto& t = tables().to_byte;
  return cp < t.size() ? t[cp] : -1;
}

std::string byte_level_encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) append_utf8(byte_to_unicode(static_cast<uint8_t>(c)), &out);
  return out;
}

std::string byte_level_decode(std::string_view text, bool* exact) {
  std::string out;
  out.reserve(text.size());
  bool all_mapped = true;
  size_t i = 0;
  while (i < text.size()) {
    const Utf8Decoded d = decode_utf8(text.data() + i, text.size() - i);
    const int b = d.status == Utf8Status::kValid ? unicode_to_byte(d.cp) : -1;
    if (b >= 0) {
      out.push_back(static_cast<char>(b));
    } else {
      out.append(text.data() + i, d.len);
      all_mapped = false;
    }
    i += d.len;
  }
  if (exact != nullptr) *exact = all_mapped;
  return out;
}

}  // namespace zhi
