// A tiny byte-level vocabulary for unit tests: the 256 byte tokens (id =
// byte value), a few merges, and some special tokens.
#pragma once

#include <cstddef>
#include <cstdint>
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

// The textbook BPE: find the lowest-ranked adjacent pair, merge it at its
// leftmost occurrence, repeat.
inline std::vector<int32_t> naive_bpe(const VocabData& v, const std::string& word) {
  std::vector<std::string> syms;
  for (char c : word) syms.emplace_back(1, c);
  while (syms.size() > 1) {
    size_t best_rank = SIZE_MAX, best_pos = 0;
    for (size_t k = 0; k + 1 < syms.size(); ++k) {
      for (size_t r = 0; r < v.merges.size() && r < best_rank; ++r) {
        if (byte_level_encode(syms[k]) == v.merges[r].first && byte_level_encode(syms[k + 1]) == v.merges[r].second) {
          best_rank = r;
          best_pos = k;
        }
      }
    }
    if (best_rank == SIZE_MAX) break;
    syms[best_pos] += syms[best_pos + 1];
    syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(best_pos) + 1);
  }
  std::vector<int32_t> ids;
  for (const std::string& s : syms) {
    const std::string t = byte_level_encode(s);
    for (size_t i = 0; i < v.tokens.size(); ++i) {
      if (v.tokens[i] == t) {
        ids.push_back(static_cast<int32_t>(i));
        break;
      }
    }
  }
  return ids;
}

}  // namespace zhi::testing
