// A model file opened for generation: weights, the tokenizer built from the
// same file's metadata, and the ids that end a turn. Read-only once loaded,
// so many contexts (sessions) can share one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/qwen2_model.h"
#include "tokenizer/tokenizer.h"

namespace zhi {

struct LoadedModel {
  std::shared_ptr<const Qwen2Model> model;
  std::shared_ptr<const Tokenizer> tokenizer;
  std::vector<int32_t> end_of_generation;  // <|im_end|>, <|endoftext|>, eos
  std::vector<std::string> special_texts;  // texts of control/user-defined tokens

  bool is_end_of_generation(int32_t id) const;
};

Result<LoadedModel> load_model(const std::string& path);

}  // namespace zhi
