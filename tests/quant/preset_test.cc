#include "quant/preset.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "mini_gguf.h"
#include "test_paths.h"

namespace zhi {
namespace {

using testing::MiniGguf;

GgmlType type_for(Preset p, const std::string& name, const std::vector<int64_t>& dims, const PresetModelShape& m) {
  Result<GgmlType> r = preset_tensor_type(p, name, dims, m);
  EXPECT_TRUE(r.ok()) << name << ": " << r.status().to_string();
  return r.ok() ? *r : GgmlType::kQ8_1;
}

TEST(PresetTest, ParseNamesAndFileTypes) {
  EXPECT_EQ(*parse_preset("q4_k_m"), Preset::kQ4_K_M);
  EXPECT_EQ(*parse_preset("Q8_0"), Preset::kQ8_0);
  EXPECT_EQ(*parse_preset("f16"), Preset::kF16);
  EXPECT_EQ(*parse_preset("IQ4_nl"), Preset::kIQ4_NL);
  Result<Preset> bad = parse_preset("q4_k_xl");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("q4_k_xl"), std::string::npos);
  EXPECT_EQ(preset_file_type(Preset::kQ4_K_M), 15u);
  EXPECT_EQ(preset_file_type(Preset::kQ8_0), 7u);
  EXPECT_EQ(preset_file_type(Preset::kQ4_0), 2u);
  EXPECT_EQ(preset_file_type(Preset::kF16), 1u);
  for (Preset p : all_presets()) {
    EXPECT_EQ(*parse_preset(preset_name(p)), p);
  }
}

TEST(PresetTest, FallbackTable) {
  EXPECT_EQ(*fallback_type(GgmlType::kQ4_K, 896), GgmlType::kQ5_0);
  EXPECT_EQ(*fallback_type(GgmlType::kQ5_K, 896), GgmlType::kQ5_1);
  EXPECT_EQ(*fallback_type(GgmlType::kQ6_K, 896), GgmlType::kQ8_0);
  EXPECT_EQ(*fallback_type(GgmlType::kQ2_K, 896), GgmlType::kIQ4_NL);
  EXPECT_EQ(*fallback_type(GgmlType::kQ3_K, 896), GgmlType::kIQ4_NL);
  EXPECT_EQ(*fallback_type(GgmlType::kIQ4_XS, 896), GgmlType::kIQ4_NL);
  EXPECT_EQ(*fallback_type(GgmlType::kQ4_K, 1536), GgmlType::kQ4_K);
  EXPECT_EQ(*fallback_type(GgmlType::kQ4_K, 100), GgmlType::kF16);  // not even 32 fits
  EXPECT_FALSE(fallback_type(GgmlType::kQ8_0, 100).ok());
}

TEST(PresetTest, VectorsAndNormsStayF32) {
  const PresetModelShape m{24, 14, 2, false};
  for (Preset p : all_presets()) {
    EXPECT_EQ(type_for(p, "blk.0.attn_norm.weight", {896}, m), GgmlType::kF32);
    EXPECT_EQ(type_for(p, "blk.3.attn_q.bias", {896}, m), GgmlType::kF32);
    EXPECT_EQ(type_for(p, "output_norm.weight", {896}, m), GgmlType::kF32);
  }
}

TEST(PresetTest, RejectsBadInput) {
  const PresetModelShape m{2, 4, 2, false};
  EXPECT_FALSE(preset_tensor_type(Preset::kQ4_K_M, "blk.2.attn_v.weight", {256, 128}, m).ok());
  EXPECT_FALSE(preset_tensor_type(Preset::kQ4_K_M, "x.weight", {}, m).ok());
  EXPECT_FALSE(preset_tensor_type(Preset::kQ4_K_M, "x.weight", {0, 5}, m).ok());
  Result<GgmlType> r = preset_tensor_type(Preset::kQ8_0, "blk.0.ffn_up.weight", {100, 8}, m);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("blk.0.ffn_up.weight"), std::string::npos);
}

// Qwen2.5 tensor list for one shape: name -> dims.
std::vector<std::pair<std::string, std::vector<int64_t>>> qwen_tensors(int n_layers, int64_t hidden, int64_t kv,
                                                                       int64_t ffn, int64_t vocab) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> t = {{"token_embd.weight", {hidden, vocab}}};
  for (int i = 0; i < n_layers; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    t.push_back({b + "attn_q.weight", {hidden, hidden}});
    t.push_back({b + "attn_k.weight", {hidden, kv}});
    t.push_back({b + "attn_v.weight", {hidden, kv}});
    t.push_back({b + "attn_output.weight", {hidden, hidden}});
    t.push_back({b + "ffn_gate.weight", {hidden, ffn}});
    t.push_back({b + "ffn_up.weight", {hidden, ffn}});
    t.push_back({b + "ffn_down.weight", {ffn, hidden}});
  }
  return t;
}

std::map<GgmlType, int> type_mix(Preset p, const PresetModelShape& m,
                                 const std::vector<std::pair<std::string, std::vector<int64_t>>>& tensors) {
  std::map<GgmlType, int> mix;
  for (const auto& [name, dims] : tensors) ++mix[type_for(p, name, dims, m)];
  return mix;
}

// Qwen2.5-0.5B: hidden 896 is not a multiple of 256, FFN 4864 is (19·256).
// 24 layers; "more bits" layers are 0-2, 5, 8, 11, 14, 17, 20, 21-23 (12 of them).
TEST(PresetTest, Qwen05BShapeFallsBack) {
  const PresetModelShape m{24, 14, 2, false};
  const auto t = qwen_tensors(24, 896, 128, 4864, 151936);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "token_embd.weight", {896, 151936}, m), GgmlType::kQ8_0);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "blk.0.attn_q.weight", {896, 896}, m), GgmlType::kQ5_0);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "blk.0.attn_v.weight", {896, 128}, m), GgmlType::kQ8_0);  // Q6_K -> Q8_0
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "blk.3.attn_v.weight", {896, 128}, m), GgmlType::kQ5_0);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "blk.5.ffn_down.weight", {4864, 896}, m), GgmlType::kQ6_K);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "blk.4.ffn_down.weight", {4864, 896}, m), GgmlType::kQ4_K);
  EXPECT_EQ(type_mix(Preset::kQ4_K_M, m, t),
            (std::map<GgmlType, int>{{GgmlType::kQ5_0, 132}, {GgmlType::kQ8_0, 13}, {GgmlType::kQ4_K, 12},
                                     {GgmlType::kQ6_K, 12}}));
  EXPECT_EQ(type_mix(Preset::kQ5_K_M, m, t),
            (std::map<GgmlType, int>{{GgmlType::kQ5_1, 132}, {GgmlType::kQ8_0, 13}, {GgmlType::kQ5_K, 12},
                                     {GgmlType::kQ6_K, 12}}));
  // Q6_K: every 896-wide matrix falls back to Q8_0; ffn_down keeps Q6_K.
  EXPECT_EQ(type_mix(Preset::kQ6_K, m, t),
            (std::map<GgmlType, int>{{GgmlType::kQ8_0, 145}, {GgmlType::kQ6_K, 24}}));
  // Q4_0: token_embd wants Q6_K, which falls back to Q8_0.
  EXPECT_EQ(type_mix(Preset::kQ4_0, m, t), (std::map<GgmlType, int>{{GgmlType::kQ4_0, 168}, {GgmlType::kQ8_0, 1}}));
  EXPECT_EQ(type_mix(Preset::kQ8_0, m, t), (std::map<GgmlType, int>{{GgmlType::kQ8_0, 169}}));
  EXPECT_EQ(type_mix(Preset::kF16, m, t), (std::map<GgmlType, int>{{GgmlType::kF16, 169}}));
  // IQ4_NL with GQA 7 (>= 4): attn_v goes to Q5_K -> Q5_1; ffn_down of layers 0-2 to Q5_K.
  EXPECT_EQ(type_for(Preset::kIQ4_NL, "blk.9.attn_v.weight", {896, 128}, m), GgmlType::kQ5_1);
  EXPECT_EQ(type_for(Preset::kIQ4_NL, "blk.2.ffn_down.weight", {4864, 896}, m), GgmlType::kQ5_K);
  EXPECT_EQ(type_for(Preset::kIQ4_NL, "blk.3.ffn_down.weight", {4864, 896}, m), GgmlType::kIQ4_NL);
  // Q3_K_M: Q3_K falls back to IQ4_NL on 896-wide rows.
  EXPECT_EQ(type_for(Preset::kQ3_K_M, "blk.7.ffn_up.weight", {896, 4864}, m), GgmlType::kIQ4_NL);
}

// Qwen2.5-1.5B: hidden 1536 (6·256), FFN 8960 (35·256): real K-quants throughout.
// 28 layers; "more bits" layers: 0-2, 5, 8, 11, 14, 17, 20, 23, 24-27 (14).
TEST(PresetTest, Qwen15BShapeUsesKQuants) {
  const PresetModelShape m{28, 12, 2, false};
  const auto t = qwen_tensors(28, 1536, 256, 8960, 151936);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "token_embd.weight", {1536, 151936}, m), GgmlType::kQ6_K);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "blk.23.attn_v.weight", {1536, 256}, m), GgmlType::kQ6_K);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "blk.22.attn_v.weight", {1536, 256}, m), GgmlType::kQ4_K);
  EXPECT_EQ(type_mix(Preset::kQ4_K_M, m, t),
            (std::map<GgmlType, int>{{GgmlType::kQ4_K, 5 * 28 + 14 + 14}, {GgmlType::kQ6_K, 14 + 14 + 1}}));
  EXPECT_EQ(type_mix(Preset::kQ5_K_M, m, t),
            (std::map<GgmlType, int>{{GgmlType::kQ5_K, 5 * 28 + 14 + 14}, {GgmlType::kQ6_K, 14 + 14 + 1}}));
  EXPECT_EQ(type_mix(Preset::kQ6_K, m, t), (std::map<GgmlType, int>{{GgmlType::kQ6_K, 197}}));
  EXPECT_EQ(type_mix(Preset::kQ4_0, m, t), (std::map<GgmlType, int>{{GgmlType::kQ4_0, 196}, {GgmlType::kQ6_K, 1}}));
  // Untied (7B-style) output.weight gets Q6_K; token_embd then keeps the default.
  const PresetModelShape untied{28, 28, 4, true};
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "output.weight", {1536, 152064}, untied), GgmlType::kQ6_K);
  EXPECT_EQ(type_for(Preset::kQ4_K_M, "token_embd.weight", {1536, 152064}, untied), GgmlType::kQ4_K);
  EXPECT_EQ(type_for(Preset::kQ4_0, "token_embd.weight", {1536, 152064}, untied), GgmlType::kQ4_0);
}

// The conformance files were made by the reference quantizer: every tensor's
// type must be what the preset picks, and general.file_type must match.
TEST(PresetTest, MatchesConformanceFiles) {
  ZHI_REQUIRE_CONFORMANCE();
  const std::vector<std::pair<std::string, Preset>> files = {
      {"f32", Preset::kF32},       {"f16", Preset::kF16},       {"bf16", Preset::kBF16},
      {"q8_0", Preset::kQ8_0},     {"q4_0", Preset::kQ4_0},     {"q4_1", Preset::kQ4_1},
      {"q5_0", Preset::kQ5_0},     {"q5_1", Preset::kQ5_1},     {"q2_k", Preset::kQ2_K},
      {"q3_k_m", Preset::kQ3_K_M}, {"q4_k_m", Preset::kQ4_K_M}, {"q5_k_m", Preset::kQ5_K_M},
      {"q6_k", Preset::kQ6_K},     {"iq4_nl", Preset::kIQ4_NL}, {"iq4_xs", Preset::kIQ4_XS},
      {"untied-q8_0", Preset::kQ8_0},
  };
  for (const auto& [stem, preset] : files) {
    const std::string path = zhi::testing::conformance_dir() + "/models/conf-" + stem + ".gguf";
    auto g = MiniGguf::open(path);
    ASSERT_TRUE(g.has_value()) << path;
    PresetModelShape m;
    m.n_layers = static_cast<int>(g->int_value("qwen2.block_count").value_or(0));
    m.n_head = static_cast<int>(g->int_value("qwen2.attention.head_count").value_or(0));
    m.n_head_kv = static_cast<int>(g->int_value("qwen2.attention.head_count_kv").value_or(0));
    m.has_output = g->find("output.weight") != nullptr;
    EXPECT_EQ(g->int_value("general.file_type").value_or(-1), preset_file_type(preset)) << stem;
    for (const auto& t : g->tensors()) {
      EXPECT_EQ(type_for(preset, t.name, t.dims, m), static_cast<GgmlType>(t.type))
          << "conf-" << stem << " " << t.name << ": file has " << type_name(static_cast<GgmlType>(t.type));
    }
  }
}

}  // namespace
}  // namespace zhi
