#include "session/speculative.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "session/api_errors.h"
#include "session/stop_matcher.h"
#include "tokenizer/stream_decoder.h"

namespace zhi {

int32_t greedy_token(const float* logits, int64_t n_vocab, int32_t ban_a, int32_t ban_b) {
  int32_t best = -1;
  for (int64_t i = 0; i < n_vocab; ++i) {
    const auto id = static_cast<int32_t>(i);
    if (id == ban_a || id == ban_b || std::isnan(logits[i])) continue;
    if (best < 0 || logits[i] > logits[best]) best = id;  // strict: the lowest id wins ties
  }
  return best < 0 ? 0 : best;
}

Expected<TurnResult> run_speculative_turn(const TurnSetup& s, const DraftSetup& d, DraftStats* stats) {
  Qwen2Context& target = *s.ctx;
  Qwen2Context& draft = *d.ctx;
  const LoadedModel& lm = *s.lm;
  const Tokenizer& tok = *lm.tokenizer;
  const int64_t n_vocab = target.config().n_vocab;
  // Free text never contains these (run_turn bans them the same way).
  const int32_t ban_open = tok.find_token("<tool_call>").value_or(-1);
  const int32_t ban_close = tok.find_token("</tool_call>").value_or(-1);
  auto pick = [&](const float* logits) { return greedy_token(logits, n_vocab, ban_open, ban_close); };

  auto stops = StopMatcher::create(s.stop);
  if (!stops.ok()) return error_from_status(stops.status());
  StreamDecoder decoder(tok);
  TurnResult r;
  auto emit = [&](const std::string& text) { return emit_answer(s, r, text); };
  auto flush = [&] { return flush_answer(s, r, decoder, *stops); };
  // Takes one token the target chose; true when the turn is over.
  auto take = [&](int32_t t, bool* done) -> Error {
    *done = true;
    if (!r.first_token) r.first_token = std::chrono::steady_clock::now();
    if (lm.is_end_of_generation(t)) {
      r.finish = FinishReason::kEndOfTurn;
      return flush();
    }
    ++r.generated;
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
      return {};
    }
    if (s.cancel && s.cancel->load(std::memory_order_relaxed)) return {ErrorCode::kCancelled, "the request was cancelled"};
    if (s.max_tokens >= 0 && r.generated >= s.max_tokens) {
      r.finish = FinishReason::kMaxTokens;
      return flush();
    }
    *done = false;
    return {};
  };

  if (s.max_tokens == 0) {
    r.finish = FinishReason::kMaxTokens;
    return r;
  }
  // The target's logits after the prompt give the first token.
  int32_t pending = pick(target.logits());
  bool done = false;
  ZHI_RETURN_IF_API_ERROR(take(pending, &done));
  std::vector<int32_t> draft_pending{pending};  // accepted, not yet in the draft's KV
  std::vector<int32_t> batch;
  while (!done) {
    // Room in both windows for the verification batch and the draft's work.
    const int64_t target_room = target.n_ctx() - target.n_past() - 1;
    const int64_t draft_room = draft.n_ctx() - draft.n_past() - static_cast<int64_t>(draft_pending.size());
    if (target_room < 0)
      return Error::context_window_exceeded(target.n_ctx() + 1, target.n_ctx(),
                                            "the answer did not finish within the context window of " +
                                                std::to_string(target.n_ctx()) + " tokens");
    const int64_t k = std::max<int64_t>(0, std::min<int64_t>({d.max_draft, target_room, draft_room}));

    // Draft: catch up, then propose k tokens greedily.
    batch.assign(1, pending);
    if (k > 0) {
      if (Status st = draft.eval(draft_pending); !st.ok()) return error_from_status(st);
      d.evaluated->insert(d.evaluated->end(), draft_pending.begin(), draft_pending.end());
      draft_pending.clear();
      for (int64_t i = 0; i < k; ++i) {
        const int32_t proposal = pick(draft.logits());
        batch.push_back(proposal);
        if (i + 1 < k) {
          if (Status st = draft.eval({&proposal, 1}); !st.ok()) return error_from_status(st);
          d.evaluated->push_back(proposal);
        }
      }
    }

    // Target: one pass over [pending, d1..dk], logits for every position.
    const int64_t base = target.n_past();
    if (Status st = target.eval(batch, /*all_logits=*/true); !st.ok()) return error_from_status(st);
    s.evaluated->insert(s.evaluated->end(), batch.begin(), batch.end());
    int64_t accepted = 0, judged = 0;  // proposals compared (the turn may end before all are)
    int32_t next = -1;
    for (int64_t i = 0; i <= k; ++i) {
      const int32_t want = pick(target.logits(i));
      if (i < k) ++judged;
      if (i < k && want == batch[static_cast<size_t>(i + 1)]) {
        ++accepted;
        ZHI_RETURN_IF_API_ERROR(take(want, &done));
        if (done) break;
        continue;
      }
      next = want;  // the target's correction, or its bonus token after a full match
      break;
    }
    stats->proposed += judged;
    stats->accepted += accepted;
    // Keep KV for pending and the accepted proposals only.
    const int64_t keep = base + 1 + accepted;
    if (Status st = target.truncate(keep); !st.ok()) return error_from_status(st);
    s.evaluated->resize(static_cast<size_t>(keep));
    if (k > 0) {
      // The draft evaluated d1..d(k-1); keep those that were accepted.
      const int64_t draft_keep = static_cast<int64_t>(d.evaluated->size()) - (k - 1) + std::min(accepted, k - 1);
      if (Status st = draft.truncate(draft_keep); !st.ok()) return error_from_status(st);
      d.evaluated->resize(static_cast<size_t>(draft_keep));
      if (accepted == k) draft_pending.push_back(batch.back());
    }
    if (done) break;
    pending = next;
    draft_pending.push_back(pending);
    ZHI_RETURN_IF_API_ERROR(take(pending, &done));
  }
  return r;
}

}  // namespace zhi
