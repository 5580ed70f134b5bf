// A tiny byte-level vocabulary for unit tests: the 256 byte tokens (id =
// byte value), a few merges, and some special tokens.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tokenizer/byte_level.h"
#include "tokenizer/vocab_data.h"

namespace zhi::testing {

inline std::string stand_in(const std::string& bytes) { return byte_level_encode(bytes); }

class TestVocab {
 public:
  TestVocab() {
    for (int b = 0; b < 256; ++b) add(stand_in(std::string(1, static_cast<char>(b))), TokenType::kByte);
  }
  // Adds a merge of two byte strings and the merged token; returns its id.
  int32_t merge(const std::string& left, const std::string& right) {
    data.merges.emplace_back(stand_in(left), stand_in(right));
    return add(stand_in(left + right), TokenType::kNormal);
  }
  int32_t add(const std::string& text, TokenType type) {
    data.tokens.push_back(text);
    data.token_types.push_back(type);
    return static_cast<int32_t>(data.tokens.size() - 1);
  }
  VocabData data;
};

}  // namespace zhi::testing
