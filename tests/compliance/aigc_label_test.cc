// GB 45438 labels: explicit text at the policy's position; implicit metadata
// through JSON and Markdown exports and back.
#include "compliance/aigc_label.h"

#include <gtest/gtest.h>

#include <set>

namespace zhi::compliance {
namespace {

LabelSettings settings() {
  LabelSettings s;
  s.content_producer = "PROD-001";
  s.content_propagator = "PROP-9";
  s.reserved_code1 = "r1";
  return s;
}

TEST(AigcLabel, ProduceIdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(new_produce_id());
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(new_produce_id().size(), 16u + 1 + 32);
}

TEST(AigcLabel, ExplicitLabelAtTheConfiguredEnd) {
  LabelSettings s = settings();
  const std::string end = add_explicit_label(s, "你好", "zh-CN");
  EXPECT_EQ(end, "你好\n【本内容由人工智能生成】");
  EXPECT_TRUE(has_explicit_label(s, end));
  s.position = LabelPosition::kStart;
  const std::string start = add_explicit_label(s, "hello", "en");
  EXPECT_EQ(start, "【AI-generated content】\nhello");
  EXPECT_TRUE(has_explicit_label(s, start));
  EXPECT_FALSE(has_explicit_label(s, "hello"));
  s.explicit_enabled = false;
  EXPECT_EQ(add_explicit_label(s, "hello", "en"), "hello");
}

TEST(AigcLabel, JsonShapeFollowsTheStandard) {
  const AigcMetadata m = make_aigc_metadata(settings(), "PID-1");
  EXPECT_EQ(
      aigc_json(m).dump(),
      R"({"AIGC":{"Label":"1","ContentProducer":"PROD-001","ProduceID":"PID-1","ReservedCode1":"r1",)"
      R"("ContentPropagator":"PROP-9","PropagateID":"","ReservedCode2":""}})");
}

TEST(AigcLabel, RoundTripThroughBothExportFormats) {
  const AigcMetadata m = make_aigc_metadata(settings(), new_produce_id());
  const std::string content = add_explicit_label(settings(), "第一行\n---\nsecond line", "zh-CN");
  for (ExportFormat f : {ExportFormat::kJson, ExportFormat::kMarkdown}) {
    const std::string file = export_labeled(f, content, m);
    Result<LabeledDocument> doc = read_labeled("x", file);
    ASSERT_TRUE(doc.ok()) << doc.status().to_string() << "\n" << file;
    EXPECT_EQ(doc->format, f);
    EXPECT_EQ(doc->aigc.produce_id, m.produce_id);
    EXPECT_EQ(doc->aigc.content_producer, "PROD-001");
    EXPECT_EQ(doc->aigc.content_propagator, "PROP-9");
    EXPECT_TRUE(has_explicit_label(settings(), doc->content));
    EXPECT_EQ(doc->content.substr(0, content.size()), content);
  }
}

TEST(AigcLabel, MissingOrBrokenMetadataIsReported) {
  EXPECT_NE(
      read_labeled("a.json", R"({"content": "x"})").status().message().find("a.json: no \"AIGC\""),
      std::string::npos);
  EXPECT_NE(
      read_labeled(
          "b.json",
          R"({"content": "x", "AIGC": {"Label": "0", "ContentProducer": "p", "ProduceID": "i"}})")
          .status()
          .message()
          .find("Label"),
      std::string::npos);
  EXPECT_NE(
      read_labeled("c.json", R"({"content": "x", "AIGC": {"Label": "1", "ContentProducer": "p"}})")
          .status()
          .message()
          .find("ProduceID"),
      std::string::npos);
  EXPECT_NE(read_labeled("d.md", "---\ntitle: x\n---\nbody\n").status().message().find("no AIGC"),
            std::string::npos);
  EXPECT_NE(read_labeled("e.md", "---\nAIGC: {\"Label\":\n").status().message().find("not closed"),
            std::string::npos);
  EXPECT_FALSE(read_labeled("f.txt", "just text").ok());
}

}  // namespace
}  // namespace zhi::compliance
