// Bounded, thread-safe cache of BPE results per pre-token. Natural text
// repeats its words constantly, so most pre-tokens skip the merge loop.
//
// Direct-mapped, like a CPU cache: one 64-byte slot per hash bucket, a new
// word simply evicts the old one. Lookups touch one cache line, memory is
// fixed (2 MiB), and a flood of one-off words (long CJK clauses rarely
// repeat) cannot flush the whole cache at once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace zhi {

class WordCache {
 public:
  // Only words up to this many bytes, encoding to at most kMaxIds tokens,
  // are cached; longer words are rare repeats and not worth a slot.
  static constexpr size_t kMaxWordBytes = 22;
  static constexpr size_t kMaxIds = 8;

  WordCache();

  // Appends the cached ids for `word` to `out`; false on a miss.
  bool lookup(std::string_view word, uint64_t hash, std::vector<int32_t>* out) const;
  void insert(std::string_view word, uint64_t hash, const int32_t* ids, size_t n);

  static uint64_t hash_word(std::string_view word);

 private:
  struct alignas(64) Slot {
    uint64_t hash = 0;
    uint8_t len = 0;  // 0: empty (words are never empty)
    uint8_t n_ids = 0;
    char bytes[kMaxWordBytes];
    int32_t ids[kMaxIds];
  };
  static_assert(sizeof(Slot) == 64);
  static constexpr size_t kSlotBits = 15;  // 32768 slots, 2 MiB
  // Lock striping: concurrent encodes rarely want the same stripe.
  static constexpr size_t kStripes = 16;

  std::mutex& stripe(size_t slot) const { return stripes_[slot % kStripes]; }

  std::unique_ptr<Slot[]> slots_;
  mutable std::array<std::mutex, kStripes> stripes_;
};

}  // namespace zhi
