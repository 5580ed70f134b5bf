#include "tokenizer/bpe_model.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "tokenizer/byte_level.h"
#include "tokenizer/utf8_util.h"

namespace zhi {
namespace {

constexpr int32_t kNoRank = std::numeric_limits<int32_t>::max();

bool is_continuation(uint8_t b) { return b >= 0x80 && b <= 0xBF; }

}  // namespace

Result<BpeModel> BpeModel::build(const VocabData& vocab, const std::vector<std::string>& token_bytes,
                                 const std::function<int32_t(std::string_view)>& id_of) {
  BpeModel m;
  for (int b = 0; b < 256; ++b) {
    const std::string stand_in = byte_level_encode(std::string(1, static_cast<char>(b)));
    const int32_t id = id_of(stand_in);
    if (id == kNoToken) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", b);
      return invalid_argument(std::string("vocabulary: no token for byte ") + hex + " ('" + stand_in + "')");
    }
    m.byte_ids_[b] = id;
  }

  std::vector<std::array<int32_t, 3>> resolved;  // (left, right, merged) by rank
  resolved.reserve(vocab.merges.size());
  m.merges_.reserve(vocab.merges.size());
  std::string joined;
  for (size_t r = 0; r < vocab.merges.size(); ++r) {
    const auto& [left, right] = vocab.merges[r];
    const int32_t l = id_of(left);
    const int32_t rt = id_of(right);
    joined.assign(left).append(right);
    const int32_t merged = id_of(joined);
    const char* missing = l == kNoToken      ? left.c_str()
                          : rt == kNoToken   ? right.c_str()
                          : merged == kNoToken ? joined.c_str()
                                               : nullptr;
    if (missing != nullptr) {
      return invalid_argument("merges[" + std::to_string(r) + "] ('" + left + "' '" + right + "'): token '" +
                              missing + "' is not in the vocabulary");
    }
    if (m.merges_.insert(l, rt, {static_cast<int32_t>(r), merged})) resolved.push_back({l, rt, merged});
    else resolved.push_back({kNoToken, kNoToken, kNoToken});  // a duplicate pair never applies
  }
  m.find_whole_chars(token_bytes, resolved);
  return m;
}

// The whole-character shortcut. A CJK character is three bytes, and BPE
// spends two merges and several lookups per character just to rebuild it
// before merging characters into words. Starting from one token per
// character gives the same result when nothing can interfere while the
// character is being built. For a character c whose bytes alone merge into
// one token T with highest merge rank R, and neighbours that are
// themselves multi-byte characters, only cross-boundary merges can
// interfere: a merge joining a symbol that holds c's first byte to a symbol
// on its left (which ends in a continuation byte), or a symbol that holds
// c's last byte to one on its right (which starts with a lead byte).
// While c is unfinished, each step picks a pair ranked at most R (c's own
// next merge is always available), so if every such cross merge ranks
// above R, c is always finished first, undisturbed, and every merge of T
// with a neighbour also ranks above R and waits for it, so the order of
// the remaining merges is that of BPE started from T. encode_word applies
// the shortcut only between multi-byte neighbours (or at a word's ends),
// which is what the byte tests below stand for.
void BpeModel::find_whole_chars(const std::vector<std::string>& token_bytes,
                                const std::vector<std::array<int32_t, 3>>& merges) {
  const size_t n = token_bytes.size();
  // Lowest rank at which a token merges with a left neighbour ending in a
  // continuation byte / with a right neighbour starting with a lead byte.
  std::vector<int32_t> min_rank_after_cont(n, kNoRank);
  std::vector<int32_t> min_rank_before_lead(n, kNoRank);
  for (size_t r = 0; r < merges.size(); ++r) {
    const auto [l, rt, merged] = merges[r];
    if (l == kNoToken) continue;
    const std::string& lb = token_bytes[static_cast<size_t>(l)];
    const std::string& rb = token_bytes[static_cast<size_t>(rt)];
    const auto rank = static_cast<int32_t>(r);
    if (!lb.empty() && is_continuation(static_cast<uint8_t>(lb.back()))) {
      min_rank_after_cont[rt] = std::min(min_rank_after_cont[rt], rank);
    }
    if (!rb.empty() && static_cast<uint8_t>(rb.front()) >= 0xC0) {
      min_rank_before_lead[l] = std::min(min_rank_before_lead[l], rank);
    }
  }

  whole_char_.assign(0x10000, kNoToken);
  std::string utf8;
  for (uint32_t cp = 0x800; cp <= 0xFFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    utf8.clear();
    append_utf8(cp, &utf8);
    // The character's own BPE, noting every symbol that was ever its
    // leftmost or rightmost.
    std::vector<int32_t> syms = {byte_ids_[static_cast<uint8_t>(utf8[0])], byte_ids_[static_cast<uint8_t>(utf8[1])],
                                 byte_ids_[static_cast<uint8_t>(utf8[2])]};
    std::vector<int32_t> lefts = {syms.front()};
    std::vector<int32_t> rights = {syms.back()};
    int32_t highest = -1;
    while (syms.size() > 1) {
      size_t best = 0;
      int32_t best_rank = kNoRank;
      for (size_t k = 0; k + 1 < syms.size(); ++k) {
        const MergeTable::Merge* mg = merges_.find(syms[k], syms[k + 1]);
        if (mg != nullptr && mg->rank < best_rank) {
          best_rank = mg->rank;
          best = k;
        }
      }
      if (best_rank == kNoRank) break;
      syms[best] = merges_.find(syms[best], syms[best + 1])->merged;
      syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(best) + 1);
      highest = std::max(highest, best_rank);
      lefts.push_back(syms.front());
      rights.push_back(syms.back());
    }
    if (syms.size() != 1) continue;
    bool safe = true;
    for (int32_t s : lefts) safe = safe && min_rank_after_cont[s] > highest;
    for (int32_t s : rights) safe = safe && min_rank_before_lead[s] > highest;
    if (safe) whole_char_[cp] = syms[0];
  }
}

size_t BpeModel::whole_char_count() const {
  return static_cast<size_t>(std::count_if(whole_char_.begin(), whole_char_.end(), [](int32_t t) { return t != kNoToken; }));
}

void BpeModel::encode_word(std::string_view word, BpeScratch* scratch, std::vector<int32_t>* out) const {
  std::vector<int32_t>& ids = scratch->ids;
  ids.clear();
  const auto* p = reinterpret_cast<const uint8_t*>(word.data());
  const size_t n = word.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t b = p[i];
    // A three-byte character between multi-byte neighbours (or a word end).
    if ((b & 0xF0) == 0xE0 && i + 3 <= n && (i == 0 || is_continuation(p[i - 1])) && (i + 3 == n || p[i + 3] >= 0xC0)) {
      const Utf8Decoded d = decode_utf8(word.data() + i, 3);
      if (d.status == Utf8Status::kValid) {
        const int32_t t = whole_char_[d.cp];
        if (t != kNoToken) {
          ids.push_back(t);
          i += 3;
          continue;
        }
      }
    }
    ids.push_back(byte_ids_[b]);
    ++i;
  }
  bpe_merge_symbols(merges_, scratch, out);
}

void BpeModel::encode_word_bytewise(std::string_view word, BpeScratch* scratch, std::vector<int32_t>* out) const {
  std::vector<int32_t>& ids = scratch->ids;
  ids.clear();
  for (char c : word) ids.push_back(byte_ids_[static_cast<uint8_t>(c)]);
  bpe_merge_symbols(merges_, scratch, out);
}

}  // namespace zhi
