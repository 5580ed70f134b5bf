#include "session/response_turn.h"

#include <algorithm>
#include <limits>

#include "session/api_errors.h"
#include "session/grammar_matcher.h"
#include "session/prefix_cache.h"
#include "session/stop_matcher.h"
#include "session/token_mask.h"
#include "session/tool_grammar.h"
#include "tokenizer/stream_decoder.h"

namespace zhi {
namespace {

constexpr float kBanned = -std::numeric_limits<float>::infinity();

enum class Phase { kAnswer, kToolBody, kAfterCalls };

Error cancelled_error() { return {ErrorCode::kCancelled, "the request was cancelled"}; }

Error context_full(const Qwen2Context& ctx) {
  return Error::context_window_exceeded(ctx.n_ctx() + 1, ctx.n_ctx(),
                                        "the answer did not finish within the context window of " +
                                            std::to_string(ctx.n_ctx()) + " tokens");
}

}  // namespace

Expected<int64_t> sync_prompt(Qwen2Context& ctx, std::vector<int32_t>& evaluated, std::span<const int32_t> prompt,
                              int64_t batch, const std::atomic<bool>* cancel) {
  // Keep the shared prefix, but always evaluate the last prompt token: its logits start the answer.
  int64_t keep = std::min<int64_t>(common_prefix(evaluated, prompt), static_cast<int64_t>(prompt.size()) - 1);
  keep = std::min(keep, ctx.n_past());
  if (Status s = ctx.truncate(keep); !s.ok()) return error_from_status(s);
  evaluated.resize(static_cast<size_t>(keep));
  int64_t done = 0;
  for (int64_t i = keep; i < static_cast<int64_t>(prompt.size()); i += batch) {
    if (cancel && cancel->load(std::memory_order_relaxed)) return cancelled_error();
    const int64_t n = std::min<int64_t>(batch, static_cast<int64_t>(prompt.size()) - i);
    if (Status s = ctx.eval(prompt.subspan(static_cast<size_t>(i), static_cast<size_t>(n))); !s.ok())
      return error_from_status(s);
    evaluated.insert(evaluated.end(), prompt.begin() + i, prompt.begin() + i + n);
    done += n;
  }
  return done;
}

Error emit_answer(const TurnSetup& setup, TurnResult& r, const std::string& text) {
  if (text.empty()) return {};
  r.text += text;
  return setup.emit ? setup.emit(text) : Error{};
}

Error flush_answer(const TurnSetup& setup, TurnResult& r, StreamDecoder& decoder, StopMatcher& stops) {
  StopStep tail = stops.push(decoder.flush());
  ZHI_RETURN_IF_API_ERROR(emit_answer(setup, r, tail.text));
  if (!tail.stopped) ZHI_RETURN_IF_API_ERROR(emit_answer(setup, r, stops.finish()));
  return {};
}

Expected<TurnResult> run_turn(const TurnSetup& s) {
  Qwen2Context& ctx = *s.ctx;
  const LoadedModel& lm = *s.lm;
  const Tokenizer& tok = *lm.tokenizer;
  const int64_t n_vocab = ctx.config().n_vocab;
  const int32_t open_id = tok.find_token("<tool_call>").value_or(-1);
  const int32_t close_id = tok.find_token("</tool_call>").value_or(-1);
  if (s.tool_grammar && (open_id < 0 || close_id < 0))
    return Error(ErrorCode::kInvalidArgument, "this model's vocabulary has no <tool_call> tokens: tools are not supported");

  std::optional<GrammarMatcher> answer, tool_body;
  if (s.answer_grammar) answer.emplace(s.answer_grammar, *s.trie);
  if (s.tool_grammar) tool_body.emplace(s.tool_grammar, *s.trie);
  auto stops = StopMatcher::create(answer ? std::vector<std::string>{} : s.stop);
  if (!stops.ok()) return error_from_status(stops.status());
  StreamDecoder decoder(tok);

  TurnResult r;
  Phase phase = Phase::kAnswer;
  int64_t answer_tokens = 0;
  std::string body;
  std::vector<float> masked(static_cast<size_t>(n_vocab));

  auto emit = [&](const std::string& text) { return emit_answer(s, r, text); };
  auto allow = [&](int32_t id) {
    if (id >= 0 && id < n_vocab) masked[id] = ctx.logits()[id];
  };

  for (;;) {
    if (s.max_tokens >= 0 && r.generated >= s.max_tokens) {
      if (phase == Phase::kToolBody || (phase == Phase::kAnswer && answer && !answer->complete()))
        return Error(ErrorCode::kDecodingFailure, "max_tokens (" + std::to_string(s.max_tokens) +
                                                      ") ran out before the structured output was complete");
      r.finish = FinishReason::kMaxTokens;
      if (phase == Phase::kAnswer) ZHI_RETURN_IF_API_ERROR(flush_answer(s, r, decoder, *stops));
      break;
    }
    const float* logits = ctx.logits();
    const bool must_call = s.require_tool_call && r.calls.empty() && phase == Phase::kAnswer;
    bool any = true;
    if (must_call) {
      std::fill(masked.begin(), masked.end(), kBanned);
      allow(open_id);
    } else if (phase == Phase::kAnswer && !answer) {
      std::copy(logits, logits + n_vocab, masked.begin());
      if (close_id >= 0) masked[close_id] = kBanned;
      if (open_id >= 0 && !(s.tool_grammar && s.allow_tool_calls)) masked[open_id] = kBanned;
    } else if (phase == Phase::kAnswer) {
      any = apply_token_mask(logits, *answer->mask(), n_vocab, masked.data());
      if (answer->complete()) {
        for (int32_t id : lm.end_of_generation) allow(id);
        any = true;
      }
      if (answer_tokens == 0 && s.tool_grammar && s.allow_tool_calls) {
        allow(open_id);
        any = true;
      }
    } else if (phase == Phase::kToolBody) {
      if (tool_body->complete()) {
        std::fill(masked.begin(), masked.end(), kBanned);
        allow(close_id);
      } else {
        any = apply_token_mask(logits, *tool_body->mask(), n_vocab, masked.data());
      }
    } else {  // after tool calls: another call, or the end of the turn
      std::fill(masked.begin(), masked.end(), kBanned);
      if (s.allow_tool_calls) allow(open_id);
      for (int32_t id : lm.end_of_generation) allow(id);
    }
    if (!any) return Error(ErrorCode::kDecodingFailure, "no token of the vocabulary can continue the structured output");

    auto sampled = s.sampler->sample({masked.data(), masked.size()});
    if (!sampled.ok()) return error_from_status(sampled.status());
    const int32_t t = *sampled;
    if (!r.first_token) r.first_token = std::chrono::steady_clock::now();
    if (lm.is_end_of_generation(t)) {
      r.finish = FinishReason::kEndOfTurn;
      if (phase == Phase::kAnswer) ZHI_RETURN_IF_API_ERROR(flush_answer(s, r, decoder, *stops));
      break;
    }
    (void)s.sampler->accept(t);
    ++r.generated;
    bool stop_now = false;
    if ((phase == Phase::kAnswer || phase == Phase::kAfterCalls) && t == open_id) {
      ZHI_RETURN_IF_API_ERROR(flush_answer(s, r, decoder, *stops));
      phase = Phase::kToolBody;
      tool_body->reset();
      body.clear();
    } else if (phase == Phase::kToolBody && t == close_id) {
      auto call = parse_tool_call(body);
      if (!call.ok()) return call.error();
      r.calls.push_back(std::move(call).value());
      phase = Phase::kAfterCalls;
    } else if (phase == Phase::kToolBody) {
      if (!tool_body->accept_token(t)) return Error(ErrorCode::kInternal, "sampled a token the tool-call grammar rejects");
      body += s.trie->token_bytes(t);
    } else if (phase == Phase::kAnswer) {
      ++answer_tokens;
      if (answer && !answer->accept_token(t)) return Error(ErrorCode::kInternal, "sampled a token the schema grammar rejects");
      std::string piece;
      if (tok.valid_id(t) && !tok.is_control(t)) {
        auto p = decoder.push(t);
        if (!p.ok()) return error_from_status(p.status());
        piece = std::move(p).value();
      }
      StopStep step = stops->push(piece);
      ZHI_RETURN_IF_API_ERROR(emit(step.text));
      if (step.stopped) {
        r.finish = FinishReason::kStopString;
        stop_now = true;
      }
    }
    if (s.cancel && s.cancel->load(std::memory_order_relaxed)) return cancelled_error();
    if (stop_now) break;
    if (ctx.n_past() >= ctx.n_ctx()) return context_full(ctx);
    if (Status st = ctx.eval({&t, 1}); !st.ok()) return error_from_status(st);
    s.evaluated->push_back(t);
  }
  return r;
}

}  // namespace zhi
