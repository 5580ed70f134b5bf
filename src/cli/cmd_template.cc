// zhi template: the prompt exactly as the model will see it.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "session/chat_prompt.h"

namespace zhi::cli {
namespace {

struct TemplateArgs {
  std::string model, messages, tools;
  bool no_generation_prompt = false;
  bool ids = false;
};

Result<nlohmann::ordered_json> read_json(const std::string& path, const char* flag) {
  ZHI_ASSIGN_OR_RETURN(std::string text, read_file(path));
  auto j = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return invalid_argument(std::string(flag) + " " + path + ": not valid JSON");
  return j;
}

int template_main(const TemplateArgs& a) {
  auto messages = read_json(a.messages, "--messages");
  if (!messages.ok()) return report(messages.status());
  nlohmann::ordered_json tools = nullptr;
  if (!a.tools.empty()) {
    auto t = read_json(a.tools, "--tools");
    if (!t.ok()) return report(t.status());
    tools = std::move(t).value();
  }
  auto chat = render_qwen2_chat(messages.value(), tools, !a.no_generation_prompt);
  if (!chat.ok()) return report(chat.status());
  if (!a.ids) {
    std::fwrite(chat->text.data(), 1, chat->text.size(), stdout);
    return 0;
  }
  if (a.model.empty()) return report(invalid_argument("--ids needs -m MODEL for its vocabulary"));
  auto lm = load_model(a.model);
  if (!lm.ok()) return report(lm.status());
  const auto ids = tokenize_chat(lm.value(), chat.value());
  for (size_t i = 0; i < ids.size(); ++i) std::printf("%s%d", i ? " " : "", ids[i]);
  std::printf("\n");
  return 0;
}

}  // namespace

Command add_template_command(CLI::App& app) {
  auto a = std::make_shared<TemplateArgs>();
  CLI::App* cmd = app.add_subcommand("template", "render chat messages with the Qwen2.5 template");
  cmd->add_option("-m,--model", a->model, "GGUF model (needed for --ids)");
  cmd->add_option("--messages", a->messages, "JSON file: array of {role, content, tool_calls?}")->required();
  cmd->add_option("--tools", a->tools, "JSON file: array of tool schemas");
  cmd->add_flag("--no-generation-prompt", a->no_generation_prompt, "do not open an assistant turn at the end");
  cmd->add_flag("--ids", a->ids, "print token ids instead of text (message text is tokenized as plain text)");
  return {cmd, [a] { return template_main(*a); }};
}

}  // namespace zhi::cli
