#include "zhi/session.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

#include "session/api_errors.h"
#include "session/chat_prompt.h"
#include "session/grammar_cache.h"
#include "session/json_schema_grammar.h"
#include "session/model_impl.h"
#include "session/response_turn.h"
#include "session/speculative.h"
#include "session/tool_grammar.h"
#include "session/transcript_messages.h"

namespace zhi {
namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

Expected<SamplerConfig> sampler_config(const GenerationOptions& o) {
  SamplerConfig c;
  c.temperature = o.greedy ? 0.0f : o.temperature;
  c.top_k = o.top_k;
  c.top_p = o.top_p;
  c.min_p = o.min_p;
  c.seed = o.seed;
  if (!o.greedy && !(o.temperature > 0.0f))
    return invalid_argument_error("temperature: must be > 0 when not greedy, got " + std::to_string(o.temperature));
  if (Status s = c.validate(); !s.ok()) return invalid_argument_error(s.message());
  return c;
}

Error check_generation_options(const GenerationOptions& o) {
  if (o.max_tokens < -1) return invalid_argument_error("max_tokens: must be >= -1 (-1: no limit), got " + std::to_string(o.max_tokens));
  if (o.max_tool_rounds < 0) return invalid_argument_error("max_tool_rounds: must be >= 0, got " + std::to_string(o.max_tool_rounds));
  for (size_t i = 0; i < o.stop.size(); ++i)
    if (o.stop[i].empty()) return invalid_argument_error("stop[" + std::to_string(i) + "]: empty stop strings are not allowed");
  return {};
}

Error check_entries(const std::vector<TranscriptEntry>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const TranscriptEntry& e = entries[i];
    const std::string at = "transcript entries[" + std::to_string(i) + "]";
    if (e.role == Role::kInstructions && i != 0) return invalid_argument_error(at + ": instructions may only be the first entry");
    if (!e.tool_calls.empty() && e.role != Role::kAssistant) return invalid_argument_error(at + ": only assistant entries make tool calls");
    for (const ToolCall& c : e.tool_calls)
      if (!Json::parse(c.arguments, nullptr, false).is_object())
        return invalid_argument_error(at + ": tool call '" + c.name + "' arguments are not a JSON object");
  }
  return {};
}

Json tool_error_json(const std::string& message) { return Json{{"error", message}}; }

// Speculation needs the draft to speak the target's vocabulary, id for id.
Error check_draft(const Model& target, const Model& draft) {
  const Tokenizer& a = *target.impl().loaded().tokenizer;
  const Tokenizer& b = *draft.impl().loaded().tokenizer;
  if (a.n_vocab() != b.n_vocab() || target.vocab_size() != draft.vocab_size())
    return invalid_argument_error("draft_model: its vocabulary (" + std::to_string(b.n_vocab()) +
                                  " tokens) differs from the model's (" + std::to_string(a.n_vocab()) + ")");
  for (int32_t id = 0; id < a.n_vocab(); ++id)
    if (a.token_bytes(id) != b.token_bytes(id))
      return invalid_argument_error("draft_model: token " + std::to_string(id) + " differs from the model's");
  return {};
}

}  // namespace

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kEndOfTurn: return "end_of_turn";
    case FinishReason::kStopString: return "stop_string";
    case FinishReason::kMaxTokens: return "max_tokens";
  }
  return "unknown";
}

class SessionImpl {
 public:
  SessionImpl(std::shared_ptr<Model> model, SessionOptions options, std::vector<TranscriptEntry> entries,
              std::shared_ptr<CompiledGrammar> tool_grammar)
      : model_(std::move(model)),
        options_(std::move(options)),
        tools_json_(options_.tools.empty() ? Json(nullptr) : tools_template_json(options_.tools)),
        tool_grammar_(std::move(tool_grammar)),
        entries_(std::move(entries)) {}

  Expected<Response> run(std::string_view prompt, const GenerationOptions& options, const StreamCallback* on_delta);
  Error prewarm(std::string_view prefix);
  void cancel() {
    if (busy_.load()) cancel_.store(true);
  }
  bool busy() const { return busy_.load(); }
  Transcript transcript() const {
    std::lock_guard<std::mutex> lock(mu_);
    return Transcript{entries_};
  }
  const Model& model() const { return *model_; }

 private:
  // Claims the session for one request; released on scope exit.
  class Claim {
   public:
    explicit Claim(SessionImpl& s) : s_(s), ok_(!s.busy_.exchange(true)) {
      if (ok_) s_.cancel_.store(false);
    }
    ~Claim() {
      if (ok_) s_.busy_.store(false);
    }
    bool ok() const { return ok_; }

   private:
    SessionImpl& s_;
    bool ok_;
  };

  // The context lent by the model for one request, returned (with the tokens
  // its KV holds) however the request ends.
  class Lease {
   public:
    explicit Lease(ModelImpl& m) : m_(m) {}
    ~Lease() {
      if (entry.ctx) m_.release(std::move(entry));
    }
    CachedContext entry;

   private:
    ModelImpl& m_;
  };

  Expected<std::vector<int32_t>> render(const std::vector<TranscriptEntry>& entries, bool generation_prompt) const;
  Error check_fits(size_t prompt_tokens) const;
  Error guard(GuardrailStage stage, std::string_view text) const;
  std::vector<TranscriptEntry> invoke_tools(const std::vector<ToolCall>& calls) const;

  std::shared_ptr<Model> model_;
  SessionOptions options_;
  Json tools_json_;
  std::shared_ptr<CompiledGrammar> tool_grammar_;
  mutable std::mutex mu_;
  std::vector<TranscriptEntry> entries_;
  std::atomic<bool> busy_{false};
  std::atomic<bool> cancel_{false};
};

Expected<std::vector<int32_t>> SessionImpl::render(const std::vector<TranscriptEntry>& entries, bool generation_prompt) const {
  auto ids = chat_prompt_ids(model_->impl().loaded(), transcript_messages(entries), tools_json_, generation_prompt);
  if (!ids.ok()) return invalid_argument_error(ids.status().message());
  return std::move(ids).value();
}

Error SessionImpl::check_fits(size_t prompt_tokens) const {
  const int64_t n_ctx = model_->context_size();
  const int64_t need = static_cast<int64_t>(prompt_tokens) + 1;
  if (need <= n_ctx) return {};
  return Error::context_window_exceeded(need, n_ctx,
                                        "the conversation is " + std::to_string(prompt_tokens) +
                                            " tokens and the context window holds " + std::to_string(n_ctx) +
                                            " (at least one more is needed to answer)");
}

Error SessionImpl::guard(GuardrailStage stage, std::string_view text) const {
  if (!options_.guardrail) return {};
  GuardrailVerdict v = options_.guardrail(stage, text);
  if (v.allowed) return {};
  return {ErrorCode::kGuardrailViolation,
          std::string(stage == GuardrailStage::kPrompt ? "the prompt" : "the response") + " was blocked" +
              (v.reason.empty() ? std::string() : ": " + v.reason)};
}

std::vector<TranscriptEntry> SessionImpl::invoke_tools(const std::vector<ToolCall>& calls) const {
  std::vector<TranscriptEntry> out;
  for (const ToolCall& call : calls) {
    TranscriptEntry e;
    e.role = Role::kTool;
    e.tool_name = call.name;
    const Tool* tool = nullptr;
    for (const Tool& t : options_.tools)
      if (t.name == call.name) tool = &t;
    if (tool == nullptr || !tool->function) {
      e.content = tool_error_json("no tool named '" + call.name + "'").dump();
    } else {
      // A tool is the caller's code: whatever it does, the session carries on.
      try {
        Expected<std::string> result = tool->function(call.arguments);
        e.content = result.ok() ? std::move(result).value() : tool_error_json(result.error().message()).dump();
      } catch (const std::exception& ex) {
        e.content = tool_error_json(std::string("the tool failed: ") + ex.what()).dump();
      } catch (...) {
        e.content = tool_error_json("the tool failed").dump();
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

Expected<Response> SessionImpl::run(std::string_view prompt, const GenerationOptions& options,
                                    const StreamCallback* on_delta) {
  Claim claim(*this);
  if (!claim.ok())
    return Error(ErrorCode::kConcurrentRequests, "the session is already responding; one request at a time per session");
  const auto t_start = Clock::now();
  ZHI_RETURN_IF_API_ERROR(check_generation_options(options));
  auto sampler_cfg = sampler_config(options);
  if (!sampler_cfg.ok()) return sampler_cfg.error();
  ZHI_RETURN_IF_API_ERROR(guard(GuardrailStage::kPrompt, prompt));

  ModelImpl& m = model_->impl();
  const LoadedModel& lm = m.loaded();
  std::shared_ptr<CompiledGrammar> answer_grammar;
  if (!options.json_schema.empty()) {
    auto g = m.grammars().get("schema:" + options.json_schema,
                              [&] { return json_schema_grammar(options.json_schema); });
    if (!g.ok()) return g.error();
    answer_grammar = std::move(g).value();
  }
  const TokenTrie* trie = (answer_grammar || tool_grammar_) ? &m.token_trie() : nullptr;
  auto sampler = Sampler::create(*sampler_cfg, static_cast<int32_t>(lm.model->config().n_vocab));
  if (!sampler.ok()) return error_from_status(sampler.status());

  std::vector<TranscriptEntry> working;
  {
    std::lock_guard<std::mutex> lock(mu_);
    working = entries_;
  }
  working.push_back(TranscriptEntry{Role::kUser, std::string(prompt), {}, {}});

  Response response;
  ResponseStats& st = response.stats;
  st.rounds = 0;
  Lease lease(m);
  std::vector<int32_t>& evaluated = lease.entry.tokens;
  const bool speculate = options_.draft_model && options_.draft_tokens > 0 && options.greedy && !answer_grammar;
  std::optional<Lease> draft_lease;
  if (speculate) draft_lease.emplace(options_.draft_model->impl());
  std::string content;
  auto emit = [&](std::string_view text) -> Error {
    const size_t before = content.size();
    content += text;
    if (Error e = guard(GuardrailStage::kResponse, content); !e.ok()) return e;
    if (on_delta && !(*on_delta)(StreamDelta{std::string_view(content).substr(before), content}))
      return {ErrorCode::kCancelled, "the stream callback cancelled the request"};
    return {};
  };

  std::vector<int32_t> first_prompt;  // round 0's prompt, what a prompt cache file keeps
  // The prompt's KV rows are worth keeping however the answer ends (an error
  // included); on success they are kept below, with warnings reported.
  bool persisted = false;
  struct PersistOnExit {
    std::function<void()> fn;
    ~PersistOnExit() { fn(); }
  } persist_on_exit{[&] {
    if (!persisted && !first_prompt.empty()) m.persist(lease.entry, first_prompt, nullptr);
  }};
  for (int round = 0;; ++round) {
    auto tokens = render(working, /*generation_prompt=*/true);
    if (!tokens.ok()) return tokens.error();
    ZHI_RETURN_IF_API_ERROR(check_fits(tokens->size()));
    if (round == 0) {
      st.prompt_tokens = static_cast<int64_t>(tokens->size());
      int64_t reusable = 0, from_disk = 0;
      auto entry = m.acquire(*tokens, &reusable, &from_disk, &st.warnings);
      if (!entry.ok()) return entry.error();
      lease.entry = std::move(entry).value();
      st.cached_tokens = reusable;
      st.prompt_cache_tokens = from_disk;
      st.prefix_cache_hit = reusable > 0;
      first_prompt = *tokens;
    }
    const auto t_prompt = Clock::now();
    auto n = sync_prompt(*lease.entry.ctx, evaluated, *tokens, m.options().batch_size, &cancel_);
    if (!n.ok()) return n.error();
    st.evaluated_tokens += *n;
    st.prompt_seconds += seconds(Clock::now() - t_prompt);

    TurnSetup setup;
    setup.ctx = lease.entry.ctx.get();
    setup.evaluated = &evaluated;
    setup.lm = &lm;
    setup.trie = trie;
    setup.sampler = &sampler.value();
    setup.answer_grammar = answer_grammar;
    setup.tool_grammar = tool_grammar_;
    setup.allow_tool_calls = tool_grammar_ && options.tool_choice != ToolChoice::kNone && round < options.max_tool_rounds;
    setup.require_tool_call = setup.allow_tool_calls && options.tool_choice == ToolChoice::kRequired && round == 0;
    setup.stop = options.stop;
    setup.max_tokens = options.max_tokens < 0 ? -1 : std::max<int64_t>(0, options.max_tokens - st.generated_tokens);
    setup.cancel = &cancel_;
    setup.emit = emit;
    auto t_gen = Clock::now();
    Expected<TurnResult> turn = Error(ErrorCode::kInternal, "no turn ran");
    if (speculate && !setup.allow_tool_calls) {
      // The draft's prompt evaluation is prompt work: it counts in
      // prompt_seconds, so generation speed compares with plain decoding.
      ModelImpl& dm = options_.draft_model->impl();
      if (!draft_lease->entry.ctx) {
        int64_t unused = 0;
        auto entry = dm.acquire(*tokens, &unused);
        if (!entry.ok()) return entry.error();
        draft_lease->entry = std::move(entry).value();
      }
      auto dn = sync_prompt(*draft_lease->entry.ctx, draft_lease->entry.tokens, *tokens, dm.options().batch_size, &cancel_);
      if (!dn.ok()) return dn.error();
      const auto t_draft_ready = Clock::now();
      st.prompt_seconds += seconds(t_draft_ready - t_gen);
      t_gen = t_draft_ready;
      DraftSetup draft{draft_lease->entry.ctx.get(), &draft_lease->entry.tokens, options_.draft_tokens};
      DraftStats ds;
      turn = run_speculative_turn(setup, draft, &ds);
      st.draft_proposed += ds.proposed;
      st.draft_accepted += ds.accepted;
    } else {
      turn = run_turn(setup);
    }
    if (!turn.ok()) return turn.error();
    st.generate_seconds += seconds(Clock::now() - t_gen);
    if (turn->first_token && st.time_to_first_token_s == 0) st.time_to_first_token_s = seconds(*turn->first_token - t_start);
    st.generated_tokens += turn->generated;
    st.finish_reason = turn->finish;
    ++st.rounds;

    TranscriptEntry reply{Role::kAssistant, turn->text, turn->calls, {}};
    if (options_.record_filter) {
      Expected<std::string> recorded = options_.record_filter(reply.content);
      if (!recorded.ok()) return recorded.error();
      reply.content = std::move(recorded).value();
    }
    working.push_back(std::move(reply));
    if (turn->calls.empty() || turn->finish != FinishReason::kEndOfTurn) break;
    st.tool_calls += static_cast<int>(turn->calls.size());
    for (const ToolCall& c : turn->calls) response.tool_calls.push_back(c);
    for (TranscriptEntry& e : invoke_tools(turn->calls)) working.push_back(std::move(e));
    if (cancel_.load()) return Error(ErrorCode::kCancelled, "the request was cancelled");
  }
  ZHI_RETURN_IF_API_ERROR(guard(GuardrailStage::kResponse, content));
  m.persist(lease.entry, first_prompt, &st.warnings);
  persisted = true;
  response.content = content;
  if (options_.record_filter) {
    Expected<std::string> recorded = options_.record_filter(content);
    if (!recorded.ok()) return recorded.error();
    response.content = std::move(recorded).value();
  }
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(working);
  return response;
}

Error SessionImpl::prewarm(std::string_view prefix) {
  Claim claim(*this);
  if (!claim.ok())
    return {ErrorCode::kConcurrentRequests, "the session is already responding; one request at a time per session"};
  std::vector<TranscriptEntry> working;
  {
    std::lock_guard<std::mutex> lock(mu_);
    working = entries_;
  }
  working.push_back(TranscriptEntry{Role::kUser, std::string(prefix), {}, {}});
  auto chat = render_qwen2_chat(transcript_messages(working), tools_json_, /*add_generation_prompt=*/false);
  if (!chat.ok()) return invalid_argument_error(chat.status().message());
  // Drop the closing "<|im_end|>\n": the real prompt continues the user's text.
  RenderedChat& c = chat.value();
  if (!c.segments.empty() && c.segments.back().is_template) {
    c.text.resize(c.text.size() - c.segments.back().text.size());
    c.segments.pop_back();
  }
  ModelImpl& m = model_->impl();
  std::vector<int32_t> tokens = tokenize_chat(m.loaded(), c);
  ZHI_RETURN_IF_API_ERROR(check_fits(tokens.size()));
  // Evaluate everything: the cache keeps what is in the KV state.
  tokens.push_back(tokens.back());
  int64_t reusable = 0;
  auto entry = m.acquire(tokens, &reusable);
  if (!entry.ok()) return entry.error();
  Lease lease(m);
  lease.entry = std::move(entry).value();
  auto n = sync_prompt(*lease.entry.ctx, lease.entry.tokens, tokens, m.options().batch_size, &cancel_);
  if (!n.ok()) return n.error();
  // The duplicated last token was only there to get the real last one evaluated.
  lease.entry.tokens.pop_back();
  if (Status s = lease.entry.ctx->truncate(static_cast<int64_t>(lease.entry.tokens.size())); !s.ok())
    return error_from_status(s);
  m.persist(lease.entry, lease.entry.tokens, nullptr);
  return {};
}

Session::Session(std::unique_ptr<SessionImpl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Expected<std::unique_ptr<Session>> Session::create(std::shared_ptr<Model> model, SessionOptions options) {
  if (!model) return invalid_argument_error("model: null");
  std::vector<TranscriptEntry> entries;
  if (!options.instructions.empty()) entries.push_back(TranscriptEntry{Role::kInstructions, options.instructions, {}, {}});
  Transcript t{std::move(entries)};
  options.instructions.clear();
  return restore(std::move(model), t, std::move(options));
}

Expected<std::unique_ptr<Session>> Session::restore(std::shared_ptr<Model> model, const Transcript& transcript,
                                                    SessionOptions options) {
  if (!model) return invalid_argument_error("model: null");
  if (!options.instructions.empty())
    return invalid_argument_error("instructions: a restored session takes its instructions from the transcript");
  ZHI_RETURN_IF_API_ERROR(check_entries(transcript.entries));
  if (options.draft_model) ZHI_RETURN_IF_API_ERROR(check_draft(*model, *options.draft_model));
  if (options.draft_tokens < 0 || options.draft_tokens > 64)
    return invalid_argument_error("draft_tokens: must be in [0, 64], got " + std::to_string(options.draft_tokens));
  std::shared_ptr<CompiledGrammar> tool_grammar;
  if (!options.tools.empty()) {
    auto g = model->impl().grammars().get(tool_set_key(options.tools), [&] { return tool_call_grammar(options.tools); });
    if (!g.ok()) return g.error();
    tool_grammar = std::move(g).value();
  }
  auto impl = std::make_unique<SessionImpl>(std::move(model), std::move(options), transcript.entries, std::move(tool_grammar));
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Expected<Response> Session::respond(std::string_view prompt, const GenerationOptions& options) {
  return impl_->run(prompt, options, nullptr);
}

Expected<Response> Session::stream(std::string_view prompt, const GenerationOptions& options, const StreamCallback& on_delta) {
  return impl_->run(prompt, options, on_delta ? &on_delta : nullptr);
}

Error Session::prewarm(std::string_view prompt_prefix) { return impl_->prewarm(prompt_prefix); }
void Session::cancel() { impl_->cancel(); }
bool Session::is_responding() const { return impl_->busy(); }
Transcript Session::transcript() const { return impl_->transcript(); }
const Model& Session::model() const { return impl_->model(); }

}  // namespace zhi
