#include "session/chat_prompt.h"

namespace zhi {

std::vector<int32_t> tokenize_chat(const LoadedModel& lm, const RenderedChat& chat) {
  std::vector<int32_t> ids;
  for (const ChatPiece& piece : split_chat_specials(chat, lm.special_texts)) {
    if (piece.is_special) {
      ids.push_back(*lm.tokenizer->find_token(piece.text));
    } else {
      lm.tokenizer->encode_append(piece.text, /*parse_special=*/false, &ids);
    }
  }
  return ids;
}

Result<std::vector<int32_t>> chat_prompt_ids(const LoadedModel& lm, const nlohmann::ordered_json& messages,
                                             const nlohmann::ordered_json& tools, bool add_generation_prompt) {
  ZHI_ASSIGN_OR_RETURN(RenderedChat chat, render_qwen2_chat(messages, tools, add_generation_prompt));
  return tokenize_chat(lm, chat);
}

}  // namespace zhi
