// Applying a token bitmask to logits: banned tokens become -inf, so the
// sampler's top-k/top-p/min-p act on the constrained distribution.
#pragma once

#include <cstdint>
#include <vector>

namespace zhi {

// out[i] = logits[i] where bit i of `bits` is set, else -inf (i < n_vocab).
// Returns whether any token survived.
bool apply_token_mask(const float* logits, const std::vector<uint64_t>& bits, int64_t n_vocab, float* out);

}  // namespace zhi
