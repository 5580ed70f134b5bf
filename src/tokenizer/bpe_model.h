// The BPE model proper: byte tokens, ranked merges, and the whole-character
// shortcut that makes CJK text fast.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tokenizer/bpe_merges.h"
#include "tokenizer/vocab_data.h"

namespace zhi {

class BpeModel {
 public:
  // `token_bytes[i]` is what token i decodes to; `id_of` finds a token by
  // its stored text (kNoToken if absent). Errors name the merge or byte at fault.
  static Result<BpeModel> build(const VocabData& vocab, const std::vector<std::string>& token_bytes,
                                const std::function<int32_t(std::string_view)>& id_of);

  // Appends the tokens of one pre-token.
  void encode_word(std::string_view word, BpeScratch* scratch, std::vector<int32_t>* out) const;
  // The same without the whole-character shortcut: one symbol per byte.
  // Slower; kept to test that the shortcut never changes a result.
  void encode_word_bytewise(std::string_view word, BpeScratch* scratch, std::vector<int32_t>* out) const;

  int32_t byte_token(uint8_t b) const { return byte_ids_[b]; }

  // How many three-byte characters start as one token (for tests and stats).
  size_t whole_char_count() const;

 private:
  void find_whole_chars(const std::vector<std::string>& token_bytes,
                        const std::vector<std::array<int32_t, 3>>& merges);

  std::array<int32_t, 256> byte_ids_{};
  MergeTable merges_;
  // Indexed by code point U+0000..U+FFFF: the token a whole three-byte
  // character may start as, or kNoToken (see bpe_model.cc for when).
  std::vector<int32_t> whole_char_;
};

}  // namespace zhi
