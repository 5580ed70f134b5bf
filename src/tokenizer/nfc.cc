#include "tokenizer/nfc.h"

#include <utf8proc.h>

#include <cstdlib>

#include "tokenizer/utf8_util.h"

namespace zhi {
namespace {

// Code points with canonical combining class 0 and NFC_Quick_Check = Yes:
// NFC never changes them and nothing before them can combine with them, so
// text may be cut before each one and the pieces normalized separately.
// This is a deliberately small, certain subset; anything else just takes
// the utf8proc path.
bool is_nfc_boundary(uint32_t cp) {
  if (cp < 0x300) return true;                     // ASCII, Latin-1, Latin Extended-A/B, IPA
  if (cp >= 0x4E00 && cp <= 0x9FFF) return true;   // CJK unified ideographs
  if (cp >= 0xAC00 && cp <= 0xD7A3) return true;   // Hangul syllables
  if (cp >= 0x3000 && cp <= 0x3029) return true;   // CJK punctuation (302A.. are marks)
  if (cp >= 0x3030 && cp <= 0x303F) return true;
  if (cp >= 0x3041 && cp <= 0x3096) return true;   // hiragana (3099/309A combine)
  if (cp >= 0x309B && cp <= 0x30FF) return true;   // kana marks, katakana
  if (cp >= 0x2010 && cp <= 0x2027) return true;   // dashes, quotes, ellipsis
  if (cp >= 0xFF01 && cp <= 0xFF9D) return true;   // fullwidth forms (FF9E/FF9F: sound marks)
  return false;
}

// NFC of one stretch of valid UTF-8; false if utf8proc refuses it.
bool append_nfc(std::string_view chunk, std::string* out) {
  utf8proc_uint8_t* result = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(chunk.data()),
                   static_cast<utf8proc_ssize_t>(chunk.size()), &result,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (n < 0) return false;
  out->append(reinterpret_cast<const char*>(result), static_cast<size_t>(n));
  std::free(result);
  return true;
}

}  // namespace

std::string_view nfc_normalize(std::string_view text, std::string* storage) {
  const char* p = text.data();
  const size_t n = text.size();

  // Fast scan: find the first character that is not a boundary.
  size_t i = 0;
  size_t last_boundary = 0;  // start of the last boundary character seen
  while (i < n) {
    const auto b = static_cast<uint8_t>(p[i]);
    if (b < 0x80) {
      last_boundary = i++;
      continue;
    }
    const Utf8Decoded d = decode_utf8(p + i, n - i);
    if (d.status != Utf8Status::kValid) {
      last_boundary = i + d.len;  // invalid bytes stand alone
      i += d.len;
      continue;
    }
    if (!is_nfc_boundary(d.cp)) break;
    last_boundary = i;
    i += d.len;
  }
  if (i >= n) return text;

  // Slow path: cut before every boundary character and invalid byte, and
  // normalize only the stretches that hold something else.
  storage->clear();
  storage->reserve(n + n / 8);
  storage->append(p, last_boundary);
  size_t chunk_start = last_boundary;
  bool chunk_needs_nfc = false;
  auto flush = [&](size_t end) {
    const std::string_view chunk(p + chunk_start, end - chunk_start);
    if (!chunk_needs_nfc || !append_nfc(chunk, storage)) storage->append(chunk);
    chunk_start = end;
    chunk_needs_nfc = false;
  };
  i = last_boundary;
  while (i < n) {
    const Utf8Decoded d = decode_utf8(p + i, n - i);
    if (d.status != Utf8Status::kValid) {
      flush(i);
      storage->append(p + i, d.len);
      i += d.len;
      chunk_start = i;
      continue;
    }
    if (is_nfc_boundary(d.cp)) {
      flush(i);
    } else {
      chunk_needs_nfc = true;
    }
    i += d.len;
  }
  flush(n);
  return *storage;
}

}  // namespace zhi
