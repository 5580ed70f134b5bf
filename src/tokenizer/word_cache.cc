#include "tokenizer/word_cache.h"

namespace zhi {

bool WordCache::lookup(std::string_view word, std::vector<int32_t>* out) const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = index_.find(word);
  if (it == index_.end()) return false;
  const int32_t* p = ids_.data() + it->second.begin;
  out->insert(out->end(), p, p + it->second.size);
  return true;
}

void WordCache::insert(std::string_view word, const int32_t* ids, size_t n) {
  if (word.size() > kMaxWordBytes) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (index_.size() >= max_words_) {
    index_.clear();
    ids_.clear();
  }
  const auto [it, inserted] = index_.try_emplace(std::string(word), Span{static_cast<uint32_t>(ids_.size()), static_cast<uint32_t>(n)});
  if (inserted) ids_.insert(ids_.end(), ids, ids + n);
}

}  // namespace zhi
