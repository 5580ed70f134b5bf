// Turns a stream of token ids into text that is always valid UTF-8: a
// character whose bytes are split across tokens is held back until it is
// complete, and bytes that can never form a character become U+FFFD.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace zhi {

class Tokenizer;

class StreamDecoder {
 public:
  // The tokenizer must outlive the decoder.
  explicit StreamDecoder(const Tokenizer& tokenizer) : tokenizer_(&tokenizer) {}

  // Appends the token's bytes and returns the text that is now complete
  // (possibly empty). An id out of range is an error and changes nothing.
  Result<std::string> push(int32_t id);
  // Returns whatever is still held back, an unfinished character becoming
  // U+FFFD, and starts afresh.
  std::string flush();
  // Drops anything held back.
  void reset() { pending_.clear(); }
  // Bytes held back (at most 3).
  size_t pending_bytes() const { return pending_.size(); }

 private:
  const Tokenizer* tokenizer_;
  std::string pending_;
};

}  // namespace zhi
