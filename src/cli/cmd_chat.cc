// zhi chat: interactive multi-turn chat. Each turn re-renders the whole
// conversation and evaluates only the tokens past the prefix already in the
// KV cache.
#include <cstdio>
#include <iostream>

#include "cli/cli_common.h"
#include "compliance/policy_loader.h"
#include "compliance/session_guardrail.h"
#include "session/chat_prompt.h"
#include "session/generate.h"
#include "zhi/session.hpp"

namespace zhi::cli {
namespace {

struct ChatArgs {
  RunFlags run;
  SamplingFlags sampling;
  std::string system;
  int64_t n_predict = 1024;
  std::string policy;
};

namespace cp = zhi::compliance;

// With --policy: a Session whose guardrail is the pack. Refused prompts are
// answered with the refusal (nothing generated); a refused answer stops and is
// retracted; masked spans are starred before they are shown.
int chat_policy_main(const ChatArgs& a) {
  Result<cp::PolicyPack> pack = cp::load_policy_pack(a.policy);
  if (!pack.ok()) return report(pack.status());
  Result<std::shared_ptr<const cp::Moderator>> mod = cp::Moderator::create(std::move(pack).value());
  if (!mod.ok()) return report(mod.status());
  ModelOptions mo;
  mo.context_size = a.run.ctx;
  mo.threads = a.run.threads;
  mo.batch_size = a.run.batch;
  mo.fast_prompts = a.run.fast_prompts;
  mo.kv_cache_type = a.run.kv_type == "q8_0"  ? KvCacheType::kQ8_0
                     : a.run.kv_type == "f32" ? KvCacheType::kF32
                                              : KvCacheType::kF16;
  auto model = Model::load(a.run.model, mo);
  if (!model.ok()) return report(Status(StatusCode::kInvalidArgument, model.error().to_string()));
  GenerationOptions g = generation_options(a.sampling, a.n_predict);
  std::shared_ptr<cp::SessionGuardrail> guard;
  std::unique_ptr<Session> session;
  auto fresh = [&]() -> Error {
    guard = cp::SessionGuardrail::create(*mod);
    SessionOptions so;
    so.instructions = a.system;
    so.guardrail = guard->hook();
    so.record_filter = guard->record_filter();
    auto s = Session::create(*model, so);
    if (!s.ok()) return s.error();
    session = std::move(s).value();
    return {};
  };
  if (Error e = fresh(); !e.ok())
    return report(Status(StatusCode::kInvalidArgument, e.to_string()));
  std::fprintf(stderr,
               "zhi chat (policy %s): type a message; /reset clears the conversation, /exit or "
               "Ctrl-D quits.\n",
               a.policy.c_str());
  std::string line;
  for (;;) {
    std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line)) break;
    if (line == "/exit") break;
    if (line == "/reset") {
      if (Error e = fresh(); !e.ok())
        return report(Status(StatusCode::kInvalidArgument, e.to_string()));
      continue;
    }
    if (line.empty()) continue;
    bool shown_any = false;  // a retraction is announced only when there was something to retract
    auto r = cp::guarded_stream(*session, *guard, line, g, [&shown_any](const cp::ShownText& t) {
      if (t.replace && shown_any) std::fprintf(stdout, "\n[retracted by policy]\n");
      shown_any = shown_any || !t.text.empty();
      std::fwrite(t.text.data(), 1, t.text.size(), stdout);
      std::fflush(stdout);
      return true;
    });
    std::fprintf(stdout, "\n");
    if (!r.ok()) {
      std::fprintf(stderr, "zhi: %s\n", r.error().to_string().c_str());
      continue;  // the turn is lost (the transcript is unchanged); the conversation goes on
    }
    if (r->outcome.blocked)
      std::fprintf(stderr, "[refused: category %s]\n", r->outcome.category_id.c_str());
    else
      std::fprintf(stderr, "[%lld tokens]\n",
                   static_cast<long long>(r->response.stats.generated_tokens));
  }
  return 0;
}

int chat_main(const ChatArgs& a) {
  if (!a.policy.empty()) return chat_policy_main(a);
  auto opts = context_options(a.run);
  if (!opts.ok()) return report(opts.status());
  auto lm = load_model(a.run.model);
  if (!lm.ok()) return report(lm.status());
  auto ctx = Qwen2Context::create(lm->model, opts.value());
  if (!ctx.ok()) return report(ctx.status());
  Qwen2Context& c = **ctx;

  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  if (!a.system.empty()) messages.push_back({{"role", "system"}, {"content", a.system}});
  std::vector<int32_t> in_cache;  // ids whose KV the context holds
  std::fprintf(stderr, "zhi chat: type a message; /reset clears the conversation, /exit or Ctrl-D quits.\n");
  std::string line;
  for (;;) {
    std::fprintf(stderr, "> ");
    if (!std::getline(std::cin, line)) break;
    if (line == "/exit") break;
    if (line == "/reset") {
      messages = nlohmann::ordered_json::array();
      if (!a.system.empty()) messages.push_back({{"role", "system"}, {"content", a.system}});
      (void)c.truncate(0);
      in_cache.clear();
      continue;
    }
    if (line.empty()) continue;
    messages.push_back({{"role", "user"}, {"content", line}});
    auto ids = chat_prompt_ids(lm.value(), messages, nullptr, true);
    if (!ids.ok()) return report(ids.status());
    // Reuse the longest prefix already evaluated; at least one token must be new.
    size_t keep = 0;
    while (keep < in_cache.size() && keep + 1 < ids->size() && in_cache[keep] == (*ids)[keep]) ++keep;
    (void)c.truncate(static_cast<int64_t>(keep));
    std::vector<int32_t> fresh(ids->begin() + keep, ids->end());
    GenerateOptions g;
    g.max_tokens = a.n_predict;
    g.sampler = sampler_config(a.sampling);
    std::string reply;
    auto stats = generate(c, lm.value(), fresh, g, [&](std::string_view text) {
      reply += text;
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      return true;
    });
    std::fprintf(stdout, "\n");
    if (!stats.ok()) {
      // The turn is lost but the conversation goes on; an over-long one must be reset.
      report(stats.status());
      messages.erase(messages.end() - 1);
      (void)c.truncate(0);
      in_cache.clear();
      continue;
    }
    in_cache = std::move(ids).value();
    in_cache.insert(in_cache.end(), stats->tokens.begin(), stats->tokens.end());
    // A token that ended on a stop string was sampled but never evaluated.
    in_cache.resize(std::min<size_t>(in_cache.size(), static_cast<size_t>(c.n_past())));
    messages.push_back({{"role", "assistant"}, {"content", reply}});
    std::fprintf(stderr, "[%lld tokens, %.1f tokens/s]\n", static_cast<long long>(stats->generated_tokens),
                 stats->generate_tps());
  }
  return 0;
}

}  // namespace

Command add_chat_command(CLI::App& app) {
  auto a = std::make_shared<ChatArgs>();
  CLI::App* cmd = app.add_subcommand("chat", "interactive multi-turn chat on stdin/stdout");
  add_run_flags(cmd, &a->run);
  add_sampling_flags(cmd, &a->sampling);
  cmd->add_option("--system", a->system, "system prompt");
  cmd->add_option("-n,--n-predict", a->n_predict, "most tokens per reply")->check(CLI::Range(int64_t{1}, int64_t{1} << 24));
  cmd->add_option("--policy", a->policy,
                  "compliance policy pack: moderate prompts and streamed answers")
      ->check(CLI::ExistingDirectory);
  return {cmd, [a] { return chat_main(*a); }};
}

}  // namespace zhi::cli
