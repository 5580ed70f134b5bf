// The JSON Schema each feature's answer is generated against. Every string
// and list is bounded, so an answer always ends within a known size.
#pragma once

#include <nlohmann/json.hpp>

#include "zhi/features.hpp"

namespace zhi::features {

struct SchemaParams {
  size_t input_chars = 0;  // code points of the text this call reads (proofread, rewrite)
  size_t input_bytes = 0;  // its bytes (proofread offsets)
  int max_chars = 80;      // notify-summary
};

nlohmann::ordered_json feature_schema(Feature feature, const SchemaParams& params);

// Tokens to leave free for the answer when sizing input chunks (beyond the
// part that grows with the input for proofread and rewrite).
int64_t answer_reserve_tokens(Feature feature);

}  // namespace zhi::features
