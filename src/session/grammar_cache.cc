#include "session/grammar_cache.h"

namespace zhi {

Expected<std::shared_ptr<CompiledGrammar>> GrammarCache::get(const std::string& key, const Compile& compile) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first != key) continue;
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().second;
    }
  }
  // Compiled outside the lock: a large schema should not stall other sessions.
  Expected<Grammar> grammar = compile();
  if (!grammar.ok()) return grammar.error();
  auto compiled = std::make_shared<CompiledGrammar>(std::move(grammar).value());
  std::lock_guard<std::mutex> lock(mu_);
  entries_.emplace_front(key, compiled);
  while (entries_.size() > max_entries_) entries_.pop_back();
  return compiled;
}

}  // namespace zhi
