#include "tokenizer/gguf_vocab.h"

#include <string>

namespace zhi {
namespace {

constexpr const char* kModelKey = "tokenizer.ggml.model";
constexpr const char* kPreKey = "tokenizer.ggml.pre";
constexpr const char* kTokensKey = "tokenizer.ggml.tokens";
constexpr const char* kTypesKey = "tokenizer.ggml.token_type";
constexpr const char* kMergesKey = "tokenizer.ggml.merges";

// An optional id key: kNoToken when absent.
Result<int32_t> optional_id(const GgufFile& file, const char* key, size_t n_vocab) {
  if (!file.has(key)) return kNoToken;
  ZHI_ASSIGN_OR_RETURN(const int64_t id, file.get_int(key));
  if (id < 0 || static_cast<uint64_t>(id) >= n_vocab) {
    return corrupt_file("metadata key '" + std::string(key) + "' = " + std::to_string(id) + " is outside the " +
                        std::to_string(n_vocab) + "-token vocabulary");
  }
  return static_cast<int32_t>(id);
}

Result<VocabData> read_vocab(const GgufFile& file) {
  ZHI_ASSIGN_OR_RETURN(const std::string model, file.get_string(kModelKey));
  if (model != "gpt2") {
    return unsupported("metadata key '" + std::string(kModelKey) + "' is '" + model +
                       "'; only 'gpt2' (byte-level BPE) is supported");
  }
  // Older files have no pre-tokenizer name; this engine's default is Qwen2's.
  if (file.has(kPreKey)) {
    ZHI_ASSIGN_OR_RETURN(const std::string pre, file.get_string(kPreKey));
    if (pre != "qwen2" && pre != "default") {
      return unsupported("metadata key '" + std::string(kPreKey) + "' is '" + pre + "'; only 'qwen2' is supported");
    }
  }

  VocabData vocab;
  ZHI_ASSIGN_OR_RETURN(const std::vector<std::string_view> tokens, file.get_string_array(kTokensKey));
  if (tokens.empty()) return corrupt_file("metadata key '" + std::string(kTokensKey) + "' is empty");
  vocab.tokens.assign(tokens.begin(), tokens.end());

  ZHI_ASSIGN_OR_RETURN(const std::vector<int64_t> types, file.get_int_array(kTypesKey));
  if (types.size() != tokens.size()) {
    return corrupt_file("metadata key '" + std::string(kTypesKey) + "' has " + std::to_string(types.size()) +
                        " entries for " + std::to_string(tokens.size()) + " tokens");
  }
  vocab.token_types.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] < static_cast<int64_t>(TokenType::kNormal) || types[i] > static_cast<int64_t>(TokenType::kByte)) {
      return corrupt_file("metadata key '" + std::string(kTypesKey) + "'[" + std::to_string(i) + "] = " +
                          std::to_string(types[i]) + " is not a token type (1..6)");
    }
    vocab.token_types.push_back(static_cast<TokenType>(types[i]));
  }

  ZHI_ASSIGN_OR_RETURN(const std::vector<std::string_view> merges, file.get_string_array(kMergesKey));
  vocab.merges.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string_view m = merges[i];
    // Byte-level tokens never hold a raw space (it is stored as 'Ġ'), so
    // exactly one space separates the two halves.
    const size_t space = m.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == m.size() ||
        m.find(' ', space + 1) != std::string_view::npos) {
      return corrupt_file("metadata key '" + std::string(kMergesKey) + "'[" + std::to_string(i) + "] = '" +
                          std::string(m) + "' is not two tokens separated by one space");
    }
    vocab.merges.emplace_back(std::string(m.substr(0, space)), std::string(m.substr(space + 1)));
  }

  ZHI_ASSIGN_OR_RETURN(vocab.bos_id, optional_id(file, "tokenizer.ggml.bos_token_id", tokens.size()));
  ZHI_ASSIGN_OR_RETURN(vocab.eos_id, optional_id(file, "tokenizer.ggml.eos_token_id", tokens.size()));
  ZHI_ASSIGN_OR_RETURN(vocab.pad_id, optional_id(file, "tokenizer.ggml.padding_token_id", tokens.size()));
  return vocab;
}

}  // namespace

Result<VocabData> vocab_from_gguf(const GgufFile& file) {
  Result<VocabData> v = read_vocab(file);
  if (!v.ok()) return v.status().with_context(file.path());
  return v;
}

Result<Tokenizer> tokenizer_from_gguf(const GgufFile& file) {
  ZHI_ASSIGN_OR_RETURN(VocabData vocab, vocab_from_gguf(file));
  Result<Tokenizer> tok = Tokenizer::from_vocab(std::move(vocab));
  if (!tok.ok()) return tok.status().with_context(file.path());
  return tok;
}

}  // namespace zhi
