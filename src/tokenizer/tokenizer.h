// Qwen2 byte-level BPE tokenizer: NFC, the Qwen2 pre-tokenizer, then BPE
// over bytes. Built from a VocabData, a GGUF file (gguf_vocab.h) or a
// Hugging Face tokenizer.json. Immutable once built and safe to share
// between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tokenizer/vocab_data.h"

namespace zhi {

class Tokenizer {
 public:
  // Checks the vocabulary (types match tokens, every merge names known
  // tokens and yields a known token, all 256 byte tokens exist, special ids
  // in range) and builds the lookup tables.
  static Result<Tokenizer> from_vocab(VocabData vocab);
  // A Hugging Face tokenizer.json (model.type BPE). It names no bos/eos, so
  // eos_id and pad_id are <|endoftext|> when the vocabulary has it.
  static Result<Tokenizer> from_hf_json_file(const std::string& path);
  static Result<Tokenizer> from_hf_json(std::string_view json_text, const std::string& source = "tokenizer.json");

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Text -> token ids. With parse_special, the text of control and
  // user-defined tokens (<|im_start|>, <tool_call>, ...) becomes those
  // tokens; without it, such text is ordinary text, so what a user typed can
  // never forge a turn. Any bytes are accepted; invalid UTF-8 is encoded
  // byte for byte.
  std::vector<int32_t> encode(std::string_view text, bool parse_special) const;
  void encode_append(std::string_view text, bool parse_special, std::vector<int32_t>* out) const;

  // Token ids -> the bytes they stand for, concatenated (possibly invalid
  // UTF-8 when a character is split across the ids). Specials render as
  // their text. An id out of range is an error naming it.
  Result<std::string> decode(std::span<const int32_t> ids) const;

  // The bytes of one token; empty for an id out of range.
  const std::string& token_bytes(int32_t id) const;
  // The token's text as stored in the vocabulary ("Ġthe"); empty when out of range.
  const std::string& token_text(int32_t id) const;
  // Looks a token up by its stored text ("<|im_end|>", "Ġthe").
  std::optional<int32_t> find_token(std::string_view text) const;

  int32_t n_vocab() const;
  bool valid_id(int32_t id) const { return id >= 0 && id < n_vocab(); }
  TokenType token_type(int32_t id) const;  // kUnused when out of range
  bool is_control(int32_t id) const { return token_type(id) == TokenType::kControl; }
  // Control or user-defined: text that only parse_special turns into a token.
  bool is_special(int32_t id) const;

  int32_t bos_id() const;
  int32_t eos_id() const;
  int32_t pad_id() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  void encode_ordinary(std::string_view text, std::vector<int32_t>* out) const;

  std::unique_ptr<Impl> impl_;
};

}  // namespace zhi
