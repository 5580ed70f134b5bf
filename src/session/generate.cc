#include "session/generate.h"

#include <chrono>

#include "session/stop_matcher.h"
#include "tokenizer/stream_decoder.h"

namespace zhi {
namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

const char* stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::kEndOfTurn: return "end_of_turn";
    case StopReason::kStopString: return "stop_string";
    case StopReason::kMaxTokens: return "max_tokens";
    case StopReason::kContextFull: return "context_full";
    case StopReason::kCancelled: return "cancelled";
  }
  return "unknown";
}

Result<GenerateStats> generate(Qwen2Context& ctx, const LoadedModel& lm, std::span<const int32_t> prompt,
                               const GenerateOptions& options, const TextSink& sink) {
  if (prompt.empty()) return invalid_argument("the prompt is empty: nothing to continue from");
  ZHI_RETURN_IF_ERROR(options.sampler.validate());
  ZHI_ASSIGN_OR_RETURN(Sampler sampler, Sampler::create(options.sampler, static_cast<int32_t>(ctx.config().n_vocab)));
  ZHI_ASSIGN_OR_RETURN(StopMatcher stops, StopMatcher::create(options.stop_strings));
  StreamDecoder decoder(*lm.tokenizer);
  GenerateStats stats;
  if (options.prompt_cached < 0 || options.prompt_cached >= static_cast<int64_t>(prompt.size()) ||
      options.prompt_cached > ctx.n_past())
    return invalid_argument("prompt_cached: " + std::to_string(options.prompt_cached) + " of a " +
                            std::to_string(prompt.size()) +
                            "-token prompt (the last token is always evaluated)");
  const auto rest = prompt.subspan(static_cast<size_t>(options.prompt_cached));
  stats.prompt_tokens = static_cast<int64_t>(rest.size());
  for (int32_t id : prompt) ZHI_RETURN_IF_ERROR(sampler.accept(id));

  auto t0 = std::chrono::steady_clock::now();
  ZHI_RETURN_IF_ERROR(ctx.eval(rest));
  stats.prompt_seconds = seconds_since(t0);

  t0 = std::chrono::steady_clock::now();
  const int64_t n_vocab = ctx.config().n_vocab;
  bool cancelled = false;
  auto emit = [&](const std::string& text) {
    if (!text.empty() && sink && !sink(text)) cancelled = true;
  };
  for (;;) {
    if (options.max_tokens >= 0 && stats.generated_tokens >= options.max_tokens) {
      stats.stop_reason = StopReason::kMaxTokens;
      break;
    }
    ZHI_ASSIGN_OR_RETURN(int32_t next, sampler.sample({ctx.logits(), static_cast<size_t>(n_vocab)}));
    if (lm.is_end_of_generation(next)) {
      stats.stop_reason = StopReason::kEndOfTurn;
      break;
    }
    ZHI_RETURN_IF_ERROR(sampler.accept(next));
    stats.tokens.push_back(next);
    ++stats.generated_tokens;
    // Control tokens (<|im_start|>, ...) and ids past the tokenizer (padding
    // rows of the embedding) are not text; <tool_call> and other user-defined
    // tokens are, and reach the caller.
    std::string piece;
    if (lm.tokenizer->valid_id(next) && !lm.tokenizer->is_control(next)) {
      ZHI_ASSIGN_OR_RETURN(piece, decoder.push(next));
    }
    StopStep step = stops.push(piece);
    emit(step.text);
    if (step.stopped) {
      stats.stop_reason = StopReason::kStopString;
      break;
    }
    if (cancelled) {
      stats.stop_reason = StopReason::kCancelled;
      break;
    }
    if (ctx.n_past() >= ctx.n_ctx()) {
      stats.stop_reason = StopReason::kContextFull;
      break;
    }
    ZHI_RETURN_IF_ERROR(ctx.eval({&next, 1}));
  }
  if (stats.stop_reason != StopReason::kStopString) {
    StopStep tail = stops.push(decoder.flush());
    emit(tail.text);
    if (!tail.stopped) emit(stops.finish());
  }
  stats.generate_seconds = seconds_since(t0);
  return stats;
}

}  // namespace zhi
