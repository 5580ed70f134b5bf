#include "compliance/test_pack.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "compliance/policy_loader.h"
#include "test_paths.h"

namespace zhi::compliance::testing {
namespace {

constexpr const char* kTaxonomy = R"({
  "classes": [
    {"id": "T", "name": {"zh-CN": "测试", "en": "Test"},
     "refusal": {"zh-CN": "拒绝：测试", "en": "Refused: test"}}
  ],
  "categories": [
    {"id": "T.refuse", "slug": "test-refuse", "class": "T", "name": {"zh-CN": "拒绝", "en": "Refuse"}, "action": "refuse"},
    {"id": "T.mask", "slug": "test-mask", "class": "T", "name": {"zh-CN": "遮盖", "en": "Mask"}, "action": "mask"},
    {"id": "T.flag", "slug": "test-flag", "class": "T", "name": {"zh-CN": "标记", "en": "Flag"}, "action": "flag"}
  ]
}
)";

}  // namespace

std::string write_file(const std::string& name, const std::string& content) {
  const std::filesystem::path p = std::filesystem::path(zhi::testing::temp_dir()) / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

std::string write_pack(const std::string& name, const std::vector<ListSpec>& lists,
                       const std::string& allow) {
  const std::string dir = (std::filesystem::path(zhi::testing::temp_dir()) / name).string();
  std::filesystem::remove_all(dir);
  write_file(name + "/taxonomy.json", kTaxonomy);
  std::string refs;
  for (size_t i = 0; i < lists.size(); ++i) {
    const std::string file = "terms/list" + std::to_string(i) + ".txt";
    write_file(name + "/" + file, lists[i].content);
    refs += std::string(i ? ",\n    " : "") + R"({"file": ")" + file + R"(", "category": ")" +
            lists[i].category + R"(", "mode": ")" + lists[i].mode + R"("})";
  }
  std::string allow_ref;
  if (!allow.empty()) {
    write_file(name + "/allow.txt", allow);
    allow_ref = R"(,
  "allow_lists": [{"file": "allow.txt"}])";
  }
  write_file(name + "/pack.json", R"({
  "format": "zhi-policy/1",
  "identity": {"region": "test", "version": "1", "provider": {"name": "Test", "code": "TEST-1"}},
  "default_language": "zh-CN",
  "taxonomy": "taxonomy.json",
  "term_lists": [
    )" + refs + R"(
  ])" + allow_ref + R"(
}
)");
  return dir;
}

std::shared_ptr<const Moderator> make_moderator(const std::vector<ListSpec>& lists,
                                                const std::string& allow) {
  static std::atomic<int> n{0};
  const std::string dir = write_pack("pack" + std::to_string(n++), lists, allow);
  Result<PolicyPack> pack = load_policy_pack(dir);
  EXPECT_TRUE(pack.ok()) << pack.status().to_string();
  if (!pack.ok()) return nullptr;
  Result<std::shared_ptr<const Moderator>> m = Moderator::create(std::move(pack).value());
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  return m.ok() ? m.value() : nullptr;
}

}  // namespace zhi::compliance::testing
