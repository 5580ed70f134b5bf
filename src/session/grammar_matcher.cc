#include "session/grammar_matcher.h"

namespace zhi {

GrammarMatcher::GrammarMatcher(std::shared_ptr<CompiledGrammar> grammar, const TokenTrie& trie)
    : grammar_(std::move(grammar)), trie_(&trie) {
  reset();
}

void GrammarMatcher::reset() {
  at_start_ = true;
  stacks_.clear();
  state_ = CompiledGrammar::kDead;
}

int32_t GrammarMatcher::current_locked() {
  CompiledGrammar& g = *grammar_;
  if (at_start_) {
    g.trim_if_large();
    state_ = g.initial_state();
    epoch_ = g.epoch();
    at_start_ = false;
    if (state_ != CompiledGrammar::kDead) stacks_ = g.stacks(state_);
    return state_;
  }
  if (epoch_ != g.epoch()) {
    state_ = stacks_.empty() ? CompiledGrammar::kDead : g.intern(stacks_);
    epoch_ = g.epoch();
  }
  return state_;
}

std::shared_ptr<const std::vector<uint64_t>> GrammarMatcher::mask() {
  std::lock_guard<std::mutex> lock(grammar_->mutex());
  grammar_->trim_if_large();
  const int32_t s = current_locked();
  if (s == CompiledGrammar::kDead) return std::make_shared<const std::vector<uint64_t>>(trie_->mask_words(), 0);
  return grammar_->mask(s, *trie_);
}

bool GrammarMatcher::accept_token(int32_t id) {
  if (!trie_->in_trie(id)) return false;
  return accept_bytes(trie_->token_bytes(id));
}

bool GrammarMatcher::accept_bytes(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(grammar_->mutex());
  int32_t s = current_locked();
  for (char c : bytes) {
    if (s == CompiledGrammar::kDead) return false;
    s = grammar_->next(s, static_cast<uint8_t>(c));
  }
  if (s == CompiledGrammar::kDead) return false;
  state_ = s;
  stacks_ = grammar_->stacks(s);
  return true;
}

bool GrammarMatcher::complete() {
  std::lock_guard<std::mutex> lock(grammar_->mutex());
  const int32_t s = current_locked();
  return s != CompiledGrammar::kDead && grammar_->complete(s);
}

bool GrammarMatcher::can_continue() {
  std::lock_guard<std::mutex> lock(grammar_->mutex());
  const int32_t s = current_locked();
  return s != CompiledGrammar::kDead && grammar_->can_continue(s);
}

}  // namespace zhi
