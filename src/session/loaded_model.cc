#include "session/loaded_model.h"

#include <algorithm>
#include <filesystem>

#include "tokenizer/gguf_vocab.h"

namespace zhi {

bool LoadedModel::is_end_of_generation(int32_t id) const {
  return std::find(end_of_generation.begin(), end_of_generation.end(), id) != end_of_generation.end();
}

Result<LoadedModel> load_model(const std::string& path) {
  if (path.empty()) return invalid_argument("no model path given (use -m MODEL.gguf)");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_found(path + ": no such file");
  if (std::filesystem::is_directory(path, ec)) return invalid_argument(path + ": is a directory, not a GGUF file");
  ZHI_ASSIGN_OR_RETURN(GgufFile file, GgufFile::open(path));
  auto tok = tokenizer_from_gguf(file);
  if (!tok.ok()) return tok.status().with_context(path);
  auto model = Qwen2Model::from_file(std::move(file));
  if (!model.ok()) return model.status().with_context(path);
  LoadedModel lm;
  lm.model = std::move(model).value();
  lm.tokenizer = std::make_shared<const Tokenizer>(std::move(tok).value());
  const Tokenizer& t = *lm.tokenizer;
  if (t.n_vocab() > lm.model->config().n_vocab)
    return corrupt_file(path + ": tokenizer has " + std::to_string(t.n_vocab()) + " tokens but token_embd.weight only " +
                        std::to_string(lm.model->config().n_vocab) + " rows");
  for (const char* text : {"<|im_end|>", "<|endoftext|>"}) {
    if (auto id = t.find_token(text)) lm.end_of_generation.push_back(*id);
  }
  if (t.valid_id(t.eos_id()) && !lm.is_end_of_generation(t.eos_id())) lm.end_of_generation.push_back(t.eos_id());
  for (int32_t id = 0; id < t.n_vocab(); ++id) {
    if (t.is_special(id)) lm.special_texts.push_back(t.token_text(id));
  }
  return lm;
}

}  // namespace zhi
