// The decode loop: prefill a prompt, then sample token by token, streaming
// whole UTF-8 text and stopping at end-of-turn tokens or stop strings.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/qwen2_context.h"
#include "session/loaded_model.h"
#include "session/sampler.h"

namespace zhi {

struct GenerateOptions {
  int64_t max_tokens = 256;  // -1: until the context is full
  SamplerConfig sampler;
  std::vector<std::string> stop_strings;
  // Leading prompt tokens that ctx already holds as its last positions (a
  // prompt cache hit): only the rest is evaluated; the sampler sees them all.
  int64_t prompt_cached = 0;
};

enum class StopReason { kEndOfTurn, kStopString, kMaxTokens, kContextFull, kCancelled };
const char* stop_reason_name(StopReason r);

struct GenerateStats {
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
  double prompt_seconds = 0;
  double generate_seconds = 0;
  StopReason stop_reason = StopReason::kMaxTokens;
  std::vector<int32_t> tokens;  // generated ids, the end-of-turn token excluded

  double prompt_tps() const { return prompt_seconds > 0 ? prompt_tokens / prompt_seconds : 0; }
  double generate_tps() const { return generate_seconds > 0 ? generated_tokens / generate_seconds : 0; }
};

// Receives text as it becomes final. Returning false cancels generation.
using TextSink = std::function<bool(std::string_view text)>;

// Evaluates `prompt` after whatever `ctx` already holds, then generates.
Result<GenerateStats> generate(Qwen2Context& ctx, const LoadedModel& lm, std::span<const int32_t> prompt,
                               const GenerateOptions& options, const TextSink& sink);

}  // namespace zhi
