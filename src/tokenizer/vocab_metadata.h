// Writing a vocabulary into GGUF metadata (tokenizer.ggml.*), and the
// synthetic Qwen-shaped vocabulary used when no real one is supplied.
#pragma once

#include <cstdint>

#include "gguf/gguf_writer.h"
#include "tokenizer/vocab_data.h"

namespace zhi {

// Sets tokenizer.ggml.{model,pre,tokens,token_type,merges,*_token_id} and add_bos_token.
void add_vocab_metadata(const VocabData& vocab, GgufWriter& writer);

// A byte-level BPE vocabulary of exactly n_vocab entries: the 256 byte
// tokens, merges of printable ASCII pairs, Qwen2.5's special tokens (at
// their real ids when n_vocab is Qwen-sized, else right after the merges)
// and unused padding. Real text tokenizes with it; the ids mean nothing.
VocabData synthetic_qwen_vocab(int32_t n_vocab);

// Pads a real vocabulary with unused [PADn] tokens up to n_vocab entries,
// as published Qwen files do (151,665 tokens padded to 151,936 rows).
void pad_vocab(VocabData& vocab, int32_t n_vocab);

}  // namespace zhi
