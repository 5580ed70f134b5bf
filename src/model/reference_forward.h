// The correctness oracle: a plain forward pass in F32 over dequantized
// weights, one token at a time, readable top to bottom (after llama2.c).
// It shares nothing with the fast path but the weight mapping, so later
// optimisations are checked against it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "model/qwen2_model.h"

namespace zhi {

// Logits for every position of `tokens`: (tokens.size(), n_vocab), row-major.
Result<std::vector<float>> reference_logits(const Qwen2Model& model, std::span<const int32_t> tokens);

}  // namespace zhi
