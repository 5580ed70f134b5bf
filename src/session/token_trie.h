// The vocabulary as a byte trie, for computing which tokens a grammar allows
// next: one walk visits each shared prefix once and skips a whole subtree as
// soon as its prefix is rejected. Built once per model, read-only after.
//
// Only ordinary tokens (normal and byte tokens) are in the trie. Control and
// user-defined tokens (<|im_end|>, <tool_call>) are never grammar text; the
// caller allows them explicitly where they belong.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zhi {

class Tokenizer;

class TokenTrie {
 public:
  // Nodes in depth-first preorder; the root is implicit (depth 0).
  struct Node {
    uint8_t byte;          // the edge from the parent
    uint16_t depth;        // 1 for children of the root
    uint32_t subtree_end;  // index one past this node's last descendant
    uint32_t first_token;  // tokens ending here: node_tokens()[first_token, first_token + n_tokens)
    uint32_t n_tokens;
  };

  TokenTrie(const Tokenizer& tokenizer, int64_t n_vocab);
  // A trie over the same tokens with each byte replaced by `byte_class[byte]`
  // (grammar_matcher: bytes no grammar rule tells apart share a class, so
  // far fewer nodes remain to walk).
  TokenTrie(const TokenTrie& bytes, const std::array<uint8_t, 256>& byte_class);

  int64_t n_vocab() const { return n_vocab_; }
  size_t mask_words() const { return static_cast<size_t>((n_vocab_ + 63) / 64); }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<int32_t>& node_tokens() const { return node_tokens_; }
  int max_depth() const { return max_depth_; }
  bool in_trie(int32_t id) const { return id >= 0 && id < n_vocab_ && in_trie_[id]; }
  // The token's bytes ("" for tokens outside the trie, and in a class trie).
  std::string_view token_bytes(int32_t id) const;

 private:
  // Builds nodes from (key, id) pairs sorted by key, then id.
  void build(const std::vector<std::pair<std::string, int32_t>>& sorted);

  int64_t n_vocab_;
  std::vector<Node> nodes_;
  std::vector<int32_t> node_tokens_;
  std::vector<uint8_t> in_trie_;
  std::vector<std::string> bytes_;
  int max_depth_ = 0;
};

}  // namespace zhi
