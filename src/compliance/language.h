// Which language to answer in, guessed from the user's text: Chinese when it
// has at least as many Han characters as Latin-script words ("帮我写一个
// Python script" is Chinese, "tell me about 北京" is English).
#pragma once

#include <string>
#include <string_view>

namespace zhi::compliance {

// "zh-CN" or "en"; `fallback` when the text has neither script. Reads the
// first 4 KiB only.
std::string detect_language(std::string_view text, std::string_view fallback);

}  // namespace zhi::compliance
