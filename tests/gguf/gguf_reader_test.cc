#include "gguf/gguf_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "gguf/gguf_writer.h"
#include "test_paths.h"

namespace zhi {
namespace {

TEST(GgufReader, OpensEveryConformanceModel) {
  ZHI_REQUIRE_CONFORMANCE();
  int seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(testing::conformance_dir() + "/models")) {
    const std::string p = e.path().string();
    if (p.find("-0000") != std::string::npos && p.find("-00001-of-") == std::string::npos) continue;
    auto f = GgufFile::open(p);
    ASSERT_TRUE(f.ok()) << f.status().to_string();
    EXPECT_EQ(f->get_string("general.architecture").value(), "qwen2") << p;
    EXPECT_EQ(f->get_int("qwen2.embedding_length").value(), 256) << p;
    EXPECT_NE(f->find_tensor("token_embd.weight"), nullptr) << p;
    ++seen;
  }
  EXPECT_GE(seen, 17);
}

TEST(GgufReader, SplitModelLoadsAsOne) {
  ZHI_REQUIRE_CONFORMANCE();
  const std::string dir = testing::conformance_dir() + "/models/";
  auto whole = GgufFile::open(dir + "conf-q4_k_m.gguf");
  auto split = GgufFile::open(dir + "conf-split-q4_k_m-00001-of-00003.gguf");
  ASSERT_TRUE(whole.ok()) << whole.status().to_string();
  ASSERT_TRUE(split.ok()) << split.status().to_string();
  EXPECT_EQ(split->part_count(), 3);
  ASSERT_EQ(whole->tensors().size(), split->tensors().size());
  for (const auto& t : whole->tensors()) {
    const GgufTensor* s = split->find_tensor(t.name);
    ASSERT_NE(s, nullptr) << t.name;
    EXPECT_EQ(s->type, t.type);
    EXPECT_EQ(s->dims, t.dims);
    ASSERT_EQ(s->n_bytes, t.n_bytes);
    EXPECT_EQ(0, std::memcmp(s->data, t.data, t.n_bytes)) << t.name;
  }
  auto second = GgufFile::open(dir + "conf-split-q4_k_m-00002-of-00003.gguf");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("open the first part"), std::string::npos);
}

TEST(GgufWriter, RoundTripsMetadataAndTensors) {
  GgufWriter w;
  w.set("general.architecture", GgufValue::from_string("qwen2"));
  w.set("test.u32", GgufValue::from_u32(7));
  w.set("test.f32", GgufValue::from_f32(1.5f));
  w.set("test.strings", GgufValue::from_string_array({"a", "", "中文"}));
  w.set("test.ints", GgufValue::from_i32_array({1, -2, 3}));
  std::vector<float> data(64 * 3);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i);
  ASSERT_TRUE(w.add_tensor("w", GgmlType::kF32, {64, 3}, [&](uint8_t* dst, uint64_t n) {
                 std::memcpy(dst, data.data(), n);
                 return Status();
               }).ok());
  const std::string path = testing::temp_dir() + "/roundtrip.gguf";
  ASSERT_TRUE(w.write(path).ok());
  auto f = GgufFile::open(path);
  ASSERT_TRUE(f.ok()) << f.status().to_string();
  EXPECT_EQ(f->get_int("test.u32").value(), 7);
  EXPECT_FLOAT_EQ(static_cast<float>(f->get_float("test.f32").value()), 1.5f);
  auto strings = f->get_string_array("test.strings").value();
  ASSERT_EQ(strings.size(), 3u);
  EXPECT_EQ(strings[2], "中文");
  EXPECT_EQ(f->get_int_array("test.ints").value(), (std::vector<int64_t>{1, -2, 3}));
  const GgufTensor* t = f->find_tensor("w");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->dims, (std::vector<int64_t>{64, 3}));
  EXPECT_EQ(0, std::memcmp(t->data, data.data(), data.size() * 4));
  // Type mismatches name the key.
  auto bad = f->get_string("test.u32");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("test.u32"), std::string::npos);
  EXPECT_FALSE(f->get_int("missing.key").ok());
}

}  // namespace
}  // namespace zhi
