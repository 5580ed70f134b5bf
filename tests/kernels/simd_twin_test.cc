// Every SIMD kernel against its scalar twin, on every ISA this machine runs:
// results must agree bit for bit (the kernels keep the twins' lanes and
// summation order). Shapes hit the remainder paths: rows not a multiple of
// the row tile, batches of 1, 3, 17 and 64, odd column counts for the float
// formats.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "kernel_test_util.h"
#if defined(__x86_64__)
#include "kernels/x86/x86_kernels.h"
#endif

namespace zhi {
namespace {

using testing::AlignedBytes;
using testing::make_weights;
using testing::QuantActs;
using testing::random_floats;

std::string isa_label(Isa isa) { return isa_name(isa); }

// Bitwise comparison that prints the first difference.
void expect_same_bits(const std::vector<float>& want, const std::vector<float>& got,
                      const std::string& what) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::memcmp(&want[i], &got[i], 4) != 0) {
      ADD_FAILURE() << what << ": first difference at " << i << ": scalar " << want[i] << ", simd "
                    << got[i];
      return;
    }
  }
}

std::vector<int64_t> cols_for(GgmlType type) {
  if (testing::is_k_type(type)) return {256, 768};
  if (type == GgmlType::kF32 || type == GgmlType::kF16 || type == GgmlType::kBF16)
    return {64, 100, 896};
  return {32, 96, 896};
}

// gemm against the scalar twin over every shape below.
void check_gemm(GemmFn gemm, GgmlType type, const std::string& label) {
  ASSERT_NE(gemm, nullptr) << label;
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  const GgmlType partner = activation_partner(type);
  for (int64_t cols : cols_for(type)) {
    for (int64_t nt : {1, 2, 3, 7, 8, 17, 64}) {
      for (int64_t nr : {1, 3, 4, 5, 17, 33}) {
        if (nt == 64 && nr > 17) continue;  // enough coverage, keeps the test quick
        const std::string what = label + " " + type_name(type) + " cols " + std::to_string(cols) +
                                 " tokens " + std::to_string(nt) + " rows " + std::to_string(nr);
        const auto w = make_weights(type, nr, cols, static_cast<uint32_t>(cols * 31 + nr));
        const auto x = random_floats(nt * cols, static_cast<uint32_t>(nt * 7 + cols));
        QuantActs acts(partner, x, nt, cols);
        // Outputs land in a wider matrix (ldo > nr) to check the stride.
        const int64_t ldo = nr + 3;
        std::vector<float> want(nt * ldo, -1.0f), got(nt * ldo, -1.0f);
        scalar->gemm_for(type)(w.data.data(), w.row_bytes, nr, acts.view, nt, want.data(), ldo);
        gemm(w.data.data(), w.row_bytes, nr, acts.view, nt, got.data(), ldo);
        expect_same_bits(want, got, what);
      }
    }
  }
}

class SimdTwin : public ::testing::TestWithParam<std::tuple<Isa, GgmlType>> {};

TEST_P(SimdTwin, GemmMatchesScalarBitForBit) {
  const auto [isa, type] = GetParam();
  const KernelTable* simd = kernels_for(isa);
  if (simd == nullptr) GTEST_SKIP() << isa_name(isa) << " does not run here";
  check_gemm(simd->gemm_for(type), type, isa_name(isa));
}

#if defined(__x86_64__)
// The AVX2 table takes the AVX-VNNI kernels for the 32-element formats where
// the CPU has AVX-VNNI; the test above meets only what the table holds, so
// both sets run here.
TEST(SimdTwinAvx2, GemmMatchesScalarWithAndWithoutAvxVnni) {
  if (!cpu_supports(Isa::kAvx2)) GTEST_SKIP() << "this CPU cannot run the AVX2 kernels";
  testing::with_and_without(cpu_features().avxvnni, "AVX-VNNI", [](bool vnni) {
    KernelTable t;
    fill_avx2_gemm(t);
    if (vnni) fill_avxvnni_gemm(t);
    for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ5_0, GgmlType::kIQ4_NL,
                          GgmlType::kQ4_1, GgmlType::kQ5_1})
      check_gemm(t.gemm_for(type), type, vnni ? "avx2+vnni" : "avx2");
  });
}
#endif

std::vector<std::tuple<Isa, GgmlType>> all_cases() {
  std::vector<std::tuple<Isa, GgmlType>> out;
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512, Isa::kNeon})
    for (GgmlType t : testing::weight_types()) out.emplace_back(isa, t);
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, SimdTwin, ::testing::ValuesIn(all_cases()), [](const auto& info) {
  return isa_label(std::get<0>(info.param)) + "_" + type_name(std::get<1>(info.param));
});

class SimdQuantize : public ::testing::TestWithParam<Isa> {};

// Inputs with ties (x * 127/amax landing on .5), an all-zero block, a block
// whose extremes are +a and -a, and large dynamic range.
std::vector<float> awkward_inputs(int64_t n) {
  auto x = random_floats(n, 99);
  for (int64_t j = 0; j < 32 && j < n; ++j) x[j] = 0.0f;  // zero block
  for (int64_t j = 32; j < 64 && j < n; ++j) x[j] = static_cast<float>(j - 48) * 0.5f;  // ties
  if (n > 300) x[260] = -9.0f, x[290] = 9.0f;                // +-amax in one Q8_K block
  for (int64_t j = 512; j < 768 && j < n; ++j) x[j] = 0.0f;  // zero super-block
  return x;
}

TEST_P(SimdQuantize, QuantizersWriteTheScalarBytes) {
  const Isa isa = GetParam();
  const KernelTable* simd = kernels_for(isa);
  if (simd == nullptr) GTEST_SKIP() << isa_name(isa) << " does not run here";
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  for (GgmlType partner : {GgmlType::kQ8_0, GgmlType::kQ8_1, GgmlType::kQ8_K, GgmlType::kF16,
                           GgmlType::kBF16, GgmlType::kF32}) {
    for (int64_t cols : {256, 1024, 4864}) {
      const auto x = awkward_inputs(cols);
      const int64_t bytes = act_row_bytes(partner, cols);
      AlignedBytes a(static_cast<size_t>(bytes)), b(static_cast<size_t>(bytes));
      scalar->quantize_for(partner)(x.data(), cols, a.data());
      simd->quantize_for(partner)(x.data(), cols, b.data());
      EXPECT_EQ(std::memcmp(a.data(), b.data(), static_cast<size_t>(bytes)), 0)
          << type_name(partner) << " cols " << cols;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, SimdQuantize, ::testing::Values(Isa::kAvx2, Isa::kAvx512, Isa::kNeon),
                         [](const auto& info) { return isa_label(info.param); });

class SimdAttention : public ::testing::TestWithParam<std::tuple<Isa, GgmlType>> {};

TEST_P(SimdAttention, ValueSumsMatchScalar) {
  const auto [isa, cache] = GetParam();
  const KernelTable* simd = kernels_for(isa);
  if (simd == nullptr) GTEST_SKIP() << isa_name(isa) << " does not run here";
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  const uint32_t c = static_cast<uint32_t>(cache);
  for (int64_t hd : {64, 96, 128}) {
    for (int64_t n : {1, 5, 17, 100}) {
      // n positions of one head, `stride` bytes apart (two heads per position).
      // (Scores are the cache type's GemmFn, covered by SimdTwin.)
      const auto kv = make_weights(cache, 2 * n, hd, static_cast<uint32_t>(hd + n));
      const int64_t stride = 2 * kv.row_bytes;
      const auto p = random_floats(n, 8, 0.1f);
      std::vector<float> o_want(hd, 0.5f), o_got(hd, 0.5f);
      scalar->attn_accum[c](p.data(), kv.data.data(), stride, n, hd, o_want.data());
      simd->attn_accum[c](p.data(), kv.data.data(), stride, n, hd, o_got.data());
      expect_same_bits(o_want, o_got,
                       "values hd " + std::to_string(hd) + " n " + std::to_string(n));
      // Several queries over the same rows (grouped-query decode), 1 to 29
      // of them to cross the kernels' query tiles (6, 12, 14, 24 per slice).
      if (simd->attn_accum_multi[c] == nullptr) continue;
      for (int64_t nq : {1, 3, 7, 9, 14, 16, 29}) {
        const auto ps = random_floats(nq * (n + 3), static_cast<uint32_t>(nq), 0.1f);
        const int64_t ldo = hd + 5;
        std::vector<float> m_want(nq * ldo, 0.25f), m_got(nq * ldo, 0.25f);
        for (int64_t q = 0; q < nq; ++q)
          scalar->attn_accum[c](ps.data() + q * (n + 3), kv.data.data(), stride, n, hd,
                                m_want.data() + q * ldo);
        simd->attn_accum_multi[c](ps.data(), n + 3, nq, kv.data.data(), stride, n, hd, m_got.data(),
                                  ldo);
        expect_same_bits(m_want, m_got,
                         "multi-query values hd " + std::to_string(hd) + " n " + std::to_string(n) +
                             " queries " + std::to_string(nq));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, SimdAttention,
                         ::testing::Combine(::testing::Values(Isa::kAvx2, Isa::kAvx512, Isa::kNeon),
                                            ::testing::Values(GgmlType::kF16, GgmlType::kF32,
                                                              GgmlType::kQ8_0)),
                         [](const auto& info) {
                           return isa_label(std::get<0>(info.param)) + "_" +
                                  type_name(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace zhi

namespace zhi {
namespace {

// A table that silently kept a scalar kernel would pass the twin tests
// trivially; these are the types each ISA is expected to speed up.
TEST(KernelTables, SimdTablesOverrideEveryFormat) {
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
    const KernelTable* t = kernels_for(isa);
    if (t == nullptr) continue;
    EXPECT_EQ(t->isa, isa);
    for (GgmlType type : testing::weight_types())
      EXPECT_NE(t->gemm_for(type), scalar->gemm_for(type))
          << isa_name(isa) << " " << type_name(type);
    for (GgmlType p : {GgmlType::kQ8_0, GgmlType::kQ8_1, GgmlType::kQ8_K, GgmlType::kF16})
      EXPECT_NE(t->quantize_for(p), scalar->quantize_for(p))
          << isa_name(isa) << " " << type_name(p);
  }
}

// Attention's softmax and value sums (one query and several, for every
// cache type) have their own kernels where the ISA has them (AVX2 keeps one
// query for the Q8_0 cache).
TEST(KernelTables, AttentionKernelsOverrideTheTwins) {
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  for (Isa isa : {Isa::kAvx512, Isa::kNeon}) {
    const KernelTable* t = kernels_for(isa);
    if (t == nullptr) continue;
    EXPECT_NE(t->softmax, scalar->softmax) << isa_name(isa);
    EXPECT_NE(t->silu_mul, scalar->silu_mul) << isa_name(isa);
    for (GgmlType cache : {GgmlType::kF16, GgmlType::kF32, GgmlType::kQ8_0}) {
      const uint32_t c = static_cast<uint32_t>(cache);
      EXPECT_NE(t->attn_accum[c], scalar->attn_accum[c])
          << isa_name(isa) << " " << type_name(cache);
      EXPECT_NE(t->attn_accum_multi[c], nullptr) << isa_name(isa) << " " << type_name(cache);
    }
  }
}

TEST(KernelTables, ActiveTableIsTheBestOrTheRequestedOne) {
  const KernelTable& active = active_kernels();
  EXPECT_NE(kernels_for(active.isa), nullptr);
  if (kernel_selection_status().ok() && std::getenv("ZHI_ISA") == nullptr) {
    EXPECT_EQ(active.isa, best_isa());
  }
}

}  // namespace
}  // namespace zhi

namespace zhi {
namespace {

TEST(SimdRoundF16, MatchesScalarBitForBit) {
  // Ties, subnormal results, overflow to infinity and ordinary values.
  std::vector<float> base = testing::random_floats(1000, 4, 0.01f);
  base.push_back(65520.0f);            // rounds to infinity
  base.push_back(1.0f + 1.0f / 2048);  // a tie at 1
  base.push_back(3.0e-6f);             // f16 subnormal
  base.push_back(-1.0e-8f);            // rounds to -0
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
    const KernelTable* t = kernels_for(isa);
    if (t == nullptr) continue;
    auto want = base, got = base;
    kernels_for(Isa::kScalar)->round_f16(want.data(), static_cast<int64_t>(want.size()));
    t->round_f16(got.data(), static_cast<int64_t>(got.size()));
    EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0) << isa_name(isa);
  }
}

}  // namespace
}  // namespace zhi
