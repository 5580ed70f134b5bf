// zhi inspect: what a GGUF file holds, without running it.
#include <cstdio>
#include <map>

#include "cli/cli_common.h"
#include "gguf/gguf_reader.h"
#include "model/qwen2_config.h"

namespace zhi::cli {
namespace {

int inspect_main(const std::string& path, bool all_metadata) {
  auto file = GgufFile::open(path);
  if (!file.ok()) return report(file.status());
  const GgufFile& f = file.value();
  std::printf("file:        %s (%d part%s, %.1f MiB, GGUF v%u)\n", path.c_str(), f.part_count(),
              f.part_count() == 1 ? "" : "s", f.total_file_bytes() / 1048576.0, f.version());
  auto cfg = read_qwen2_config(f);
  if (cfg.ok()) {
    const Qwen2Config& c = cfg.value();
    std::printf("model:       %s\n", c.name.c_str());
    std::printf("arch:        qwen2, %lld layers, hidden %lld, heads %lld (kv %lld, head dim %lld), ffn %lld\n",
                static_cast<long long>(c.n_layer), static_cast<long long>(c.n_embd), static_cast<long long>(c.n_head),
                static_cast<long long>(c.n_head_kv), static_cast<long long>(c.head_dim), static_cast<long long>(c.n_ff));
    std::printf("context:     %lld trained; rope theta %g%s\n", static_cast<long long>(c.n_ctx_train), c.rope_theta,
                c.rope_scaling == RopeScaling::kYarn
                    ? (", YaRN x" + std::to_string(c.rope_factor) + " from " + std::to_string(c.rope_orig_ctx)).c_str()
                    : "");
    std::printf("vocab:       %lld rows; output %s\n", static_cast<long long>(c.n_vocab),
                c.tied_output ? "tied to token_embd" : "separate output.weight");
  } else {
    std::printf("model:       not runnable: %s\n", cfg.status().message().c_str());
  }
  if (auto toks = f.get_string_array("tokenizer.ggml.tokens"); toks.ok()) {
    auto model = f.get_string("tokenizer.ggml.model");
    auto pre = f.get_string("tokenizer.ggml.pre");
    auto merges = f.get_string_array("tokenizer.ggml.merges");
    std::printf("tokenizer:   %s/%s, %zu tokens, %zu merges", model.ok() ? model->c_str() : "?",
                pre.ok() ? pre->c_str() : "?", toks->size(), merges.ok() ? merges->size() : 0);
    for (const char* key : {"bos", "eos", "padding"}) {
      auto id = f.get_int(std::string("tokenizer.ggml.") + key + "_token_id");
      if (id.ok() && id.value() >= 0 && id.value() < static_cast<int64_t>(toks->size()))
        std::printf(", %s %lld %s", key, static_cast<long long>(id.value()), std::string((*toks)[id.value()]).c_str());
    }
    std::printf("\n");
  }
  if (all_metadata) {
    std::printf("\nmetadata (%zu keys):\n", f.metadata().size());
    for (const auto& [key, value] : f.metadata())
      std::printf("  %-45s %s\n", key.c_str(), value.describe().c_str());
  }
  std::map<std::string, std::pair<int, uint64_t>> by_type;
  std::printf("\ntensors (%zu):\n", f.tensors().size());
  std::printf("  %-32s %-8s %-22s %10s\n", "name", "type", "shape", "MiB");
  for (const GgufTensor& t : f.tensors()) {
    std::printf("  %-32s %-8s %-22s %10.2f\n", t.name.c_str(), type_name(t.type), t.shape_string().c_str(),
                t.n_bytes / 1048576.0);
    auto& e = by_type[type_name(t.type)];
    e.first++;
    e.second += t.n_bytes;
  }
  std::printf("\nby type:\n");
  for (const auto& [name, e] : by_type) std::printf("  %-8s %4d tensors %10.2f MiB\n", name.c_str(), e.first, e.second / 1048576.0);
  return 0;
}

}  // namespace

Command add_inspect_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("inspect", "show a GGUF file's architecture, tokenizer and tensors");
  cmd->add_option("model", *path, "GGUF file")->required();
  cmd->add_flag("--metadata", *all, "also list every metadata key");
  return {cmd, [path, all] { return inspect_main(*path, *all); }};
}

}  // namespace zhi::cli
