// zhi run: one prompt in, streamed text out, speed on stderr.
#include <cstdio>

#include "cli/cli_common.h"
#include "session/chat_prompt.h"
#include "session/generate.h"

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
};

int run_main(const RunArgs& a) {
  std::string prompt = a.prompt;
  if (!a.prompt_file.empty()) {
    auto text = read_file(a.prompt_file);
    if (!text.ok()) return report(text.status());
    prompt = text.value();
  }
  if (prompt.empty()) return report(invalid_argument("no prompt: give -p TEXT or -f FILE"));
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
  auto stats = generate(**ctx, lm.value(), ids, g, [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  std::fprintf(stdout, "\n");
  if (!stats.ok()) return report(stats.status());
  const GenerateStats& s = stats.value();
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
  return {cmd, [a] { return run_main(*a); }};
}

}  // namespace zhi::cli
