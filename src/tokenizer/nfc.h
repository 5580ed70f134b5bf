// NFC normalization, as the Hugging Face Qwen2 tokenizer applies before
// pre-tokenization. Most text (ASCII, Latin-1, CJK ideographs, Hangul
// syllables, common CJK punctuation) is already NFC and is returned as is,
// without calling utf8proc; only stretches around other characters are
// normalized. Invalid UTF-8 bytes pass through untouched.
#pragma once

#include <string>
#include <string_view>

namespace zhi {

// Returns `text` itself when it is already NFC, else a view of `*storage`,
// which then holds the normalized text.
std::string_view nfc_normalize(std::string_view text, std::string* storage);

}  // namespace zhi
