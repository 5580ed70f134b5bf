#include "golden.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace zhi::testing {

// Tolerances from ../shared/conformance/README.md.
constexpr float kLogitRangeFraction = 0.02f;
constexpr float kMarginForCertainty = 0.25f;

std::vector<GoldenCase> load_golden(const std::string& path) {
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::vector<GoldenCase> cases;
  if (!j.is_array()) return cases;
  for (const auto& c : j) {
    GoldenCase g;
    g.prompt = c.at("prompt").get<std::vector<int32_t>>();
    for (const auto& pos : c.at("top5")) {
      std::vector<std::pair<int32_t, float>> row;
      for (const auto& e : pos) row.emplace_back(e[0].get<int32_t>(), e[1].get<float>());
      g.top5.push_back(row);
    }
    g.last_logits = c.at("last_logits").get<std::vector<float>>();
    g.greedy = c.at("greedy16").get<std::vector<int32_t>>();
    g.greedy_margin = c.at("greedy16_margin").get<std::vector<float>>();
    cases.push_back(std::move(g));
  }
  return cases;
}

int32_t argmax(const float* v, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return static_cast<int32_t>(best);
}

std::string compare_prompt_logits(const GoldenCase& g, const std::vector<float>& logits, int64_t n_vocab) {
  std::ostringstream err;
  const int64_t n = static_cast<int64_t>(g.prompt.size());
  if (static_cast<int64_t>(logits.size()) != n * n_vocab) return "wrong logits size";
  for (int64_t p = 0; p < n; ++p) {
    const auto& ref = g.top5[p];
    if (ref[0].second - ref[1].second <= kMarginForCertainty) continue;
    const int32_t ours = argmax(&logits[p * n_vocab], n_vocab);
    if (ours != ref[0].first) err << "position " << p << ": top-1 " << ours << ", reference " << ref[0].first << "\n";
  }
  float lo = g.last_logits[0], hi = g.last_logits[0];
  for (float v : g.last_logits) lo = std::min(lo, v), hi = std::max(hi, v);
  const float tol = kLogitRangeFraction * (hi - lo);
  const float* last = &logits[(n - 1) * n_vocab];
  float worst = 0;
  int64_t worst_i = 0;
  for (int64_t i = 0; i < n_vocab; ++i) {
    const float diff = std::fabs(last[i] - g.last_logits[i]);
    if (diff > worst) worst = diff, worst_i = i;
  }
  if (worst > tol)
    err << "last_logits: max |diff| " << worst << " at id " << worst_i << " exceeds " << tol << "\n";
  return err.str();
}

std::string compare_greedy(const GoldenCase& g, const std::vector<int32_t>& tokens) {
  std::ostringstream err;
  for (size_t i = 0; i < g.greedy.size(); ++i) {
    if (i >= tokens.size()) {
      err << "only " << tokens.size() << " tokens generated";
      break;
    }
    // A near-tie may go either way; after it the sequences may drift apart.
    if (g.greedy_margin[i] < kMarginForCertainty) break;
    if (tokens[i] != g.greedy[i]) {
      err << "step " << i << ": " << tokens[i] << ", reference " << g.greedy[i];
      break;
    }
  }
  return err.str();
}

}  // namespace zhi::testing
