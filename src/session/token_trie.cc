#include "session/token_trie.h"

#include <algorithm>

#include "tokenizer/tokenizer.h"

namespace zhi {

TokenTrie::TokenTrie(const Tokenizer& tokenizer, int64_t n_vocab)
    : n_vocab_(n_vocab), in_trie_(static_cast<size_t>(n_vocab), 0), bytes_(static_cast<size_t>(n_vocab)) {
  std::vector<int32_t> ids;
  for (int32_t id = 0; id < n_vocab && id < tokenizer.n_vocab(); ++id) {
    const TokenType type = tokenizer.token_type(id);
    if (type != TokenType::kNormal && type != TokenType::kByte) continue;
    const std::string& b = tokenizer.token_bytes(id);
    // Depth is stored in 16 bits; no real token comes near that.
    if (b.empty() || b.size() > 60000) continue;
    bytes_[id] = b;
    in_trie_[id] = 1;
    ids.push_back(id);
  }
  std::vector<std::pair<std::string, int32_t>> entries;
  entries.reserve(ids.size());
  for (int32_t id : ids) entries.emplace_back(bytes_[id], id);
  std::sort(entries.begin(), entries.end());
  build(entries);
}

TokenTrie::TokenTrie(const TokenTrie& bytes, const std::array<uint8_t, 256>& byte_class)
    : n_vocab_(bytes.n_vocab_), in_trie_(bytes.in_trie_) {
  std::vector<std::pair<std::string, int32_t>> entries;
  for (int32_t id = 0; id < n_vocab_; ++id) {
    if (!in_trie_[id]) continue;
    std::string key = bytes.bytes_[id];
    for (char& c : key) c = static_cast<char>(byte_class[static_cast<uint8_t>(c)]);
    entries.emplace_back(std::move(key), id);
  }
  std::sort(entries.begin(), entries.end());
  build(entries);
}

void TokenTrie::build(const std::vector<std::pair<std::string, int32_t>>& sorted) {
  // Sorted order is preorder: walk it keeping the path of open nodes.
  std::vector<uint32_t> path;  // node index per depth - 1
  const std::string* prev = nullptr;
  std::vector<std::pair<uint32_t, int32_t>> token_at;  // (node, id)
  for (const auto& [b, id] : sorted) {
    size_t common = 0;
    if (prev) {
      while (common < prev->size() && common < b.size() && (*prev)[common] == b[common]) ++common;
    }
    while (path.size() > common) {
      nodes_[path.back()].subtree_end = static_cast<uint32_t>(nodes_.size());
      path.pop_back();
    }
    for (size_t d = common; d < b.size(); ++d) {
      path.push_back(static_cast<uint32_t>(nodes_.size()));
      nodes_.push_back(Node{static_cast<uint8_t>(b[d]), static_cast<uint16_t>(d + 1), 0, 0, 0});
    }
    token_at.emplace_back(path.back(), id);
    max_depth_ = std::max(max_depth_, static_cast<int>(b.size()));
    prev = &b;
  }
  while (!path.empty()) {
    nodes_[path.back()].subtree_end = static_cast<uint32_t>(nodes_.size());
    path.pop_back();
  }
  // token_at is grouped by node already (equal keys are adjacent).
  for (size_t i = 0; i < token_at.size();) {
    const uint32_t node = token_at[i].first;
    nodes_[node].first_token = static_cast<uint32_t>(node_tokens_.size());
    for (; i < token_at.size() && token_at[i].first == node; ++i) node_tokens_.push_back(token_at[i].second);
    nodes_[node].n_tokens = static_cast<uint32_t>(node_tokens_.size()) - nodes_[node].first_token;
  }
}

std::string_view TokenTrie::token_bytes(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= bytes_.size()) return {};
  return bytes_[id];
}

}  // namespace zhi
