#include "tokenizer/bpe_merges.h"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace zhi {
namespace {

constexpr int32_t kNoRank = std::numeric_limits<int32_t>::max();

// Words of up to this many symbols use a flat rescan of cached ranks per
// merge: O(n^2) compares but few lookups, and cache-friendly. Longer words
// (a paragraph of CJK without punctuation is one word) use a heap, O(n log n).
constexpr size_t kFlatSymbolLimit = 32;

int32_t rank_of(const MergeTable& merges, int32_t l, int32_t r) {
  const MergeTable::Merge* m = merges.find(l, r);
  return m != nullptr ? m->rank : kNoRank;
}

void merge_flat(const MergeTable& merges, BpeScratch* s, std::vector<int32_t>* out) {
  std::vector<int32_t>& ids = s->ids;
  std::vector<int32_t>& ranks = s->ranks;  // ranks[k]: pair (ids[k], ids[k+1])
  ranks.clear();
  for (size_t k = 0; k + 1 < ids.size(); ++k) ranks.push_back(rank_of(merges, ids[k], ids[k + 1]));

  while (!ranks.empty()) {
    size_t best = 0;
    for (size_t k = 1; k < ranks.size(); ++k) {
      if (ranks[k] < ranks[best]) best = k;  // strict: leftmost wins ties
    }
    if (ranks[best] == kNoRank) break;
    ids[best] = merges.find(ids[best], ids[best + 1])->merged;
    ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    ranks.erase(ranks.begin() + static_cast<std::ptrdiff_t>(best));
    if (best > 0) ranks[best - 1] = rank_of(merges, ids[best - 1], ids[best]);
    if (best < ranks.size()) ranks[best] = rank_of(merges, ids[best], ids[best + 1]);
  }
  out->insert(out->end(), ids.begin(), ids.end());
}

void merge_heap(const MergeTable& merges, BpeScratch* s, std::vector<int32_t>* out) {
  using Node = BpeScratch::Node;
  using Candidate = BpeScratch::Candidate;
  std::vector<Node>& nodes = s->nodes;
  std::vector<Candidate>& heap = s->heap;
  const auto n = static_cast<int32_t>(s->ids.size());
  nodes.resize(static_cast<size_t>(n));
  for (int32_t k = 0; k < n; ++k) nodes[k] = {s->ids[k], k - 1, k + 1 < n ? k + 1 : -1};

  // Min-heap on (rank, position): the lowest rank first, leftmost on ties.
  auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  };
  heap.clear();
  auto push = [&](int32_t pos) {
    const int32_t next = nodes[pos].next;
    if (next < 0) return;
    const int32_t r = rank_of(merges, nodes[pos].id, nodes[next].id);
    if (r == kNoRank) return;
    heap.push_back({r, pos});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (int32_t k = 0; k + 1 < n; ++k) push(k);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate top = heap.back();
    heap.pop_back();
    Node& left = nodes[top.pos];
    if (left.id < 0 || left.next < 0) continue;  // merged away meanwhile
    const MergeTable::Merge* m = merges.find(left.id, nodes[left.next].id);
    // Ranks identify pairs, so a different rank means the pair has changed.
    if (m == nullptr || m->rank != top.rank) continue;
    Node& right = nodes[left.next];
    left.id = m->merged;
    left.next = right.next;
    if (right.next >= 0) nodes[right.next].prev = top.pos;
    right.id = -1;
    if (left.prev >= 0) push(left.prev);
    push(top.pos);
  }
  for (int32_t k = 0; k >= 0 && k < n; k = nodes[k].next) out->push_back(nodes[k].id);
}

}  // namespace

void MergeTable::reserve(size_t n_merges) {
  size_t cap = 16;
  while (cap < n_merges * 2) cap <<= 1;  // load factor at most 1/2
  if (filter_.empty()) filter_.assign(kFilterBits / 64, 0);
  if (cap <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(cap, Slot{kEmpty, {0, 0}});
  mask_ = cap - 1;
  size_ = 0;
  for (const Slot& s : old) {
    if (s.key != kEmpty) insert(static_cast<int32_t>(s.key >> 32), static_cast<int32_t>(s.key & 0xffffffffu), s.merge);
  }
}

void MergeTable::grow() { reserve(std::max<size_t>(16, size_ + 1)); }

bool MergeTable::insert(int32_t left, int32_t right, Merge m) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const uint64_t key = pack(left, right);
  const size_t h = hash(key);
  const size_t bit = (h >> 40) & kFilterMask;
  filter_[bit >> 6] |= uint64_t{1} << (bit & 63);
  for (size_t i = h & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == key) return false;
    if (s.key == kEmpty) {
      s = {key, m};
      ++size_;
      return true;
    }
  }
}

void bpe_merge_symbols(const MergeTable& merges, BpeScratch* scratch, std::vector<int32_t>* out) {
  if (scratch->ids.size() <= 1) {
    out->insert(out->end(), scratch->ids.begin(), scratch->ids.end());
  } else if (scratch->ids.size() <= kFlatSymbolLimit) {
    merge_flat(merges, scratch, out);
  } else {
    merge_heap(merges, scratch, out);
  }
}

}  // namespace zhi
