#include "tokenizer/word_cache.h"

#include <cstring>

namespace zhi {

WordCache::WordCache() : slots_(new Slot[size_t{1} << kSlotBits]) {}

uint64_t WordCache::hash_word(std::string_view word) {
  // FNV-1a, then a final mix so the low bits (the slot index) depend on
  // every byte. Words are short, so this beats a block hash.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : word) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h;
}

bool WordCache::lookup(std::string_view word, uint64_t hash, std::vector<int32_t>* out) const {
  if (word.size() > kMaxWordBytes) return false;
  const size_t i = hash & ((size_t{1} << kSlotBits) - 1);
  const Slot& s = slots_[i];
  int32_t ids[kMaxIds];
  size_t n = 0;
  {
    std::lock_guard<std::mutex> lock(stripe(i));
    if (s.hash != hash || s.len != word.size() || std::memcmp(s.bytes, word.data(), word.size()) != 0) return false;
    n = s.n_ids;
    std::memcpy(ids, s.ids, n * sizeof(int32_t));
  }
  out->insert(out->end(), ids, ids + n);
  return true;
}

void WordCache::insert(std::string_view word, uint64_t hash, const int32_t* ids, size_t n) {
  if (word.size() > kMaxWordBytes || n > kMaxIds || word.empty()) return;
  const size_t i = hash & ((size_t{1} << kSlotBits) - 1);
  Slot& s = slots_[i];
  std::lock_guard<std::mutex> lock(stripe(i));
  s.hash = hash;
  s.len = static_cast<uint8_t>(word.size());
  s.n_ids = static_cast<uint8_t>(n);
  std::memcpy(s.bytes, word.data(), word.size());
  std::memcpy(s.ids, ids, n * sizeof(int32_t));
}

}  // namespace zhi
