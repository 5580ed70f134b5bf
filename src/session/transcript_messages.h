// Transcript entries -> the OpenAI-style messages the chat template renders.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "zhi/transcript.hpp"

namespace zhi {

nlohmann::ordered_json transcript_messages(const std::vector<TranscriptEntry>& entries);

}  // namespace zhi
