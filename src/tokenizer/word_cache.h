// Bounded, thread-safe cache of BPE results per pre-token. Natural text
// repeats its words constantly, so most pre-tokens skip the merge loop.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace zhi {

class WordCache {
 public:
  // At most `max_words` entries; when full it is cleared and refilled,
  // which keeps memory bounded without per-hit bookkeeping.
  explicit WordCache(size_t max_words = 1 << 16) : max_words_(max_words) {}

  // Words longer than this are not cached: they rarely repeat.
  static constexpr size_t kMaxWordBytes = 64;

  // Appends the cached ids for `word` to `out`; false on a miss.
  bool lookup(std::string_view word, std::vector<int32_t>* out) const;
  void insert(std::string_view word, const int32_t* ids, size_t n);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Span {
    uint32_t begin;
    uint32_t size;
  };

  size_t max_words_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Span, Hash, std::equal_to<>> index_;
  std::vector<int32_t> ids_;  // all cached results, back to back
};

}  // namespace zhi
