// C ABI: sessions, requests, tools, transcripts.
#include <vector>

#include "capi/capi_common.h"
#include "capi/capi_handles.h"

namespace zhi::capi {
namespace {

Expected<SessionOptions> session_options(const zhi_session_options* in) {
  zhi_session_options o;
  zhi_session_options_init(&o);
  Error e = read_options(in, &o);
  if (!e.ok()) return e;
  SessionOptions s;
  if (o.instructions != nullptr) s.instructions = o.instructions;
  if (o.n_tools > 0 && o.tools == nullptr)
    return Error(ErrorCode::kInvalidArgument, "options.tools: NULL with n_tools > 0");
  for (size_t i = 0; i < o.n_tools; ++i) {
    const zhi_tool& t = o.tools[i];
    if (t.name == nullptr)
      return Error(ErrorCode::kInvalidArgument,
                   "options.tools[" + std::to_string(i) + "].name: must not be NULL");
    if (t.fn == nullptr)
      return Error(ErrorCode::kInvalidArgument,
                   "options.tools[" + std::to_string(i) + "].fn: must not be NULL");
    Tool tool;
    tool.name = t.name;
    tool.description = t.description ? t.description : "";
    tool.parameters = t.parameters_json ? t.parameters_json : "";
    const zhi_tool_fn fn = t.fn;
    void* user = t.user_data;
    tool.function = [fn, user](std::string_view args) -> Expected<std::string> {
      zhi_tool_result result;
      const std::string arguments(args);
      fn(user, arguments.c_str(), &result);
      if (!result.set) return Error(ErrorCode::kInvalidArgument, "the tool set no result");
      if (result.is_error) return Error(ErrorCode::kInvalidArgument, result.text);
      return result.text;
    };
    s.tools.push_back(std::move(tool));
  }
  if (o.draft_model != nullptr) s.draft_model = o.draft_model->model;
  s.draft_tokens = o.draft_tokens;
  if (o.guardrail != nullptr) {
    const zhi_guardrail_fn fn = o.guardrail;
    void* user = o.guardrail_user_data;
    s.guardrail = [fn, user](GuardrailStage stage, std::string_view text) {
      const std::string copy(text);
      const char* reason =
          fn(user, stage == GuardrailStage::kPrompt ? ZHI_GUARDRAIL_PROMPT : ZHI_GUARDRAIL_RESPONSE,
             copy.c_str(), copy.size());
      if (reason == nullptr) return GuardrailVerdict{};
      return GuardrailVerdict{false, reason};
    };
  }
  if (o.record_filter != nullptr)
    s.record_filter = text_filter(o.record_filter, o.record_filter_user_data,
                                  "the record filter refused the answer");
  return s;
}

Expected<GenerationOptions> generation_options(const zhi_generation_options* in) {
  zhi_generation_options o;
  zhi_generation_options_init(&o);
  Error e = read_options(in, &o);
  if (!e.ok()) return e;
  GenerationOptions g;
  g.greedy = o.greedy != 0;
  g.temperature = o.temperature;
  g.top_k = o.top_k;
  g.top_p = o.top_p;
  g.min_p = o.min_p;
  g.seed = o.seed;
  g.max_tokens = o.max_tokens;
  if (o.n_stop > 0 && o.stop == nullptr)
    return Error(ErrorCode::kInvalidArgument, "options.stop: NULL with n_stop > 0");
  for (size_t i = 0; i < o.n_stop; ++i) {
    if (o.stop[i] == nullptr)
      return Error(ErrorCode::kInvalidArgument, "options.stop[" + std::to_string(i) + "]: NULL");
    g.stop.emplace_back(o.stop[i]);
  }
  if (o.json_schema != nullptr) g.json_schema = o.json_schema;
  if (o.tool_choice < ZHI_TOOL_AUTO || o.tool_choice > ZHI_TOOL_REQUIRED)
    return Error(ErrorCode::kInvalidArgument,
                 "options.tool_choice: unknown value " + std::to_string(o.tool_choice));
  g.tool_choice = static_cast<ToolChoice>(o.tool_choice);
  g.max_tool_rounds = o.max_tool_rounds;
  return g;
}

void write_stats(const ResponseStats& s, zhi_response_stats* out) {
  if (out == nullptr) return;
  out->prompt_tokens = s.prompt_tokens;
  out->cached_tokens = s.cached_tokens;
  out->evaluated_tokens = s.evaluated_tokens;
  out->generated_tokens = s.generated_tokens;
  out->prefix_cache_hit = s.prefix_cache_hit ? 1 : 0;
  out->tool_calls = s.tool_calls;
  out->rounds = s.rounds;
  out->finish_reason = static_cast<int32_t>(s.finish_reason);
  out->time_to_first_token_s = s.time_to_first_token_s;
  out->prompt_seconds = s.prompt_seconds;
  out->generate_seconds = s.generate_seconds;
  out->draft_proposed = s.draft_proposed;
  out->draft_accepted = s.draft_accepted;
}

Error run(zhi_session* session, const char* prompt, const zhi_generation_options* options,
          zhi_delta_fn on_delta, void* user_data, char** out_text, zhi_response_stats* out_stats) {
  if (session == nullptr) return null_argument("session");
  if (prompt == nullptr) return null_argument("prompt");
  if (out_text != nullptr) *out_text = nullptr;
  auto g = generation_options(options);
  if (!g.ok()) return g.error();
  Expected<Response> r = [&] {
    if (on_delta == nullptr) return session->session->respond(prompt, *g);
    return session->session->stream(prompt, *g, [&](const StreamDelta& d) {
      const std::string text(d.text);
      return on_delta(user_data, text.c_str(), text.size()) == 0;
    });
  }();
  if (!r.ok()) return r.error();
  if (out_text != nullptr) *out_text = copy_out(r->content);
  write_stats(r->stats, out_stats);
  return {};
}

}  // namespace
}  // namespace zhi::capi

using zhi::Error;
using zhi::ErrorCode;
namespace capi = zhi::capi;

extern "C" {

void zhi_tool_result_set(zhi_tool_result* result, const char* text) {
  if (result == nullptr) return;
  result->set = true;
  result->is_error = false;
  result->text = text ? text : "";
}

void zhi_tool_result_set_error(zhi_tool_result* result, const char* message) {
  if (result == nullptr) return;
  result->set = true;
  result->is_error = true;
  result->text = message ? message : "error";
}

void zhi_session_options_init(zhi_session_options* options) {
  if (options == nullptr) return;
  *options = zhi_session_options{};
  options->struct_size = sizeof(zhi_session_options);
  options->draft_tokens = zhi::SessionOptions{}.draft_tokens;
}

void zhi_generation_options_init(zhi_generation_options* options) {
  if (options == nullptr) return;
  const zhi::GenerationOptions d;
  *options = zhi_generation_options{};
  options->struct_size = sizeof(zhi_generation_options);
  options->greedy = d.greedy ? 1 : 0;
  options->temperature = d.temperature;
  options->top_k = d.top_k;
  options->top_p = d.top_p;
  options->min_p = d.min_p;
  options->seed = d.seed;
  options->max_tokens = d.max_tokens;
  options->tool_choice = static_cast<int32_t>(d.tool_choice);
  options->max_tool_rounds = d.max_tool_rounds;
}

zhi_status zhi_session_create(zhi_model* model, const zhi_session_options* options,
                              zhi_session** out) {
  return capi::guarded([&]() -> Error {
    if (model == nullptr) return capi::null_argument("model");
    if (out == nullptr) return capi::null_argument("out");
    *out = nullptr;
    auto o = capi::session_options(options);
    if (!o.ok()) return o.error();
    auto s = zhi::Session::create(model->model, std::move(o).value());
    if (!s.ok()) return s.error();
    *out = new zhi_session{std::move(s).value()};
    return {};
  });
}

zhi_status zhi_session_restore(zhi_model* model, const char* transcript_json,
                               const zhi_session_options* options, zhi_session** out) {
  return capi::guarded([&]() -> Error {
    if (model == nullptr) return capi::null_argument("model");
    if (transcript_json == nullptr) return capi::null_argument("transcript_json");
    if (out == nullptr) return capi::null_argument("out");
    *out = nullptr;
    auto t = zhi::Transcript::from_json(transcript_json);
    if (!t.ok()) return t.error();
    auto o = capi::session_options(options);
    if (!o.ok()) return o.error();
    auto s = zhi::Session::restore(model->model, *t, std::move(o).value());
    if (!s.ok()) return s.error();
    *out = new zhi_session{std::move(s).value()};
    return {};
  });
}

void zhi_session_free(zhi_session* session) { delete session; }

zhi_status zhi_session_respond(zhi_session* session, const char* prompt,
                               const zhi_generation_options* options, char** out_text,
                               zhi_response_stats* out_stats) {
  return capi::guarded(
      [&] { return capi::run(session, prompt, options, nullptr, nullptr, out_text, out_stats); });
}

zhi_status zhi_session_stream(zhi_session* session, const char* prompt,
                              const zhi_generation_options* options, zhi_delta_fn on_delta,
                              void* user_data, char** out_text, zhi_response_stats* out_stats) {
  return capi::guarded([&]() -> Error {
    if (on_delta == nullptr) return capi::null_argument("on_delta");
    return capi::run(session, prompt, options, on_delta, user_data, out_text, out_stats);
  });
}

zhi_status zhi_session_prewarm(zhi_session* session, const char* prompt_prefix) {
  return capi::guarded([&]() -> Error {
    if (session == nullptr) return capi::null_argument("session");
    return session->session->prewarm(prompt_prefix ? prompt_prefix : "");
  });
}

zhi_status zhi_session_cancel(zhi_session* session) {
  return capi::guarded([&]() -> Error {
    if (session == nullptr) return capi::null_argument("session");
    session->session->cancel();
    return {};
  });
}

zhi_status zhi_session_transcript(const zhi_session* session, char** out_json) {
  return capi::guarded([&]() -> Error {
    if (session == nullptr) return capi::null_argument("session");
    if (out_json == nullptr) return capi::null_argument("out_json");
    *out_json = capi::copy_out(session->session->transcript().to_json());
    return {};
  });
}

}  // extern "C"
