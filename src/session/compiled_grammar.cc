#include "session/compiled_grammar.h"

#include <algorithm>
#include <map>

#include "session/token_trie.h"

namespace zhi {
namespace {

constexpr int32_t kUnknown = -2;
// Deeper stacks mean JSON nested this far; nothing sane gets there, and the
// bound keeps a runaway recursive schema from exhausting memory.
constexpr size_t kMaxStackDepth = 2048;
// Memory budget for lazily built tables: about 1 KiB of transitions per
// state, plus one mask (n_vocab bits) per state that needed one.
constexpr size_t kMaxStates = 1 << 15;
constexpr size_t kMaxMaskBytes = size_t{96} << 20;

std::string key_of(const GrammarStackSet& set) {
  std::string key;
  for (const GrammarStack& s : set) {
    const uint32_t n = static_cast<uint32_t>(s.size());
    key.append(reinterpret_cast<const char*>(&n), sizeof n);
    key.append(reinterpret_cast<const char*>(s.data()), s.size() * sizeof(uint32_t));
  }
  return key;
}

}  // namespace

CompiledGrammar::CompiledGrammar(Grammar grammar) : grammar_(std::move(grammar)) {
  // A byte's signature is which byte sets hold it; equal signatures, one class.
  std::map<std::vector<bool>, uint8_t> classes;
  for (int b = 0; b < 256; ++b) {
    std::vector<bool> signature(grammar_.byte_set_count());
    for (uint32_t i = 0; i < signature.size(); ++i) signature[i] = grammar_.byte_set(i).has(static_cast<uint8_t>(b));
    auto [it, added] = classes.emplace(std::move(signature), static_cast<uint8_t>(class_byte_.size()));
    if (added) class_byte_.push_back(static_cast<uint8_t>(b));
    byte_class_[b] = it->second;
  }
}

void CompiledGrammar::expand(GrammarStack& stack, GrammarStackSet& out, int depth) const {
  if (stack.size() > kMaxStackDepth || depth > static_cast<int>(kMaxStackDepth)) return;
  if (stack.empty()) {
    out.push_back(stack);
    return;
  }
  const auto& el = grammar_.elements();
  const uint32_t pos = stack.back();
  switch (el[pos].op) {
    case Grammar::Op::kBytes:
      out.push_back(stack);
      return;
    case Grammar::Op::kEnd: {
      stack.pop_back();
      expand(stack, out, depth + 1);
      stack.push_back(pos);
      return;
    }
    case Grammar::Op::kRule: {
      // Continue after the reference, unless that is the end of the
      // alternative: then return straight to the caller (tail call), which
      // keeps right-recursive repetition from growing the stack.
      stack.pop_back();
      const bool keep_return = el[pos + 1].op != Grammar::Op::kEnd;
      if (keep_return) stack.push_back(pos + 1);
      for (uint32_t alt : grammar_.alternatives(el[pos].arg)) {
        stack.push_back(alt);
        expand(stack, out, depth + 1);
        stack.pop_back();
      }
      if (keep_return) stack.pop_back();
      stack.push_back(pos);
      return;
    }
  }
}

int32_t CompiledGrammar::intern(GrammarStackSet set) {
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  if (set.empty()) return kDead;
  std::string key = key_of(set);
  if (auto it = ids_.find(key); it != ids_.end()) return it->second;
  const int32_t id = static_cast<int32_t>(sets_.size());
  bool done = false, bytes = false;
  for (const GrammarStack& s : set) (s.empty() ? done : bytes) = true;
  sets_.push_back(std::move(set));
  std::array<int32_t, 256> row;
  row.fill(kUnknown);
  next_.push_back(row);
  complete_.push_back(done);
  has_bytes_.push_back(bytes);
  masks_.emplace_back();
  ids_.emplace(std::move(key), id);
  return id;
}

int32_t CompiledGrammar::initial_state() {
  if (initial_ >= kDead) return initial_;
  GrammarStackSet out;
  for (uint32_t alt : grammar_.alternatives(grammar_.root())) {
    GrammarStack s{alt};
    expand(s, out, 0);
  }
  initial_ = intern(std::move(out));
  return initial_;
}

int32_t CompiledGrammar::next(int32_t state, uint8_t byte) {
  int32_t& slot = next_[state][byte];
  if (slot != kUnknown) return slot;
  GrammarStackSet out;
  const auto& el = grammar_.elements();
  for (const GrammarStack& s : sets_[state]) {
    if (s.empty()) continue;
    const uint32_t pos = s.back();
    if (!grammar_.byte_set(el[pos].arg).has(byte)) continue;
    GrammarStack advanced = s;
    advanced.back() = pos + 1;
    expand(advanced, out, 0);
  }
  const int32_t id = intern(std::move(out));
  next_[state][byte] = id;  // `slot` may dangle: intern() can grow next_
  return id;
}

std::shared_ptr<const std::vector<uint64_t>> CompiledGrammar::mask(int32_t state, const TokenTrie& trie) {
  if (masks_[state]) {
    ++counters_.mask_hits;
    return masks_[state];
  }
  ++counters_.mask_misses;
  if (class_trie_source_ != &trie) {
    class_trie_ = std::make_unique<TokenTrie>(trie, byte_class_);
    class_trie_source_ = &trie;
  }
  const TokenTrie& ct = *class_trie_;
  auto bits = std::make_shared<std::vector<uint64_t>>(ct.mask_words(), 0);
  const auto& nodes = ct.nodes();
  const auto& tokens = ct.node_tokens();
  walk_states_.assign(static_cast<size_t>(ct.max_depth()) + 1, kDead);
  walk_states_[0] = state;
  for (size_t i = 0; i < nodes.size();) {
    const TokenTrie::Node& n = nodes[i];
    const int32_t s = next(walk_states_[n.depth - 1], class_byte_[n.byte]);
    if (s == kDead) {
      i = n.subtree_end;
      continue;
    }
    walk_states_[n.depth] = s;
    for (uint32_t t = 0; t < n.n_tokens; ++t) {
      const int32_t id = tokens[n.first_token + t];
      (*bits)[static_cast<size_t>(id) >> 6] |= uint64_t{1} << (id & 63);
    }
    ++i;
  }
  mask_bytes_ += bits->size() * sizeof(uint64_t);
  masks_[state] = bits;
  return bits;
}

void CompiledGrammar::trim_if_large() {
  if (sets_.size() > kMaxStates || mask_bytes_ > kMaxMaskBytes) clear();
}

void CompiledGrammar::clear() {
  ++epoch_;
  initial_ = kDead - 1;
  sets_.clear();
  next_.clear();
  complete_.clear();
  has_bytes_.clear();
  ids_.clear();
  masks_.clear();
  mask_bytes_ = 0;
}

}  // namespace zhi
