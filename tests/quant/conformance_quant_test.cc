// Against the conformance pack: the reference quantizer made every conf-*.gguf
// from conf-f32.gguf, so quantizing conf-f32's tensors ourselves must give the
// same bytes, and dequantizing must land within each format's error bound.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "mini_gguf.h"
#include "quant/dequantize.h"
#include "quant/quantize.h"
#include "test_paths.h"

namespace zhi {
namespace {

using testing::MiniGguf;
using testing::MiniTensor;

std::string model_path(const std::string& name) {
  return testing::conformance_dir() + "/models/conf-" + name + ".gguf";
}

int64_t element_count(const MiniTensor& t) {
  int64_t n = 1;
  for (int64_t d : t.dims) n *= d;
  return n;
}

struct MatchStats {
  int tensors = 0;
  int tensors_exact = 0;
  int64_t blocks = 0;
  int64_t blocks_differing = 0;
  std::vector<std::string> mismatched;
};

// Quantizes every non-F32 tensor of `file` from the f32 model and compares bytes.
MatchStats compare_file(const MiniGguf& f32, const MiniGguf& file) {
  MatchStats stats;
  for (const MiniTensor& t : file.tensors()) {
    const auto type = static_cast<GgmlType>(t.type);
    if (type == GgmlType::kF32) continue;
    const MiniTensor* src = f32.find(t.name);
    EXPECT_NE(src, nullptr) << t.name;
    if (src == nullptr) continue;
    EXPECT_EQ(src->type, 0u) << t.name;
    EXPECT_EQ(src->dims, t.dims) << t.name;
    EXPECT_TRUE(can_quantize(type)) << t.name << " type " << t.type;
    if (!can_quantize(type)) continue;
    const int64_t n = element_count(t);
    const TypeInfo& info = type_info(type);
    const int64_t n_blocks = n / info.block_elems;
    std::vector<uint8_t> ours(static_cast<size_t>(n_blocks * info.block_bytes));
    const Status st = quantize_row(type, reinterpret_cast<const float*>(src->data), ours.data(), n);
    EXPECT_TRUE(st.ok()) << st.to_string();
    int64_t differing = 0;
    for (int64_t b = 0; b < n_blocks; ++b) {
      if (std::memcmp(ours.data() + b * info.block_bytes, t.data + b * info.block_bytes,
                      static_cast<size_t>(info.block_bytes)) != 0) {
        ++differing;
      }
    }
    ++stats.tensors;
    stats.blocks += n_blocks;
    stats.blocks_differing += differing;
    if (differing == 0) {
      ++stats.tensors_exact;
    } else {
      stats.mismatched.push_back(t.name + " (" + info.name + ", " + std::to_string(differing) + "/" +
                                 std::to_string(n_blocks) + " blocks differ)");
    }
  }
  return stats;
}

class ConformanceQuantTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceQuantTest, QuantizingF32ReproducesReferenceBytes) {
  ZHI_REQUIRE_CONFORMANCE();
  auto f32 = MiniGguf::open(model_path("f32"));
  auto file = MiniGguf::open(model_path(GetParam()));
  ASSERT_TRUE(f32.has_value());
  ASSERT_TRUE(file.has_value()) << model_path(GetParam());
  const MatchStats stats = compare_file(*f32, *file);
  ASSERT_GT(stats.tensors, 0);
  std::map<std::string, int> types;
  for (const MiniTensor& t : file->tensors()) ++types[type_name(static_cast<GgmlType>(t.type))];
  std::string mix;
  for (const auto& [name, count] : types) mix += " " + name + "×" + std::to_string(count);
  std::printf("[ conf-%s ] types:%s | %d/%d tensors byte-exact, %lld/%lld blocks differ\n", GetParam().c_str(),
              mix.c_str(), stats.tensors_exact, stats.tensors, static_cast<long long>(stats.blocks_differing),
              static_cast<long long>(stats.blocks));
  for (const std::string& m : stats.mismatched) ADD_FAILURE() << "conf-" << GetParam() << ": " << m;
}

INSTANTIATE_TEST_SUITE_P(AllFiles, ConformanceQuantTest,
                         ::testing::Values("f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k_m",
                                           "q4_k_m", "q5_k_m", "q6_k", "iq4_nl", "iq4_xs"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace zhi
