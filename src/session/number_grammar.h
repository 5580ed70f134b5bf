// Grammar sequences that match exactly the decimal forms of the integers in
// a range: no leading zeros, no "-0". The classic construction splits the
// range by digit count, then each same-length range by its first digit, so
// e.g. [17, 342] becomes 1[7-9] | [2-9][0-9] | [1-2][0-9][0-9] | 3[0-3][0-9] | 34[0-2].
#pragma once

#include <cstdint>
#include <vector>

#include "session/grammar.h"

namespace zhi {

// Integers in [lo, hi]; empty when lo > hi.
std::vector<GrammarBuilder::Seq> integer_range_sequences(int64_t lo, int64_t hi);

// Non-negative integers in [lo, hi], as unsigned magnitudes.
std::vector<GrammarBuilder::Seq> magnitude_range_sequences(uint64_t lo, uint64_t hi);

}  // namespace zhi
