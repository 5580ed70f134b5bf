// zhi run: one prompt in, streamed text out, speed on stderr.
// With --policy, the answer goes through the compliance layer: the prompt and
// the streamed answer are moderated, --export writes the labelled result
// (GB 45438: explicit label, AIGC metadata with a fresh ProduceID) and
// --audit records the ProduceID in the audit log.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>

#include "cli/cli_common.h"
#include "compliance/aigc_label.h"
#include "compliance/audit_log.h"
#include "compliance/policy_loader.h"
#include "compliance/session_guardrail.h"
#include "session/chat_prompt.h"
#include "session/generate.h"
#include "session/prompt_cache_file.h"
#include "zhi/session.hpp"

namespace zhi::cli {
namespace {

struct RunArgs {
  RunFlags run;
  SamplingFlags sampling;
  std::string prompt;
  std::string prompt_file;
  int64_t n_predict = 256;
  bool chat = false;
  std::string system;
  std::vector<std::string> stops;
  bool verbose_prompt = false;
  std::string json_schema;  // FILE or inline JSON
  std::string tools_file;
  std::string draft;  // speculative decoding draft model
  int draft_tokens = 4;
  // Compliance (--policy).
  std::string policy, export_path, export_format = "json", audit, audit_spool,
                                   provider = "local-qwen";
  std::string prompt_cache;  // directory of prompt cache files
};

namespace cp = zhi::compliance;

// The policy's side of one `zhi run`: the moderator, and what happens after.
struct Compliance {
  std::shared_ptr<const cp::Moderator> mod;
  std::shared_ptr<cp::SessionGuardrail> guard;
  cp::ExportFormat format = cp::ExportFormat::kJson;
};

Result<Compliance> load_compliance(const RunArgs& a) {
  Compliance c;
  if (!cp::parse_export_format(a.export_format, &c.format))
    return invalid_argument("--format: expected json or markdown, got '" + a.export_format + "'");
  ZHI_ASSIGN_OR_RETURN(cp::PolicyPack pack, cp::load_policy_pack(a.policy));
  if (!pack.routing.providers.empty() && !pack.routing.provider_allowed(a.provider))
    return invalid_argument("--provider: '" + a.provider + "' is not allowed in region '" +
                            pack.identity.region + "'");
  ZHI_ASSIGN_OR_RETURN(c.mod, cp::Moderator::create(std::move(pack)));
  c.guard = cp::SessionGuardrail::create(c.mod);
  return c;
}

// Labelled export and audit record of a guarded answer.
int finish_compliance(const RunArgs& a, const Compliance& c, const std::string& prompt,
                      const cp::GuardedReply& reply) {
  const cp::PolicyPack& p = c.mod->pack();
  const std::string produce_id = cp::new_produce_id();
  if (!a.audit.empty()) {
    cp::AuditLog::Options o;
    o.path = a.audit;
    o.spool_path = a.audit_spool;
    o.on_failure = p.audit.on_write_failure;
    Result<std::unique_ptr<cp::AuditLog>> log = cp::AuditLog::open(o);
    if (!log.ok()) return report(log.status());
    const Status st = (*log)->append(cp::guarded_audit_record(
        *c.mod, reply.outcome, prompt, reply.response.content, produce_id, "run", a.provider));
    // Fail closed: an answer that cannot be recorded is not handed out.
    if (!st.ok()) return report(st);
  }
  if (!a.export_path.empty()) {
    std::ofstream out(a.export_path, std::ios::binary);
    out << cp::export_labeled(
        c.format, cp::add_explicit_label(p.labels, reply.response.content, reply.outcome.language),
        cp::make_aigc_metadata(p.labels, produce_id));
    if (!out) return report(io_error(a.export_path + ": cannot write export"));
  }
  nlohmann::ordered_json j;
  j["produce_id"] = produce_id;
  j["decision"] =
      reply.outcome.blocked
          ? "refuse"
          : cp::action_name(std::max(reply.outcome.input.decision, reply.outcome.output.decision));
  if (reply.outcome.blocked) {
    j["category"] = reply.outcome.category_id;
    j["stage"] = reply.outcome.stage == GuardrailStage::kPrompt ? "prompt" : "response";
  }
  if (!a.export_path.empty()) j["export"] = a.export_path;
  if (!a.audit.empty()) j["audit"] = cp::redact_target(a.audit);
  std::fprintf(stderr, "compliance: %s\n", j.dump().c_str());
  return 0;
}

void print_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) std::fprintf(stderr, "zhi: warning: %s\n", w.c_str());
}

void print_prompt_cache(int64_t reused, int64_t prompt_tokens) {
  std::fprintf(stderr, "prompt cache: reused %lld of %lld tokens\n", static_cast<long long>(reused),
               static_cast<long long>(prompt_tokens));
}

// --json-schema takes a file or the schema itself.
Result<std::string> schema_text(const std::string& arg) {
  const size_t first = arg.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (arg[first] == '{' || arg[first] == '[' || arg == "true")) return arg;
  return read_file(arg);
}

// --tools FILE: a JSON array of tools, each {"name", "description", "parameters"}
// or the OpenAI form {"type": "function", "function": {...}}. The CLI answers
// every call with a stub that echoes its arguments, for testing.
Result<std::vector<Tool>> load_tools(const std::string& path) {
  ZHI_ASSIGN_OR_RETURN(std::string text, read_file(path));
  const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!doc.is_array()) return invalid_argument(path + ": expected a JSON array of tools");
  std::vector<Tool> tools;
  for (size_t i = 0; i < doc.size(); ++i) {
    const auto& entry = doc[i].contains("function") ? doc[i]["function"] : doc[i];
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
      return invalid_argument(path + ": tools[" + std::to_string(i) + "].name: expected a string");
    Tool t;
    t.name = entry["name"].get<std::string>();
    if (entry.contains("description") && entry["description"].is_string()) t.description = entry["description"].get<std::string>();
    if (entry.contains("parameters")) t.parameters = entry["parameters"].dump();
    t.function = [name = t.name](std::string_view args) -> Expected<std::string> {
      std::fprintf(stderr, "[tool %s called with %.*s]\n", name.c_str(), static_cast<int>(args.size()), args.data());
      return "{\"echo\": " + std::string(args) + "}";
    };
    tools.push_back(std::move(t));
  }
  return tools;
}

// Structured output and tools go through the Session API (zhi/session.hpp).
int run_session(const RunArgs& a, const std::string& prompt) {
  ModelOptions mo;
  mo.context_size = a.run.ctx;
  mo.threads = a.run.threads;
  mo.batch_size = a.run.batch;
  mo.fast_prompts = a.run.fast_prompts;
  mo.kv_cache_type = a.run.kv_type == "q8_0" ? KvCacheType::kQ8_0 : a.run.kv_type == "f32" ? KvCacheType::kF32 : KvCacheType::kF16;
  mo.prompt_cache_dir = a.prompt_cache;
  auto model = Model::load(a.run.model, mo);
  if (!model.ok()) return report(Status(StatusCode::kInvalidArgument, model.error().to_string()));
  SessionOptions so;
  so.instructions = a.system;
  if (!a.tools_file.empty()) {
    auto tools = load_tools(a.tools_file);
    if (!tools.ok()) return report(tools.status());
    so.tools = std::move(tools).value();
  }
  std::optional<Compliance> comp;
  if (!a.policy.empty()) {
    auto c = load_compliance(a);
    if (!c.ok()) return report(c.status());
    comp = std::move(c).value();
    so.guardrail = comp->guard->hook();
    so.record_filter = comp->guard->record_filter();
  }
  if (!a.draft.empty()) {
    ModelOptions dmo = mo;
    dmo.prompt_cache_dir.clear();
    auto draft = Model::load(a.draft, dmo);
    if (!draft.ok()) return report(Status(StatusCode::kInvalidArgument, "--draft: " + draft.error().to_string()));
    so.draft_model = draft.value();
    so.draft_tokens = a.draft_tokens;
  }
  auto session = Session::create(model.value(), so);
  if (!session.ok()) return report(Status(StatusCode::kInvalidArgument, session.error().to_string()));
  GenerationOptions g = generation_options(a.sampling, a.n_predict);
  g.stop = a.stops;
  if (!a.json_schema.empty()) {
    auto schema = schema_text(a.json_schema);
    if (!schema.ok()) return report(schema.status());
    g.json_schema = schema.value();
  }
  Expected<Response> r = Error(ErrorCode::kInternal, "not run");
  std::optional<cp::GuardedReply> guarded;
  if (comp) {
    // On a terminal the answer streams, and a retraction is said out loud; into
    // a file or pipe only the final text goes, so retracted text never lands there.
    const bool tty = isatty(STDOUT_FILENO) != 0;
    bool shown_any = false;  // a retraction is announced only when there was something to retract
    auto show = [tty, &shown_any](const cp::ShownText& t) {
      if (!tty) return true;
      if (t.replace && shown_any) std::fprintf(stdout, "\n[retracted by policy]\n");
      shown_any = shown_any || !t.text.empty();
      std::fwrite(t.text.data(), 1, t.text.size(), stdout);
      std::fflush(stdout);
      return true;
    };
    auto gr = cp::guarded_stream(**session, *comp->guard, prompt, g, show);
    if (gr.ok()) {
      if (!tty) std::fwrite(gr->response.content.data(), 1, gr->response.content.size(), stdout);
      r = gr->response;
      guarded = std::move(gr).value();
    } else {
      r = gr.error();
    }
  } else {
    r = session.value()->stream(prompt, g, [](const StreamDelta& d) {
      std::fwrite(d.text.data(), 1, d.text.size(), stdout);
      std::fflush(stdout);
      return true;
    });
  }
  std::fprintf(stdout, "\n");
  if (!r.ok()) {
    std::fprintf(stderr, "zhi: %s\n", r.error().to_string().c_str());
    return kExitFailure;
  }
  if (comp) {
    if (int rc = finish_compliance(a, *comp, prompt, *guarded); rc != 0) return rc;
  }
  const ResponseStats& s = r->stats;
  print_warnings(s.warnings);
  if (!a.prompt_cache.empty()) print_prompt_cache(s.prompt_cache_tokens, s.prompt_tokens);
  std::fprintf(stderr,
               "\nprompt: %lld tokens (%lld cached), first token %.1f ms | generation: %lld tokens, %.1f tokens/s | "
               "tool calls: %d | draft accepted %lld/%lld | stop: %s\n",
               static_cast<long long>(s.prompt_tokens), static_cast<long long>(s.cached_tokens),
               s.time_to_first_token_s * 1000.0, static_cast<long long>(s.generated_tokens),
               s.generate_seconds > 0 ? s.generated_tokens / s.generate_seconds : 0.0, s.tool_calls,
               static_cast<long long>(s.draft_accepted), static_cast<long long>(s.draft_proposed),
               finish_reason_name(s.finish_reason));
  return 0;
}

int run_main(const RunArgs& a) {
  std::string prompt = a.prompt;
  if (!a.prompt_file.empty()) {
    auto text = read_file(a.prompt_file);
    if (!text.ok()) return report(text.status());
    prompt = text.value();
  }
  if (prompt.empty()) return report(invalid_argument("no prompt: give -p TEXT or -f FILE"));
  if ((!a.export_path.empty() || !a.audit.empty()) && a.policy.empty())
    return report(
        invalid_argument("--export and --audit need --policy DIR (labels and audit settings)"));
  if (!a.json_schema.empty() || !a.tools_file.empty() || !a.draft.empty() || !a.policy.empty())
    return run_session(a, prompt);
  auto opts = context_options(a.run);
  if (!opts.ok()) return report(opts.status());
  auto lm = load_model(a.run.model);
  if (!lm.ok()) return report(lm.status());

  std::vector<int32_t> ids;
  if (a.chat) {
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    if (!a.system.empty()) messages.push_back({{"role", "system"}, {"content", a.system}});
    messages.push_back({{"role", "user"}, {"content", prompt}});
    auto chat_ids = chat_prompt_ids(lm.value(), messages, nullptr, true);
    if (!chat_ids.ok()) return report(chat_ids.status());
    ids = std::move(chat_ids).value();
  } else {
    // A raw prompt is the operator's own text: special-token text is honoured,
    // as llama.cpp does, so ChatML can be written by hand.
    ids = lm->tokenizer->encode(prompt, /*parse_special=*/true);
  }
  if (a.verbose_prompt) {
    std::fprintf(stderr, "prompt ids (%zu):", ids.size());
    for (int32_t id : ids) std::fprintf(stderr, " %d", id);
    std::fprintf(stderr, "\n");
  }
  auto ctx = Qwen2Context::create(lm->model, opts.value());
  if (!ctx.ok()) return report(ctx.status());

  GenerateOptions g;
  g.max_tokens = a.n_predict;
  g.sampler = sampler_config(a.sampling);
  g.stop_strings = a.stops;
  std::unique_ptr<PromptCacheDir> prompt_cache;
  if (!a.prompt_cache.empty()) {
    prompt_cache = std::make_unique<PromptCacheDir>(a.prompt_cache, model_identity(*lm->model),
                                                    lm->model->config().n_vocab);
    std::vector<std::string> warnings;
    // The last prompt token is always evaluated, for its logits.
    if (!ids.empty())
      g.prompt_cached =
          prompt_cache->load(**ctx, ids, static_cast<int64_t>(ids.size()) - 1, 0, &warnings);
    print_warnings(warnings);
  }
  auto stats = generate(**ctx, lm.value(), ids, g, [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  std::fprintf(stdout, "\n");
  if (!stats.ok()) return report(stats.status());
  const GenerateStats& s = stats.value();
  if (prompt_cache) {
    if (Status saved = prompt_cache->save(**ctx, ids); !saved.ok())
      std::fprintf(stderr, "zhi: warning: prompt cache not saved: %s\n", saved.message().c_str());
    print_prompt_cache(g.prompt_cached, static_cast<int64_t>(ids.size()));
  }
  std::fprintf(stderr, "\nprompt: %lld tokens, %.1f tokens/s | generation: %lld tokens, %.1f tokens/s | stop: %s | threads: %d\n",
               static_cast<long long>(s.prompt_tokens), s.prompt_tps(), static_cast<long long>(s.generated_tokens),
               s.generate_tps(), stop_reason_name(s.stop_reason), ctx.value()->n_threads());
  return 0;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "generate text from a prompt, streaming to stdout");
  add_run_flags(cmd, &a->run);
  add_sampling_flags(cmd, &a->sampling);
  cmd->add_option("-p,--prompt", a->prompt, "prompt text");
  cmd->add_option("-f,--file", a->prompt_file, "read the prompt from a file")->check(CLI::ExistingFile);
  cmd->add_option("-n,--n-predict", a->n_predict, "tokens to generate (-1 = until end of turn or full context)")
      ->check(CLI::Range(int64_t{-1}, int64_t{1} << 24));
  cmd->add_flag("--chat", a->chat, "wrap the prompt in the model's chat template as a user turn");
  cmd->add_option("--system", a->system, "system prompt (with --chat)");
  cmd->add_option("--stop", a->stops, "stop when this text appears (repeatable)");
  cmd->add_flag("--verbose-prompt", a->verbose_prompt, "print the prompt's token ids to stderr");
  cmd->add_option("--json-schema", a->json_schema,
                  "answer with JSON valid against this JSON Schema (a file, or the schema text); implies --chat");
  cmd->add_option("--tools", a->tools_file,
                  "JSON file of tools the model may call (answered by a stub that echoes the arguments); implies --chat")
      ->check(CLI::ExistingFile);
  cmd->add_option("--draft", a->draft,
                  "draft model (same vocabulary) for speculative decoding of greedy answers; implies --chat")
      ->check(CLI::ExistingFile);
  cmd->add_option("--prompt-cache", a->prompt_cache,
                  "directory of prompt cache files: the prompt's KV state is kept there, and a "
                  "later run whose prompt "
                  "starts the same way evaluates only the rest");
  cmd->add_option("--draft-tokens", a->draft_tokens, "tokens the draft proposes per step")->check(CLI::Range(1, 64));
  cmd->add_option(
         "--policy", a->policy,
         "compliance policy pack: moderate the prompt and the streamed answer (implies --chat)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option(
      "--export", a->export_path,
      "with --policy: write the answer, labelled (explicit label + AIGC metadata), here");
  cmd->add_option("--format", a->export_format, "export format: json or markdown");
  cmd->add_option(
      "--audit", a->audit,
      "with --policy: record the answer's ProduceID in this audit database (SQLite file or "
      "postgresql://...)");
  cmd->add_option(
      "--audit-spool", a->audit_spool,
      "where audit records wait while the database is down (policy on_write_failure: spool)");
  cmd->add_option("--provider", a->provider,
                  "model provider id, checked against the pack's routing");
  return {cmd, [a] { return run_main(*a); }};
}

}  // namespace zhi::cli
