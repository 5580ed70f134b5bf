#include "compliance/term_file.h"

#include <fstream>
#include <sstream>

#include "compliance/utf8_codec.h"

namespace zhi::compliance {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

Result<std::vector<TermLine>> read_term_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return io_error(path + ": read failed");
  return parse_term_text(path, ss.str());
}

Result<std::vector<TermLine>> parse_term_text(const std::string& path, const std::string& text) {
  std::vector<TermLine> out;
  size_t pos = 0, line = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
  while (pos < text.size()) {
    ++line;
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    size_t b = pos, e = end;
    pos = end + 1;
    while (b < e && is_blank(text[b])) ++b;
    while (e > b && is_blank(text[e - 1])) --e;
    if (b == e || text[b] == '#') continue;
    std::string term = text.substr(b, e - b);
    if (term.compare(0, 2, "\\#") == 0) term.erase(0, 1);
    if (!is_valid_utf8(term))
      return corrupt_file(path + ":" + std::to_string(line) + ": not valid UTF-8");
    out.push_back({std::move(term), line});
  }
  return out;
}

}  // namespace zhi::compliance
