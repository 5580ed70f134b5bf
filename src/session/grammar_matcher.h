// Follows one generation through a compiled grammar: which tokens may come
// next (a bitmask over the vocabulary), and the state after each token.
// Many matchers can share one CompiledGrammar across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "session/compiled_grammar.h"
#include "session/token_trie.h"

namespace zhi {

class GrammarMatcher {
 public:
  GrammarMatcher(std::shared_ptr<CompiledGrammar> grammar, const TokenTrie& trie);

  void reset();
  // The tokens allowed next: trie.mask_words() words, bit i for token i.
  std::shared_ptr<const std::vector<uint64_t>> mask();
  // Advances over the token's bytes; false (and no change) when the grammar
  // rejects them. Tokens outside the trie are always rejected.
  bool accept_token(int32_t id);
  bool accept_bytes(std::string_view bytes);
  // The input so far is a complete sentence of the grammar.
  bool complete();
  // Some byte may still follow.
  bool can_continue();

 private:
  int32_t current_locked();

  std::shared_ptr<CompiledGrammar> grammar_;
  const TokenTrie* trie_;
  GrammarStackSet stacks_;  // the state itself, so it survives a cache trim
  int32_t state_ = CompiledGrammar::kDead;
  uint64_t epoch_ = 0;
  bool at_start_ = true;
};

}  // namespace zhi
