// A term as the matcher sees it: its word characters after folding, plus
// where the term itself had spaces ("gift card"), so a multi-word term still
// matches across its own spaces while "the rapist" never matches "therapist".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "compliance/fold_table.h"
#include "core/status.h"

namespace zhi::compliance {

// Longest term, in word characters after folding. Bounds the matcher's
// look-behind window and the streaming hold-back.
constexpr size_t kMaxTermChars = 64;

struct FoldedTerm {
  std::u32string chars;
  uint64_t space_before = 0;  // bit i: white space between chars[i-1] and chars[i]
  bool alpha = false;         // has a character of a space-separated script
};

// Fails (kInvalidArgument, no location: the caller adds file and line) when the
// term folds to nothing, is longer than kMaxTermChars, or is not UTF-8.
Result<FoldedTerm> fold_term(const FoldTable& table, std::string_view term);

}  // namespace zhi::compliance
