// zhi tokenize: text -> token ids, from a model's vocabulary or a tokenizer.json.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "gguf/gguf_reader.h"
#include "tokenizer/gguf_vocab.h"
#include "tokenizer/tokenizer.h"

namespace zhi::cli {
namespace {

struct TokenizeArgs {
  std::string model, vocab, text, jsonl;
  bool no_special = false;
};

Result<Tokenizer> open_tokenizer(const TokenizeArgs& a) {
  if (!a.vocab.empty()) return Tokenizer::from_hf_json_file(a.vocab);
  if (a.model.empty()) return invalid_argument("give -m MODEL.gguf or --vocab tokenizer.json");
  ZHI_ASSIGN_OR_RETURN(GgufFile f, GgufFile::open(a.model));
  auto t = tokenizer_from_gguf(f);
  if (!t.ok()) return t.status().with_context(a.model);
  return t;
}

int tokenize_main(const TokenizeArgs& a) {
  if (a.jsonl.empty() == a.text.empty()) return report(invalid_argument("give either TEXT or --jsonl FILE"));
  auto tok = open_tokenizer(a);
  if (!tok.ok()) return report(tok.status());
  const bool special = !a.no_special;
  if (!a.text.empty()) {
    const auto ids = tok->encode(a.text, special);
    for (size_t i = 0; i < ids.size(); ++i) std::printf("%s%d", i ? " " : "", ids[i]);
    std::printf("\n");
    return 0;
  }
  std::ifstream in(a.jsonl);
  if (!in) return report(not_found(a.jsonl + ": cannot open"));
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string())
      return report(invalid_argument(a.jsonl + ":" + std::to_string(line_no) + ": expected {\"text\": string}"));
    const std::string text = j["text"].get<std::string>();
    nlohmann::ordered_json out;
    out["text"] = text;
    out["ids"] = tok->encode(text, special);
    std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  }
  return 0;
}

}  // namespace

Command add_tokenize_command(CLI::App& app) {
  auto a = std::make_shared<TokenizeArgs>();
  CLI::App* cmd = app.add_subcommand("tokenize", "print the token ids of a text, or of each {\"text\"} line of a JSONL file");
  cmd->add_option("-m,--model", a->model, "GGUF model whose vocabulary to use");
  cmd->add_option("--vocab", a->vocab, "a Hugging Face tokenizer.json instead of a model");
  cmd->add_option("text", a->text, "text to tokenize");
  cmd->add_option("--jsonl", a->jsonl, "JSONL file of {\"text\": ...} lines; prints {\"text\", \"ids\"} lines");
  cmd->add_flag("--no-special", a->no_special, "treat special-token text (<|im_start|>) as plain text");
  return {cmd, [a] { return tokenize_main(*a); }};
}

}  // namespace zhi::cli
