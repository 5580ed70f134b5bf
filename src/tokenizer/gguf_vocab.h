// Builds the tokenizer from a GGUF file's tokenizer.ggml.* metadata.
#pragma once

#include "core/status.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_data.h"

namespace zhi {

// Reads tokenizer.ggml.{model,pre,tokens,token_type,merges,bos_token_id,
// eos_token_id,padding_token_id}. Errors name the file and the key.
Result<VocabData> vocab_from_gguf(const GgufFile& file);
Result<Tokenizer> tokenizer_from_gguf(const GgufFile& file);

}  // namespace zhi
