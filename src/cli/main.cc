// zhi: run Qwen2.5 GGUF models on the CPU. Flags follow llama.cpp where it has them.
#include <cstdio>
#include <vector>

#include "cli/cli_common.h"

int main(int argc, char** argv) {
  using namespace zhi::cli;
  CLI::App app{"zhi (智): Qwen2.5 GGUF inference on the CPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "zhi 0.1.0");
  std::vector<Command> commands = {
      add_run_command(app),      add_chat_command(app),       add_inspect_command(app),
      add_tokenize_command(app), add_logits_command(app),     add_template_command(app),
      add_make_model_command(app), add_quantize_command(app), add_bench_command(app),
      add_moderate_command(app), add_label_command(app), add_audit_command(app),
      add_compliance_command(app), add_write_command(app), add_eval_command(app),
  };
  for (Command& c : add_feature_commands(app)) commands.push_back(std::move(c));
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const Command& c : commands) known = known || c.app->get_name() == argv[1];
    if (!known) {
      std::fprintf(stderr, "zhi: unknown command '%s' (see zhi --help)\n", argv[1]);
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  for (const Command& c : commands) {
    if (c.app->parsed()) return c.run();
  }
  return kExitUsage;
}
