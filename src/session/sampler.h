// Picks the next token from a vector of logits.
//
// The chain follows llama.cpp's default order, so users who tune --temp/--top-k/--top-p
// get what they expect from it:
//
//   penalties -> top-k -> top-p -> min-p -> temperature -> draw
//
// - penalties: for every token seen among the last `repeat_last_n` accepted tokens,
//   logit /= repeat_penalty when positive, *= repeat_penalty when negative (llama.cpp,
//   CTRL-style); then logit -= count * frequency_penalty + presence_penalty (OpenAI
//   semantics, counted over the same window, as llama.cpp does).
// - top-k keeps the k highest logits; top-p keeps the shortest highest-first prefix whose
//   probability (softmax at temperature 1 over what top-k left) reaches top_p; min-p keeps
//   tokens whose probability is at least min_p times the most likely one's. Both filters
//   therefore see the distribution before temperature, as in llama.cpp.
// - temperature divides the surviving logits; the draw is from their softmax.
// - temperature <= 0 is greedy: the argmax of the penalized logits, lowest id on ties.
//
// Ties are always broken toward the lower token id, so results never depend on the
// standard library's sort. The random stream is std::mt19937_64 (its output is fixed by
// the C++ standard) turned into doubles from raw bits, never through std distributions,
// whose output differs between standard libraries. Given the same logits, seed and
// accepted tokens, draws are the same on every platform whose expf agrees.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "core/status.h"

namespace zhi {

inline constexpr uint64_t kDefaultSamplerSeed = 0x5EED;

struct SamplerConfig {
  float temperature = 0.8f;       // <= 0: greedy
  int32_t top_k = 40;             // 0: off
  float top_p = 0.95f;            // (0, 1]; 1: off
  float min_p = 0.05f;            // [0, 1]; 0: off
  float repeat_penalty = 1.0f;    // > 0; 1: off
  int32_t repeat_last_n = 64;     // window for all penalties; 0: off; -1: since reset
  float presence_penalty = 0.0f;  // [-2, 2], as the OpenAI API allows
  float frequency_penalty = 0.0f; // [-2, 2]
  uint64_t seed = kDefaultSamplerSeed;

  // Names the first field out of range, e.g. "top_p: must be in (0, 1], got 1.5".
  Status validate() const;
  bool is_greedy() const { return temperature <= 0.0f; }
};

// A token still in the running after the filters, with its final probability.
struct TokenCandidate {
  int32_t id;
  float logit;  // after penalties, before temperature
  float prob;   // softmax after temperature over the survivors
};

class Sampler {
 public:
  // All buffers are sized here for `vocab_size`; sample() and accept() do not allocate.
  static Result<Sampler> create(const SamplerConfig& config, int32_t vocab_size);

  // `logits` holds vocab_size values and is not modified. NaN logits never win.
  Result<int32_t> sample(std::span<const float> logits);

  // Records a token (prompt or generated, the caller decides) for the penalties.
  Status accept(int32_t token);

  // Forgets accepted tokens and restarts the random stream from the seed.
  void reset();

  // The survivors of the last sample() and their probabilities; in greedy mode, the
  // chosen token alone. Ordered highest logit first when top-k or top-p ran, else by id.
  // Valid until the next sample().
  std::span<const TokenCandidate> candidates() const { return {candidates_.data(), n_candidates_}; }

  const SamplerConfig& config() const { return config_; }
  int32_t vocab_size() const { return vocab_size_; }

 private:
  Sampler(const SamplerConfig& config, int32_t vocab_size);

  bool penalties_enabled() const;
  // Returns the logits the chain works on: `logits` itself, or a penalized copy.
  const float* penalized(std::span<const float> logits);
  int32_t argmax(const float* logits) const;
  void gather_top_k(const float* logits, size_t k);
  void gather_all(const float* logits);
  int32_t pick_greedy();  // among candidates_[0, n_candidates_)
  int32_t pick_random(const float* logits);
  double next_uniform();  // [0, 1), 53 random bits

  SamplerConfig config_;
  int32_t vocab_size_ = 0;
  std::mt19937_64 rng_;

  std::vector<float> penalized_;             // (vocab_size) when penalties are on
  std::vector<TokenCandidate> candidates_;  // (vocab_size) working set, reused
  size_t n_candidates_ = 0;

  // Penalty window: a ring of the last repeat_last_n accepted tokens, per-token counts in
  // the window, and the distinct tokens with a nonzero count (for O(window) penalties).
  std::vector<int32_t> ring_;                // (repeat_last_n) when repeat_last_n > 0
  size_t ring_head_ = 0;
  size_t ring_size_ = 0;
  std::vector<int32_t> counts_;              // (vocab_size)
  std::vector<int32_t> distinct_;            // tokens with counts_ > 0, any order
  std::vector<int32_t> distinct_index_;      // (vocab_size) position in distinct_, or -1
};

}  // namespace zhi
