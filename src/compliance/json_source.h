// A JSON file kept with its text, so that any error, syntax or meaning,
// names the file and the line: "policy/cn/taxonomy.json:42: ...".
// nlohmann reports where a syntax error is as a byte offset and keeps no
// positions for values, so the line of a value is found again from its JSON
// pointer, only when there is an error to report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zhi::compliance {

// 1-based line of a byte offset.
size_t line_at_offset(std::string_view text, size_t offset);

// Byte offset where the value at `pointer` ("/categories/3/action") starts,
// or where its nearest existing parent starts. `text` must be valid JSON.
size_t locate_json_pointer(std::string_view text, std::string_view pointer);

class JsonSource {
 public:
  // Reads and parses; a syntax error comes back as kCorruptFile "path:line: ...".
  static Result<JsonSource> read(const std::string& path);
  static Result<JsonSource> parse(std::string path, std::string text);

  const nlohmann::json& root() const { return root_; }
  const std::string& path() const { return path_; }
  size_t line_of(std::string_view pointer) const {
    return line_at_offset(text_, locate_json_pointer(text_, pointer));
  }
  // Line of each element of the array at `pointer`, in one pass (a 100,000
  // term list would make per-element lookups quadratic).
  std::vector<size_t> element_lines(std::string_view pointer) const;
  // kCorruptFile "path:line: message" for the value at `pointer`.
  Status error(std::string_view pointer, const std::string& message) const;

 private:
  std::string path_;
  std::string text_;
  nlohmann::json root_;
};

}  // namespace zhi::compliance
