// Small policy packs written to a temp directory, for tests: three test
// categories, one per action, and whatever term lists a test needs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compliance/moderator.h"

namespace zhi::compliance::testing {

// Categories in every test pack: "T.refuse" (slug test-refuse), "T.mask"
// (test-mask), "T.flag" (test-flag). Refusals: "拒绝：测试" / "Refused: test".
constexpr const char* kRefusalZh = "拒绝：测试";
constexpr const char* kRefusalEn = "Refused: test";

struct ListSpec {
  std::string category;  // id or slug
  std::string mode;      // "auto", "substring", "word", "regex"
  std::string content;   // plain term file text
};

// Writes a pack to <temp>/<name> and returns its directory.
std::string write_pack(const std::string& name, const std::vector<ListSpec>& lists,
                       const std::string& allow = "");

// Writes `content` to <temp>/<name> and returns the path.
std::string write_file(const std::string& name, const std::string& content);

// A moderator over such a pack; fails the calling test on error.
std::shared_ptr<const Moderator> make_moderator(const std::vector<ListSpec>& lists,
                                                const std::string& allow = "");

}  // namespace zhi::compliance::testing
