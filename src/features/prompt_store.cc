#include "features/prompt_store.h"

namespace zhi::features {

Expected<std::string> prompt_text(std::string_view lang, std::string_view name) {
  const std::string key = std::string(lang) + "/" + std::string(name);
  for (const EmbeddedPrompt& p : embedded_prompts()) {
    if (p.name == key) {
      std::string text(p.text);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      return text;
    }
  }
  return Error(ErrorCode::kInternal, "prompt " + key + ".txt is not compiled into this build");
}

Expected<std::string> fill_prompt(std::string text,
                                  const std::map<std::string, std::string>& values) {
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t open = text.find("{{", at);
    if (open == std::string::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    const std::string key = text.substr(open + 2, close - open - 2);
    const auto it = values.find(key);
    if (it == values.end())
      return Error(ErrorCode::kInternal, "prompt placeholder {{" + key + "}} has no value");
    out.append(text, at, open - at);
    out += it->second;
    at = close + 2;
  }
  out.append(text, at, std::string::npos);
  return out;
}

}  // namespace zhi::features
