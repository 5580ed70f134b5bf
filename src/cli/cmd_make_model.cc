// zhi make-model: random weights in the exact layout of a Qwen2.5 size, so
// benchmarks and demos run without downloads. Its text output is meaningless.
#include <cstdio>

#include "cli/cli_common.h"
#include "model/model_writer.h"
#include "tokenizer/hf_tokenizer_json.h"
#include "tokenizer/vocab_metadata.h"

namespace zhi::cli {
namespace {

struct MakeModelArgs {
  std::string shape = "0.5b", type = "q4_k_m", vocab, out;
  uint64_t seed = 1;
  int threads = default_threads();
};

int make_model_main(const MakeModelArgs& a) {
  auto shape = find_qwen2_shape(a.shape);
  if (!shape.ok()) return report(shape.status());
  auto preset = parse_preset(a.type);
  if (!preset.ok()) return report(preset.status());
  VocabData vocab;
  if (!a.vocab.empty()) {
    auto text = read_file(a.vocab);
    if (!text.ok()) return report(text.status());
    auto v = vocab_from_hf_json(text.value(), a.vocab);
    if (!v.ok()) return report(v.status());
    vocab = std::move(v).value();
    if (static_cast<int64_t>(vocab.tokens.size()) > shape->n_vocab)
      return report(invalid_argument("--vocab has " + std::to_string(vocab.tokens.size()) + " tokens, more than the " +
                                     shape->name + " shape's " + std::to_string(shape->n_vocab) + " rows"));
    pad_vocab(vocab, static_cast<int32_t>(shape->n_vocab));
    // Qwen2.5-Instruct files end turns with <|im_end|>; tokenizer.json names no eos.
    if (auto it = std::find(vocab.tokens.begin(), vocab.tokens.end(), "<|im_end|>"); it != vocab.tokens.end())
      vocab.eos_id = static_cast<int32_t>(it - vocab.tokens.begin());
  } else {
    vocab = synthetic_qwen_vocab(static_cast<int32_t>(shape->n_vocab));
  }
  SyntheticModelOptions o;
  o.shape = shape.value();
  o.preset = preset.value();
  o.seed = a.seed;
  o.n_threads = a.threads;
  o.add_vocab = [&](GgufWriter& w) { add_vocab_metadata(vocab, w); };
  std::fprintf(stderr, "zhi: writing a synthetic Qwen2.5-%s (%s, %s vocabulary) to %s\n", a.shape.c_str(),
               preset_name(o.preset), a.vocab.empty() ? "synthetic" : "real", a.out.c_str());
  ProgressBar bar("make-model");
  Status s = write_synthetic_model(o, a.out, [&](size_t done, size_t total) { bar.update(done, total); });
  bar.finish();
  if (!s.ok()) return report(s);
  std::fprintf(stderr, "zhi: wrote %s (random weights: generated text is meaningless)\n", a.out.c_str());
  return 0;
}

}  // namespace

Command add_make_model_command(CLI::App& app) {
  auto a = std::make_shared<MakeModelArgs>();
  CLI::App* cmd = app.add_subcommand("make-model", "write a random-weight model with a real Qwen2.5 layout");
  cmd->add_option("--shape", a->shape, "tiny, 0.5b, 1.5b, 3b or 7b");
  cmd->add_option("--type", a->type, "preset: f32, f16, q8_0, q4_0, q4_k_m, q5_k_m, q6_k, ...");
  cmd->add_option("--vocab", a->vocab, "Hugging Face tokenizer.json with the real Qwen vocabulary")->check(CLI::ExistingFile);
  cmd->add_option("--seed", a->seed, "random seed for the weights");
  cmd->add_option("-t,--threads", a->threads, "threads")->check(CLI::Range(1, 512));
  cmd->add_option("-o,--output", a->out, "output GGUF path")->required();
  return {cmd, [a] { return make_model_main(*a); }};
}

}  // namespace zhi::cli
