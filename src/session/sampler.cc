#include "session/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace zhi {
namespace {

std::string num(double v) {
  std::string s = std::to_string(v);
  // to_string pads to 6 decimals; trim so messages read "1.5", not "1.500000".
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

Status field_error(const char* field, const char* rule, double got) {
  return invalid_argument(std::string(field) + ": must be " + rule + ", got " + num(got));
}

// Higher logit first; the lower id wins ties. A strict total order (NaN is removed
// before sorting), so every standard library produces the same arrangement.
bool higher(const TokenCandidate& a, const TokenCandidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

// Largest non-NaN value of p[0, n), or -inf. Eight independent lanes break the
// compare-select dependency chain (one long chain is ~4 cycles a token; this vectorizes),
// and `v > m ? v : m` is exactly what maxps computes, NaN included, so no fast-math is
// needed for the compiler to use it.
float max_of(const float* p, size_t n) {
  constexpr size_t kLanes = 8;
  float m[kLanes];
  for (float& x : m) x = -std::numeric_limits<float>::infinity();
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) m[j] = p[i + j] > m[j] ? p[i + j] : m[j];
  }
  for (; i < n; ++i) m[0] = p[i] > m[0] ? p[i] : m[0];
  float best = m[0];
  for (size_t j = 1; j < kLanes; ++j) best = m[j] > best ? m[j] : best;
  return best;
}

}  // namespace

Status SamplerConfig::validate() const {
  if (!std::isfinite(temperature)) return field_error("temperature", "finite", temperature);
  if (top_k < 0) return field_error("top_k", ">= 0 (0 turns it off)", top_k);
  if (!(top_p > 0.0f && top_p <= 1.0f)) return field_error("top_p", "in (0, 1]", top_p);
  if (!(min_p >= 0.0f && min_p <= 1.0f)) return field_error("min_p", "in [0, 1]", min_p);
  if (!(repeat_penalty > 0.0f) || !std::isfinite(repeat_penalty)) {
    return field_error("repeat_penalty", "finite and > 0 (1 turns it off)", repeat_penalty);
  }
  if (repeat_last_n < -1) return field_error("repeat_last_n", ">= -1 (-1: all tokens)", repeat_last_n);
  if (!(presence_penalty >= -2.0f && presence_penalty <= 2.0f)) {
    return field_error("presence_penalty", "in [-2, 2]", presence_penalty);
  }
  if (!(frequency_penalty >= -2.0f && frequency_penalty <= 2.0f)) {
    return field_error("frequency_penalty", "in [-2, 2]", frequency_penalty);
  }
  return Status::ok_status();
}

Result<Sampler> Sampler::create(const SamplerConfig& config, int32_t vocab_size) {
  ZHI_RETURN_IF_ERROR(config.validate());
  if (vocab_size <= 0) return invalid_argument("vocab_size: must be > 0, got " + std::to_string(vocab_size));
  return Sampler(config, vocab_size);
}

Sampler::Sampler(const SamplerConfig& config, int32_t vocab_size)
    : config_(config), vocab_size_(vocab_size), rng_(config.seed) {
  const auto n = static_cast<size_t>(vocab_size);
  candidates_.resize(n);
  if (penalties_enabled()) {
    penalized_.resize(n);
    counts_.assign(n, 0);
    distinct_index_.assign(n, -1);
    size_t max_distinct = n;
    if (config_.repeat_last_n > 0) {
      ring_.resize(static_cast<size_t>(config_.repeat_last_n));
      max_distinct = std::min(max_distinct, ring_.size());
    }
    distinct_.reserve(max_distinct);
  }
}

bool Sampler::penalties_enabled() const {
  return config_.repeat_last_n != 0 &&
         (config_.repeat_penalty != 1.0f || config_.presence_penalty != 0.0f ||
          config_.frequency_penalty != 0.0f);
}

void Sampler::reset() {
  for (const int32_t t : distinct_) {
    counts_[static_cast<size_t>(t)] = 0;
    distinct_index_[static_cast<size_t>(t)] = -1;
  }
  distinct_.clear();
  ring_head_ = 0;
  ring_size_ = 0;
  rng_.seed(config_.seed);
  n_candidates_ = 0;
}

Status Sampler::accept(int32_t token) {
  if (token < 0 || token >= vocab_size_) {
    return invalid_argument("token: id " + std::to_string(token) + " outside vocabulary of " +
                            std::to_string(vocab_size_));
  }
  if (!penalties_enabled()) return Status::ok_status();

  const auto add = [this](int32_t t, int32_t delta) {
    const auto i = static_cast<size_t>(t);
    counts_[i] += delta;
    if (delta > 0 && counts_[i] == 1) {
      distinct_index_[i] = static_cast<int32_t>(distinct_.size());
      distinct_.push_back(t);
    } else if (delta < 0 && counts_[i] == 0) {
      // Swap-remove keeps removal O(1); order in distinct_ does not matter.
      const auto at = static_cast<size_t>(distinct_index_[i]);
      distinct_[at] = distinct_.back();
      distinct_index_[static_cast<size_t>(distinct_[at])] = static_cast<int32_t>(at);
      distinct_.pop_back();
      distinct_index_[i] = -1;
    }
  };

  if (!ring_.empty()) {
    if (ring_size_ == ring_.size()) {
      add(ring_[ring_head_], -1);  // the oldest token leaves the window
    } else {
      ++ring_size_;
    }
    ring_[ring_head_] = token;
    ring_head_ = (ring_head_ + 1) % ring_.size();
  }
  add(token, +1);
  return Status::ok_status();
}

const float* Sampler::penalized(std::span<const float> logits) {
  if (!penalties_enabled() || distinct_.empty()) return logits.data();
  std::copy(logits.begin(), logits.end(), penalized_.begin());
  const float rp = config_.repeat_penalty;
  for (const int32_t t : distinct_) {
    float& logit = penalized_[static_cast<size_t>(t)];
    if (rp != 1.0f) logit = logit > 0.0f ? logit / rp : logit * rp;
    const auto count = static_cast<float>(counts_[static_cast<size_t>(t)]);
    logit -= count * config_.frequency_penalty + config_.presence_penalty;
  }
  return penalized_.data();
}

double Sampler::next_uniform() {
  // The top 53 bits fill a double's mantissa exactly: uniform on [0, 1) in steps of 2^-53.
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

int32_t Sampler::argmax(const float* logits) const {
  // Block maxima first (branch-free, several independent lanes), then a scan of the one
  // block that holds the max. Strict '>' between blocks and the first equal element inside
  // give the lowest id among ties; NaN never compares greater or equal.
  constexpr size_t kBlock = 256;
  const auto n = static_cast<size_t>(vocab_size_);
  float best = -std::numeric_limits<float>::infinity();
  size_t best_block = n;
  for (size_t start = 0; start < n; start += kBlock) {
    const float m = max_of(logits + start, std::min(kBlock, n - start));
    if (m > best) {
      best = m;
      best_block = start;
    }
  }
  if (best_block < n) {
    for (size_t i = best_block; i < n; ++i) {
      if (logits[i] == best) return static_cast<int32_t>(i);
    }
  }
  // Nothing above -inf: the lowest id that is not NaN, else 0.
  for (size_t i = 0; i < n; ++i) {
    if (!std::isnan(logits[i])) return static_cast<int32_t>(i);
  }
  return 0;
}

int32_t Sampler::pick_greedy() {
  size_t best = 0;
  for (size_t i = 1; i < n_candidates_; ++i) {
    // Candidates are in id order or sorted with lower ids first among equals, so strict
    // '>' keeps the lowest id.
    if (candidates_[i].logit > candidates_[best].logit) best = i;
  }
  candidates_[0] = TokenCandidate{candidates_[best].id, candidates_[best].logit, 1.0f};
  n_candidates_ = 1;
  return candidates_[0].id;
}

void Sampler::gather_all(const float* logits) {
  const float neg_inf = -std::numeric_limits<float>::infinity();
  for (int32_t i = 0; i < vocab_size_; ++i) {
    const float l = logits[i];
    candidates_[static_cast<size_t>(i)] = TokenCandidate{i, std::isnan(l) ? neg_inf : l, 0.0f};
  }
  n_candidates_ = static_cast<size_t>(vocab_size_);
}

void Sampler::gather_top_k(const float* logits, size_t k) {
  // One pass with a rising bar: collect up to 2k contenders, then cut them to the best k
  // (nth_element, O(k)) and raise the bar to the k-th logit. Once the bar is high, almost
  // every token costs one compare, which beats a k-heap over the whole vocabulary. A
  // later token equal to the bar has a higher id than the k-th, so it loses the tie.
  TokenCandidate* const buf = candidates_.data();
  const size_t cap = 2 * k;  // caller guarantees cap <= vocab_size
  size_t count = 0;
  bool cut = false;
  float bar = -std::numeric_limits<float>::infinity();
  constexpr int32_t kBlock = 32;  // whole blocks below the bar are skipped on their max
  for (int32_t start = 0; start < vocab_size_; start += kBlock) {
    const int32_t end = std::min(vocab_size_, start + kBlock);
    if (cut && !(max_of(logits + start, static_cast<size_t>(end - start)) > bar)) continue;
    for (int32_t i = start; i < end; ++i) {
      const float l = logits[i];
      if (cut ? !(l > bar) : std::isnan(l)) continue;
      buf[count++] = TokenCandidate{i, l, 0.0f};
      if (count == cap) {
        std::nth_element(buf, buf + (k - 1), buf + count, higher);
        bar = buf[k - 1].logit;
        count = k;
        cut = true;
      }
    }
  }
  const size_t n = std::min(k, count);
  std::partial_sort(buf, buf + n, buf + count, higher);
  n_candidates_ = n;
}

int32_t Sampler::pick_random(const float* logits) {
  TokenCandidate* const c = candidates_.data();
  bool sorted = false;
  const auto k = static_cast<size_t>(config_.top_k);
  if (k > 0 && 2 * k <= static_cast<size_t>(vocab_size_)) {
    gather_top_k(logits, k);
    sorted = true;
    if (n_candidates_ == 0) gather_all(logits);  // every logit NaN
  } else {
    gather_all(logits);
    if (k > 0 && k < n_candidates_) {
      std::partial_sort(c, c + k, c + n_candidates_, higher);
      n_candidates_ = k;
      sorted = true;
    }
  }
  size_t n = n_candidates_;

  float max_logit = sorted ? c[0].logit : -std::numeric_limits<float>::infinity();
  if (!sorted) {
    for (size_t i = 0; i < n; ++i) max_logit = std::max(max_logit, c[i].logit);
  }
  // All -inf (everything masked) or a +inf logit: no distribution to draw from.
  if (!std::isfinite(max_logit)) {
    n_candidates_ = n;
    return pick_greedy();
  }

  const bool use_top_p = config_.top_p < 1.0f;
  const bool use_min_p = config_.min_p > 0.0f;
  // top-p normalizes over everything top-k left, so take the sum before min-p shrinks it.
  double top_p_norm = 0.0;
  if (use_top_p) {
    for (size_t i = 0; i < n; ++i) top_p_norm += std::exp(c[i].logit - max_logit);
  }
  if (use_min_p) {
    // p_i >= min_p * p_max  <=>  logit_i >= max_logit + log(min_p). Both top-p and min-p
    // keep a highest-first prefix, so applying min-p first (cheap, no sort) and top-p after
    // keeps the same set as the llama.cpp order while sorting far fewer tokens.
    const float min_logit = max_logit + std::log(config_.min_p);
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i) {
      if (c[i].logit >= min_logit) c[kept++] = c[i];  // stable: order is preserved
    }
    n = kept;  // never 0: the max itself passes
  }
  if (use_top_p) {
    const double target = static_cast<double>(config_.top_p) * top_p_norm;
    double cum = 0.0;
    size_t done = 0;  // c[0, done) is sorted and holds the best `done` candidates
    // Unsorted (no top-k, wide min-p or none): sort only as far as the mass requires,
    // growing the sorted prefix 4x at a time. Peaked distributions stop after a few
    // hundred tokens instead of sorting the whole vocabulary.
    size_t step = sorted ? n : std::min<size_t>(n, 256);
    while (done < n) {
      const size_t end = std::min(n, step);
      if (!sorted) {
        if (end < n) std::nth_element(c + done, c + end, c + n, higher);
        std::sort(c + done, c + end, higher);
      }
      size_t i = done;
      for (; i < end; ++i) {
        cum += std::exp(c[i].logit - max_logit);
        if (cum >= target) break;
      }
      if (i < end) {
        n = i + 1;
        break;
      }
      done = end;
      step = end * 4;
    }
    sorted = true;
  }

  // Temperature, then softmax over the survivors. Subtracting the max first keeps exp in
  // range; it cancels in the normalization.
  const float inv_temp = 1.0f / config_.temperature;
  if (!std::isfinite(inv_temp)) {  // a denormal temperature: the limit is greedy
    n_candidates_ = n;
    return pick_greedy();
  }
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    c[i].prob = std::exp((c[i].logit - max_logit) * inv_temp);
    sum += c[i].prob;
  }
  const double r = next_uniform() * sum;
  size_t chosen = n - 1;
  double acc = 0.0;
  for (size_t i = 0; i < n; ++i) {
    acc += c[i].prob;
    if (r < acc) {
      chosen = i;
      break;
    }
  }
  // Rounding can leave r >= acc at the end; the last token with weight then takes it.
  while (chosen > 0 && c[chosen].prob == 0.0f) --chosen;
  const auto inv_sum = static_cast<float>(1.0 / sum);
  for (size_t i = 0; i < n; ++i) c[i].prob *= inv_sum;
  n_candidates_ = n;
  return c[chosen].id;
}

Result<int32_t> Sampler::sample(std::span<const float> logits) {
  if (logits.size() != static_cast<size_t>(vocab_size_)) {
    return invalid_argument("logits: expected " + std::to_string(vocab_size_) + " values, got " +
                            std::to_string(logits.size()));
  }
  const float* const work = penalized(logits);
  if (config_.is_greedy()) {
    const int32_t id = argmax(work);
    candidates_[0] = TokenCandidate{id, work[id], 1.0f};
    n_candidates_ = 1;
    return id;
  }
  return pick_random(work);
}

}  // namespace zhi
