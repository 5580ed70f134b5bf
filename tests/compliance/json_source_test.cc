#include "compliance/json_source.h"

#include <gtest/gtest.h>

namespace zhi::compliance {
namespace {

constexpr const char* kDoc = R"({
  "a": 1,
  "b": {
    "c": [10,
      {"d": "x\"}]"},
      [1, 2]
    ],
    "e~f/g": true
  }
})";

TEST(JsonSource, LocatesPointersToTheirLines) {
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "")), 1u);
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "/a")), 2u);
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "/b/c/0")), 4u);
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "/b/c/1/d")),
            5u);  // escaped quote and brackets in a string
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "/b/c/2")), 6u);
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "/b/e~0f~1g")), 8u);
  // Missing keys fall back to the nearest existing parent.
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "/b/zzz")), 3u);
  EXPECT_EQ(line_at_offset(kDoc, locate_json_pointer(kDoc, "/b/c/9")), 4u);
}

TEST(JsonSource, ElementLines) {
  Result<JsonSource> s = JsonSource::parse("x.json", kDoc);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->element_lines("/b/c"), (std::vector<size_t>{4, 5, 6}));
}

TEST(JsonSource, SyntaxErrorNamesFileAndLine) {
  Result<JsonSource> s = JsonSource::parse("bad.json", "{\n  \"a\": 1,\n  \"b\": tru\n}\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruptFile);
  EXPECT_EQ(s.status().message().rfind("bad.json:3:", 0), 0u) << s.status().message();
}

TEST(JsonSource, ErrorAtPointer) {
  Result<JsonSource> s = JsonSource::parse("x.json", kDoc);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->error("/b/e~0f~1g", "nope").message(), "x.json:8: nope");
}

}  // namespace
}  // namespace zhi::compliance
