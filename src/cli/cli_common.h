// Shared pieces of the `zhi` front end: how subcommands register, how
// errors are printed, and the flags that several commands share.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/qwen2_context.h"
#include "session/sampler.h"
#include "zhi/options.hpp"

namespace zhi::cli {

// Exit codes: 0 ok, 1 runtime failure (bad file, over-long prompt), 2 bad usage.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Prints "zhi: <message>" to stderr and returns the exit code to use.
int report(const Status& status);

int default_threads();

// Flags shared by commands that run the model.
struct RunFlags {
  std::string model;
  int threads = default_threads();
  int64_t ctx = 4096;
  int64_t batch = 512;
  std::string kv_type = "f16";
  bool fast_prompts = false;
};
void add_run_flags(CLI::App* cmd, RunFlags* f);
Result<ContextOptions> context_options(const RunFlags& f);

struct SamplingFlags {
  SamplerConfig config;
  bool greedy = false;
};
void add_sampling_flags(CLI::App* cmd, SamplingFlags* f);
SamplerConfig sampler_config(const SamplingFlags& f);
// The Session API's generation options for these flags.
GenerationOptions generation_options(const SamplingFlags& f, int64_t max_tokens);

// Progress on stderr as "label [=====>     ] 45% (12/29)"; silent when stderr is not a terminal
// unless forced, so logs are not flooded.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void update(size_t done, size_t total);
  void finish();

 private:
  std::string label_;
  bool tty_;
  int last_percent_ = -1;
};

Result<std::string> read_file(const std::string& path);

// Each subcommand registers itself; main() calls `run` of the one chosen.
struct Command {
  CLI::App* app;
  std::function<int()> run;
};
Command add_run_command(CLI::App& app);
Command add_chat_command(CLI::App& app);
Command add_inspect_command(CLI::App& app);
Command add_tokenize_command(CLI::App& app);
Command add_logits_command(CLI::App& app);
Command add_template_command(CLI::App& app);
Command add_make_model_command(CLI::App& app);
Command add_quantize_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_moderate_command(CLI::App& app);
Command add_label_command(CLI::App& app);
Command add_audit_command(CLI::App& app);
Command add_compliance_command(CLI::App& app);
// Intelligence features: `write` (with its modes) and one command per other feature.
Command add_write_command(CLI::App& app);
std::vector<Command> add_feature_commands(CLI::App& app);
// zhi eval features: the feature quality eval (src/features/eval).
Command add_eval_command(CLI::App& app);

}  // namespace zhi::cli
