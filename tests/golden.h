// Loads ../shared/conformance golden files and checks logits against them
// under the tolerances the pack's README defines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zhi::testing {

struct GoldenCase {
  std::vector<int32_t> prompt;
  std::vector<std::vector<std::pair<int32_t, float>>> top5;  // per position
  std::vector<float> last_logits;
  std::vector<int32_t> greedy;
  std::vector<float> greedy_margin;
};

std::vector<GoldenCase> load_golden(const std::string& path);

// Empty when `logits` (n_positions x n_vocab) agrees with the golden case's
// teacher-forced top-1 ids and last-position logits; otherwise what differs.
std::string compare_prompt_logits(const GoldenCase& g, const std::vector<float>& logits, int64_t n_vocab);

// Empty when `tokens` agrees with the golden greedy continuation up to the
// first step whose reference margin is below 0.25.
std::string compare_greedy(const GoldenCase& g, const std::vector<int32_t>& tokens);

int32_t argmax(const float* v, int64_t n);

}  // namespace zhi::testing
