// zhi quantize IN OUT PRESET: re-encode every tensor with the preset's
// per-tensor type choices, as published files are made.
#include <cstdio>

#include "cli/cli_common.h"
#include "model/model_writer.h"

namespace zhi::cli {
namespace {

struct QuantizeArgs {
  std::string in, out, preset;
  int threads = default_threads();
};

int quantize_main(const QuantizeArgs& a) {
  auto preset = parse_preset(a.preset);
  if (!preset.ok()) return report(preset.status());
  if (a.in == a.out) return report(invalid_argument("output must differ from input"));
  ProgressBar bar("quantize");
  Status s = quantize_model(a.in, a.out, preset.value(), a.threads, [&](size_t done, size_t total) { bar.update(done, total); });
  bar.finish();
  if (!s.ok()) return report(s);
  std::fprintf(stderr, "zhi: wrote %s (%s)\n", a.out.c_str(), preset_name(preset.value()));
  return 0;
}

}  // namespace

Command add_quantize_command(CLI::App& app) {
  auto a = std::make_shared<QuantizeArgs>();
  CLI::App* cmd = app.add_subcommand("quantize", "convert a GGUF model to a quantization preset");
  cmd->add_option("input", a->in, "input GGUF")->required();
  cmd->add_option("output", a->out, "output GGUF")->required();
  cmd->add_option("preset", a->preset, "q4_0, q8_0, q4_k_m, q5_k_m, q6_k, f16, ...")->required();
  cmd->add_option("-t,--threads", a->threads, "threads")->check(CLI::Range(1, 512));
  return {cmd, [a] { return quantize_main(*a); }};
}

}  // namespace zhi::cli
