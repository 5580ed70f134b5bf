// The Qwen2 pre-tokenizer, written out by hand. It splits text exactly as the
// Hugging Face tokenizer's regex does (leftmost alternative wins, greedy
// quantifiers, Unicode classes):
//
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)      contractions, ASCII case-insensitive
//   |[^\r\n\p{L}\p{N}]?\p{L}+          a word, with one leading non-letter
//   |\p{N}                             a single digit
//   | ?[^\s\p{L}\p{N}]+[\r\n]*         punctuation run, optional leading space
//   |\s*[\r\n]+                        whitespace up to the last line break
//   |\s+(?!\S)                         whitespace not followed by a non-space
//   |\s+                               any remaining whitespace
//
// \s is Unicode White_Space (as in Oniguruma, which the HF tokenizers use).
// Invalid UTF-8 bytes count as single non-letter, non-space characters.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace zhi {

// Character classes the regex distinguishes.
enum class CharClass : uint8_t {
  kLetter,   // \p{L}
  kNumber,   // \p{N}
  kSpace,    // \s other than \r and \n
  kNewline,  // \r or \n
  kOther,    // everything else
};

CharClass classify_code_point(uint32_t cp);

// Byte ranges [begin, end) of the pieces, in order; they tile `text`.
struct PieceSpan {
  uint32_t begin;
  uint32_t end;
};

class Qwen2PreTokenizer {
 public:
  // Appends the pieces of `text` (which must be shorter than 4 GiB) to `out`.
  // Reuses internal buffers, so one instance should serve one thread.
  void split(std::string_view text, std::vector<PieceSpan>* out);

 private:
  std::vector<CharClass> cls_;    // per character
  std::vector<uint32_t> offset_;  // per character, plus one past the end
};

// Convenience for tests and tools.
std::vector<std::string_view> qwen2_pretokenize(std::string_view text);

}  // namespace zhi
