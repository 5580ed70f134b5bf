// Splits text that does not fit one model call into consecutive chunks of at
// most a token budget, preferring paragraph, then line, then sentence, then
// character boundaries. The chunks tile the text: concatenated they are the
// input, byte for byte, so nothing is dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "zhi/errors.hpp"

namespace zhi::features {

struct Chunk {
  size_t begin = 0;  // byte offsets into the text
  size_t end = 0;
};

using TokenCounter = std::function<int64_t(std::string_view)>;

// kInvalidArgument when budget < 1. A single character longer than the
// budget (impossible for real tokenizers with budgets > 4) becomes its own chunk.
Expected<std::vector<Chunk>> split_into_chunks(std::string_view text, int64_t budget_tokens,
                                               const TokenCounter& count_tokens);

}  // namespace zhi::features
