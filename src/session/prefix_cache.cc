#include "session/prefix_cache.h"

#include <algorithm>

namespace zhi {

int64_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return static_cast<int64_t>(i);
}

CachedContext PrefixCache::take(std::span<const int32_t> tokens, int64_t* reusable) {
  std::lock_guard<std::mutex> lock(mu_);
  *reusable = 0;
  ++stats_.lookups;
  const int64_t limit = std::max<int64_t>(0, static_cast<int64_t>(tokens.size()) - 1);
  auto best = entries_.end();
  int64_t best_reuse = 0, best_lost = 0;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const int64_t reuse = std::min(common_prefix(it->tokens, tokens), limit);
    const int64_t lost = static_cast<int64_t>(it->tokens.size()) - reuse;
    if (reuse == 0 || reuse < lost) continue;
    if (reuse > best_reuse || (reuse == best_reuse && lost < best_lost)) {
      best = it;
      best_reuse = reuse;
      best_lost = lost;
    }
  }
  // A full cache recycles its least recently used context instead of growing.
  const bool full = static_cast<int>(entries_.size()) >= max_entries_ || bytes_ >= max_bytes_;
  if (best == entries_.end() && full && !entries_.empty()) {
    best = std::prev(entries_.end());
    best_reuse = std::min(common_prefix(best->tokens, tokens), limit);
  }
  if (best == entries_.end()) return {};
  CachedContext out = std::move(*best);
  entries_.erase(best);
  bytes_ -= out.ctx->kv_bytes();
  *reusable = best_reuse;
  if (best_reuse > 0) {
    ++stats_.hits;
    stats_.reused_tokens += best_reuse;
  }
  return out;
}

void PrefixCache::put(CachedContext entry) {
  if (!entry.ctx) return;
  std::lock_guard<std::mutex> lock(mu_);
  bytes_ += entry.ctx->kv_bytes();
  entries_.push_front(std::move(entry));
  evict_locked();
}

void PrefixCache::evict_locked() {
  while (!entries_.empty() && (static_cast<int>(entries_.size()) > max_entries_ || bytes_ > max_bytes_)) {
    bytes_ -= entries_.back().ctx->kv_bytes();
    entries_.pop_back();
    ++stats_.evictions;
  }
}

PrefixCacheStats PrefixCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  PrefixCacheStats s = stats_;
  s.entries = static_cast<int64_t>(entries_.size());
  s.bytes = bytes_;
  return s;
}

void PrefixCache::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  bytes_ = 0;
}

}  // namespace zhi
