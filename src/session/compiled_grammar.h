// A grammar ready for decoding: its parse states, discovered lazily and
// numbered, with memoized byte transitions between them, and cached token
// masks per state. This is the XGrammar idea in lazy form: the first time a
// state needs a mask, one walk of the vocabulary's byte trie computes it
// (each trie edge one table lookup once transitions are known); every later
// visit of that state, in this request or any other using the same schema,
// is a cache hit.
//
// A state is a set of parse stacks (element positions, top last), as in
// llama.cpp's GBNF matcher, closed so every stack's top is a byte set or the
// stack is empty (the input so far is complete). Equal sets get one id.
//
// Not thread-safe by itself: callers hold mutex() while using it, since
// sessions on different threads may share one compiled grammar.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "session/grammar.h"
#include "session/token_trie.h"

namespace zhi {


using GrammarStack = std::vector<uint32_t>;
using GrammarStackSet = std::vector<GrammarStack>;

class CompiledGrammar {
 public:
  static constexpr int32_t kDead = -1;

  explicit CompiledGrammar(Grammar grammar);

  const Grammar& grammar() const { return grammar_; }
  std::mutex& mutex() const { return mu_; }

  // --- callers hold mutex() ---
  // Bumped when the caches are dropped to bound memory; state ids from an
  // older epoch are invalid (re-intern the stack set).
  uint64_t epoch() const { return epoch_; }
  int32_t initial_state();
  int32_t intern(GrammarStackSet set);
  int32_t next(int32_t state, uint8_t byte);
  bool complete(int32_t state) const { return complete_[state]; }
  // True when some byte can follow.
  bool can_continue(int32_t state) const { return has_bytes_[state]; }
  const GrammarStackSet& stacks(int32_t state) const { return sets_[state]; }
  size_t state_count() const { return sets_.size(); }
  // The allowed-token bitmask of `state` over trie's tokens (cached; the
  // pointer stays valid after a trim).
  std::shared_ptr<const std::vector<uint64_t>> mask(int32_t state, const TokenTrie& trie);
  // Drops states and masks when they outgrow their budget. Call only between
  // uses of state ids (the next use re-interns).
  void trim_if_large();

  size_t byte_classes() const { return class_byte_.size(); }
  size_t class_trie_nodes() const { return class_trie_ ? class_trie_->nodes().size() : 0; }

  struct Counters {
    int64_t mask_hits = 0, mask_misses = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  void expand(GrammarStack& stack, GrammarStackSet& out, int depth) const;
  void clear();

  Grammar grammar_;
  // Bytes that every byte set of the grammar treats alike share a class;
  // masks walk the vocabulary as class strings, a much smaller trie.
  std::array<uint8_t, 256> byte_class_{};
  std::vector<uint8_t> class_byte_;  // a representative byte per class
  std::unique_ptr<TokenTrie> class_trie_;
  const TokenTrie* class_trie_source_ = nullptr;
  mutable std::mutex mu_;
  uint64_t epoch_ = 0;
  int32_t initial_ = kDead - 1;
  std::vector<GrammarStackSet> sets_;
  std::vector<std::array<int32_t, 256>> next_;
  std::vector<uint8_t> complete_;
  std::vector<uint8_t> has_bytes_;
  std::unordered_map<std::string, int32_t> ids_;
  std::vector<std::shared_ptr<const std::vector<uint64_t>>> masks_;  // per state, null until computed
  size_t mask_bytes_ = 0;
  std::vector<int32_t> walk_states_;  // scratch for mask()
  Counters counters_;
};

}  // namespace zhi
