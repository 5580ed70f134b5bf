// Chat messages -> the exact token ids the model sees. Special tokens come
// only from the template; message text is always plain text, so a user who
// types "<|im_start|>" cannot open a new turn.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "session/loaded_model.h"
#include "tokenizer/chat_template.h"

namespace zhi {

std::vector<int32_t> tokenize_chat(const LoadedModel& lm, const RenderedChat& chat);

// Renders and tokenizes in one step.
Result<std::vector<int32_t>> chat_prompt_ids(const LoadedModel& lm, const nlohmann::ordered_json& messages,
                                             const nlohmann::ordered_json& tools, bool add_generation_prompt);

}  // namespace zhi
