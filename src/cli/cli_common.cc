#include "cli/cli_common.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace zhi::cli {

int report(const Status& status) {
  std::fprintf(stderr, "zhi: %s\n", status.to_string().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 8u));
}

void add_run_flags(CLI::App* cmd, RunFlags* f) {
  cmd->add_option("-m,--model", f->model, "GGUF model file (first part of a split model)")->required();
  cmd->add_option("-t,--threads", f->threads, "threads")->check(CLI::Range(1, 512));
  cmd->add_option("-c,--ctx-size", f->ctx, "context size in tokens (0 = the model's training context)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 24));
  cmd->add_option("-b,--batch-size", f->batch, "prompt tokens per forward pass")->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  cmd->add_option("--kv-type", f->kv_type, "KV cache type: f16 or q8_0")->check(CLI::IsMember({"f16", "q8_0", "f32"}));
  cmd->add_flag("--fast-prompts", f->fast_prompts,
                "faster prompts over Q8_0/Q4_0/Q5_0 weights (block-sum arithmetic); "
                "logits are then not bit-exact with the reference engine");
}

Result<ContextOptions> context_options(const RunFlags& f) {
  ContextOptions o;
  o.n_ctx = f.ctx;
  o.n_batch = f.batch;
  o.n_threads = f.threads;
  o.batch_arithmetic = f.fast_prompts ? BatchArithmetic::kBlockSum : BatchArithmetic::kReference;
  ZHI_ASSIGN_OR_RETURN(o.kv_type, parse_type_name(f.kv_type));
  return o;
}

void add_sampling_flags(CLI::App* cmd, SamplingFlags* f) {
  SamplerConfig& c = f->config;
  cmd->add_option("--temp", c.temperature, "temperature; 0 = greedy");
  cmd->add_option("--top-k", c.top_k, "top-k (0 = off)");
  cmd->add_option("--top-p", c.top_p, "top-p (1 = off)");
  cmd->add_option("--min-p", c.min_p, "min-p (0 = off)");
  cmd->add_option("--repeat-penalty", c.repeat_penalty, "repetition penalty (1 = off)");
  cmd->add_option("--repeat-last-n", c.repeat_last_n, "tokens the penalties look back over");
  cmd->add_option("--presence-penalty", c.presence_penalty, "presence penalty");
  cmd->add_option("--frequency-penalty", c.frequency_penalty, "frequency penalty");
  cmd->add_option("-s,--seed", c.seed, "random seed");
  cmd->add_flag("--greedy", f->greedy, "always take the most likely token (same as --temp 0)");
}

SamplerConfig sampler_config(const SamplingFlags& f) {
  SamplerConfig c = f.config;
  if (f.greedy) c.temperature = 0.0f;
  return c;
}

GenerationOptions generation_options(const SamplingFlags& f, int64_t max_tokens) {
  const SamplerConfig sc = sampler_config(f);
  GenerationOptions g;
  g.greedy = sc.is_greedy();
  if (!g.greedy) g.temperature = sc.temperature;
  g.top_k = sc.top_k;
  g.top_p = sc.top_p;
  g.min_p = sc.min_p;
  g.seed = sc.seed;
  g.max_tokens = max_tokens;
  return g;
}

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), tty_(::isatty(2) != 0) {}

void ProgressBar::update(size_t done, size_t total) {
  const int percent = total ? static_cast<int>(100 * done / total) : 100;
  if (percent == last_percent_) return;
  last_percent_ = percent;
  constexpr int kWidth = 30;
  const int filled = percent * kWidth / 100;
  std::string bar(filled, '=');
  if (filled < kWidth) bar += '>' + std::string(kWidth - filled - 1, ' ');
  if (tty_) {
    std::fprintf(stderr, "\r%s [%s] %3d%% (%zu/%zu)", label_.c_str(), bar.c_str(), percent, done, total);
  } else if (percent % 10 == 0) {
    std::fprintf(stderr, "%s %3d%% (%zu/%zu)\n", label_.c_str(), percent, done, total);
  }
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (tty_) std::fprintf(stderr, "\n");
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error(path + ": read failed");
  return ss.str();
}

}  // namespace zhi::cli
