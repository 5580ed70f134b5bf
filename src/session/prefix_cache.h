// Idle KV states kept for reuse. A request takes the entry that shares the
// longest token prefix with its prompt, evaluates only the rest, and puts the
// context back when it is done, so the next turn of the same conversation, or
// another session with the same instructions and tools, starts warm.
//
// An entry is one whole context (its KV cache and buffers), lent out whole:
// the model layer offers no way to copy KV rows between contexts, so a shared
// prefix is reused by handing the context over, never by forking it. To keep
// one session from wiping out another's long conversation for a short shared
// prefix, an entry is only taken when it saves at least as many tokens as it
// throws away (or when the cache is full and its memory would be recycled).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "model/qwen2_context.h"
#include "zhi/model.hpp"

namespace zhi {

struct CachedContext {
  std::unique_ptr<Qwen2Context> ctx;
  std::vector<int32_t> tokens;  // exactly the positions held in ctx's KV cache
};

class PrefixCache {
 public:
  PrefixCache(int max_entries, uint64_t max_bytes) : max_entries_(max_entries), max_bytes_(max_bytes) {}

  // Takes the best entry for a prompt of `tokens`, or returns an empty
  // CachedContext (no ctx) when none is worth taking. `*reusable` is how many
  // leading prompt tokens the returned ctx already holds, at most
  // tokens.size() - 1 so the last prompt token is evaluated for its logits.
  CachedContext take(std::span<const int32_t> tokens, int64_t* reusable);
  // Returns a context to the cache as the most recently used entry, evicting
  // the least recently used ones over the entry or byte limit.
  void put(CachedContext entry);

  PrefixCacheStats stats() const;
  void clear();

 private:
  void evict_locked();

  const int max_entries_;
  const uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::list<CachedContext> entries_;  // front: most recently used
  uint64_t bytes_ = 0;
  PrefixCacheStats stats_;
};

int64_t common_prefix(std::span<const int32_t> a, std::span<const int32_t> b);

}  // namespace zhi
