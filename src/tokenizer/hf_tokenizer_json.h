// Reads the vocabulary of a Hugging Face tokenizer.json (BPE model):
// model.vocab, model.merges ("a b" strings or ["a", "b"] pairs) and
// added_tokens (special -> control, otherwise user-defined).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "tokenizer/vocab_data.h"

namespace zhi {

// `source` names the document in error messages (usually its path).
Result<VocabData> vocab_from_hf_json(std::string_view json_text, const std::string& source);

}  // namespace zhi
