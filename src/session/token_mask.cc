#include "session/token_mask.h"

#include <algorithm>
#include <limits>

namespace zhi {

bool apply_token_mask(const float* logits, const std::vector<uint64_t>& bits, int64_t n_vocab, float* out) {
  std::fill(out, out + n_vocab, -std::numeric_limits<float>::infinity());
  bool any = false;
  // Visits set bits only: inside a JSON string most of the vocabulary is
  // allowed, elsewhere a few hundred tokens are.
  for (size_t w = 0; w < bits.size(); ++w) {
    uint64_t word = bits[w];
    any = any || word != 0;
    while (word) {
      const int64_t id = static_cast<int64_t>(w) * 64 + __builtin_ctzll(word);
      if (id < n_vocab) out[id] = logits[id];
      word &= word - 1;
    }
  }
  return any;
}

}  // namespace zhi
