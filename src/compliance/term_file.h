// Operators receive term lists as plain text, so packs and the command line
// accept that form as is: UTF-8, one term per line, blank lines skipped, a
// line whose first non-blank character is '#' is a comment ("\#" starts a
// term with '#'), surrounding white space trimmed, a leading BOM ignored.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace zhi::compliance {

struct TermLine {
  std::string text;
  size_t line;  // 1-based
};

// Invalid UTF-8 fails as kCorruptFile "path:line: ...".
Result<std::vector<TermLine>> read_term_file(const std::string& path);
Result<std::vector<TermLine>> parse_term_text(const std::string& path, const std::string& text);

}  // namespace zhi::compliance
