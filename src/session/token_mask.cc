#include "session/token_mask.h"

#include <algorithm>
#include <limits>

namespace zhi {

bool apply_token_mask(const float* logits, const std::vector<uint64_t>& bits, int64_t n_vocab, float* out) {
  constexpr float kBanned = -std::numeric_limits<float>::infinity();
  bool any = false;
  // One pass, 64 tokens per mask word: whole words copy or fill, mixed words
  // select per bit (branch-free, so the compiler vectorizes it).
  for (size_t w = 0; w < bits.size(); ++w) {
    const int64_t base = static_cast<int64_t>(w) * 64;
    if (base >= n_vocab) break;
    const int64_t n = std::min<int64_t>(64, n_vocab - base);
    const uint64_t word = bits[w];
    any = any || word != 0;
    if (word == 0) {
      std::fill(out + base, out + base + n, kBanned);
    } else if (word == ~uint64_t{0}) {
      std::copy(logits + base, logits + base + n, out + base);
    } else {
      for (int64_t j = 0; j < n; ++j) out[base + j] = ((word >> j) & 1) ? logits[base + j] : kBanned;
    }
  }
  return any;
}

}  // namespace zhi
