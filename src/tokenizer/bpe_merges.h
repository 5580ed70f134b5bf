// Byte-pair merges keyed by the pair of token ids they join, and the BPE
// loop that applies them to one pre-token.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace zhi {

// Open-addressing hash map (left id, right id) -> (rank, merged id). Looked
// up several times per input byte, so it is one flat array with linear
// probing rather than std::unordered_map's node chains. Most lookups are
// for pairs that never merge (two CJK characters side by side, say); a
// 512 KiB bit filter that stays in L2 answers most of those without
// touching the 8 MiB table.
class MergeTable {
 public:
  struct Merge {
    int32_t rank;    // lower merges first
    int32_t merged;  // token id of left+right
  };

  void reserve(size_t n_merges);
  // Keeps the first rank given for a pair: a later duplicate is ignored and
  // false is returned.
  bool insert(int32_t left, int32_t right, Merge m);
  // nullptr when the pair never merges.
  const Merge* find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t key = pack(left, right);
    const size_t h = hash(key);
    const size_t bit = (h >> 40) & kFilterMask;
    if ((filter_[bit >> 6] & (uint64_t{1} << (bit & 63))) == 0) return nullptr;
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.merge;
      if (s.key == kEmpty) return nullptr;
    }
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key;
    Merge merge;
  };
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // ids are never negative
  static constexpr size_t kFilterBits = size_t{1} << 22;  // ~3.5% false positives at 150k merges
  static constexpr size_t kFilterMask = kFilterBits - 1;
  static uint64_t pack(int32_t l, int32_t r) {
    return (uint64_t{static_cast<uint32_t>(l)} << 32) | static_cast<uint32_t>(r);
  }
  static size_t hash(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return static_cast<size_t>(k);
  }
  void grow();

  std::vector<Slot> slots_;
  std::vector<uint64_t> filter_;  // bit (hash >> 40) set for every key present
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Scratch space for the merge loops, reused across words.
struct BpeScratch {
  std::vector<int32_t> ids;
  std::vector<int32_t> ranks;
  struct Node {
    int32_t id;
    int32_t prev;
    int32_t next;
  };
  std::vector<Node> nodes;
  struct Candidate {
    int32_t rank;
    int32_t pos;
  };
  std::vector<Candidate> heap;
};

// Runs BPE on the symbols in scratch->ids (the word's initial tokens):
// repeatedly applies the lowest-ranked merge, leftmost first on ties,
// exactly as the Hugging Face BPE model does. Appends the result to `out`.
void bpe_merge_symbols(const MergeTable& merges, BpeScratch* scratch, std::vector<int32_t>* out);

}  // namespace zhi
