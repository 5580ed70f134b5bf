// The features' prompts, compiled in from src/features/prompts/<lang>/<name>.txt.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "zhi/errors.hpp"

namespace zhi::features {

struct EmbeddedPrompt {
  std::string_view name;  // "en/proofread"
  std::string_view text;
};

// Generated at build time (embed_prompts.cmake).
const std::vector<EmbeddedPrompt>& embedded_prompts();

// The prompt `lang`/`name` ("zh", "table"); kInternal when the build lacks it.
Expected<std::string> prompt_text(std::string_view lang, std::string_view name);

// Replaces each "{{key}}" with its value; a placeholder left unfilled is kInternal.
Expected<std::string> fill_prompt(std::string text,
                                  const std::map<std::string, std::string>& values);

}  // namespace zhi::features
