// Proofreading edits checked against the text they claim to edit: offsets
// must hold `original`, edits must not overlap, and applying them must give
// the corrected text. Edits that miss are repaired (found again by their
// text) or dropped; when the rest still does not give the corrected text,
// the edits are rebuilt from a diff of input and corrected text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "zhi/features.hpp"

namespace zhi::features {

struct VerifiedEdits {
  std::vector<Edit> edits;  // sorted, non-overlapping, apply(input, edits) == corrected
  EditCheck check;
};

// `edits` may be in any order with any offsets (they come from a model).
VerifiedEdits verify_edits(std::string_view input, std::string_view corrected,
                           std::vector<Edit> edits);

// Applies sorted, non-overlapping edits whose offsets hold; kInvalidArgument otherwise.
Expected<std::string> apply_edits(std::string_view input, const std::vector<Edit>& edits);

// Minimal edits from `a` to `b` over words (ASCII letter/digit runs) and
// single other characters; offsets into `a`, kind kWordChoice, no reason.
std::vector<Edit> diff_edits(std::string_view a, std::string_view b);

}  // namespace zhi::features
