// A byte-level BPE vocabulary as stored in a model file, before any index is
// built. Filled from GGUF metadata (gguf_vocab.h) or a Hugging Face
// tokenizer.json (hf_tokenizer_json.h), then handed to Tokenizer::from_vocab.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace zhi {

// Values as in GGUF's tokenizer.ggml.token_type.
enum class TokenType : int32_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // <|im_start|>, <|endoftext|>: matched only when asked, never made by BPE
  kUserDefined = 4,  // <tool_call>: likewise
  kUnused = 5,
  kByte = 6,
};

inline constexpr int32_t kNoToken = -1;

struct VocabData {
  // Token text as the file stores it: byte-level stand-ins ("Ġthe") for
  // ordinary tokens, plain text for control and user-defined ones.
  std::vector<std::string> tokens;
  std::vector<TokenType> token_types;  // same length as tokens
  // (left, right) in priority order: index 0 merges first.
  std::vector<std::pair<std::string, std::string>> merges;
  int32_t bos_id = kNoToken;
  int32_t eos_id = kNoToken;
  int32_t pad_id = kNoToken;
};

}  // namespace zhi
