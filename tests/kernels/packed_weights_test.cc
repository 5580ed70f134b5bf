// Packed (row-interleaved) weights: packing loses nothing, the packed decode
// and batched kernels give their scalar twins' results bit for bit on every
// ISA that has them, and matmul over a packed matrix equals matmul over the
// file layout (or, for batches under BatchArithmetic::kBlockSum, the
// block-sum twin), for any batch and thread count.
#include "kernels/packed_weights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/thread_pool.h"
#include "kernel_test_util.h"
#include "kernels/matmul.h"
#include "kernels/scalar/dot_scalar.h"
#if defined(__x86_64__)
#include "kernels/x86/x86_kernels.h"
#endif

namespace zhi {
namespace {

using testing::AlignedBytes;
using testing::make_weights;
using testing::QuantActs;
using testing::random_floats;

const GgmlType kPackedTypes[] = {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ5_0, GgmlType::kQ4_K,
                                 GgmlType::kQ6_K};

std::vector<int64_t> cols_for(GgmlType type) {
  if (testing::is_k_type(type)) return {256, 768};
  return {32, 96, 896};
}

std::vector<uint8_t> pack_all(const testing::QuantWeights& w) {
  const int64_t group_bytes = packed_group_bytes(w.type, w.cols);
  std::vector<uint8_t> out(static_cast<size_t>(w.rows / kPackRows * group_bytes));
  for (int64_t g = 0; g < w.rows / kPackRows; ++g)
    pack_group(w.type, w.data.data() + g * kPackRows * w.row_bytes, w.row_bytes, w.cols,
               out.data() + g * group_bytes);
  return out;
}

TEST(PackedWeights, SameSizeAndUnpackRestoresEveryByte) {
  for (GgmlType type : kPackedTypes) {
    ASSERT_TRUE(has_packed_layout(type)) << type_name(type);
    for (int64_t cols : cols_for(type)) {
      const auto w = make_weights(type, 48, cols, static_cast<uint32_t>(cols + 5));
      const auto packed = pack_all(w);
      EXPECT_EQ(static_cast<int64_t>(packed.size()), 48 * w.row_bytes) << type_name(type);
      std::vector<uint8_t> back(static_cast<size_t>(48 * w.row_bytes), 0xAB);
      for (int64_t g = 0; g < 3; ++g)
        unpack_group(type, packed.data() + g * packed_group_bytes(type, cols), cols,
                     back.data() + g * kPackRows * w.row_bytes, w.row_bytes);
      EXPECT_EQ(std::memcmp(back.data(), w.data.data(), back.size()), 0)
          << type_name(type) << " cols " << cols;
      // One row at a time, as embedding lookups read a packed tied matrix.
      std::vector<uint8_t> row(static_cast<size_t>(w.row_bytes));
      for (int64_t r = 0; r < 48; r += 5) {
        unpack_row(type, packed.data() + r / kPackRows * packed_group_bytes(type, cols), cols,
                   r % kPackRows, row.data());
        EXPECT_EQ(std::memcmp(row.data(), w.data.data() + r * w.row_bytes, row.size()), 0)
            << type_name(type) << " row " << r;
      }
    }
  }
  EXPECT_FALSE(has_packed_layout(GgmlType::kQ5_K));
  EXPECT_FALSE(has_packed_layout(GgmlType::kF16));
}

// Compares one packed decode kernel with the scalar twin over shapes that
// hit one and several groups, short and long rows; returns the cases run.
int check_decode_kernel(GemvPackedFn gemv, GgmlType type, const std::string& label) {
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  int checked = 0;
  for (int64_t cols : cols_for(type)) {
    for (int64_t rows : {16, 48}) {
      const auto w = make_weights(type, rows, cols, static_cast<uint32_t>(rows * 7 + cols));
      const auto packed = pack_all(w);
      // Outliers and both signs in the activations reach every code path.
      const auto x = random_floats(3 * cols, static_cast<uint32_t>(cols));
      QuantActs acts(activation_partner(type), x, 3, cols);
      for (int64_t t = 0; t < 3; ++t) {
        std::vector<float> want(rows), got(rows, -1.0f);
        const ActView one{acts.view.type, acts.view.row(t), acts.view.stride, cols};
        scalar->gemm_for(type)(w.data.data(), w.row_bytes, rows, one, 1, want.data(), rows);
        gemv(packed.data(), rows / kPackRows, acts.view, t, got.data());
        EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0)
            << label << " " << type_name(type) << " cols " << cols << " rows " << rows << " token "
            << t;
        ++checked;
      }
    }
  }
  return checked;
}

TEST(PackedWeights, DecodeKernelsMatchScalarTwinBitForBit) {
  int checked = 0;
  for (Isa isa : testing::runnable_isas()) {
    const KernelTable* k = kernels_for(isa);
    for (GgmlType type : kPackedTypes)
      if (const GemvPackedFn gemv = k->gemv_packed_for(type); gemv != nullptr)
        checked += check_decode_kernel(gemv, type, isa_name(isa));
  }
  if (checked == 0) GTEST_SKIP() << "no instruction set on this machine has a packed decode kernel";
}

#if defined(__x86_64__)
// The AVX2 table takes the AVX-VNNI decode kernels where the CPU has
// AVX-VNNI; both sets run here, whichever the table holds.
TEST(PackedWeights, Avx2DecodeMatchesTwinWithAndWithoutAvxVnni) {
  if (!cpu_supports(Isa::kAvx2)) GTEST_SKIP() << "this CPU cannot run the AVX2 kernels";
  testing::with_and_without(cpu_features().avxvnni, "AVX-VNNI", [](bool vnni) {
    KernelTable t;
    fill_avx2_packed(t);
    if (vnni) fill_avxvnni_packed(t);
    for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ5_0})
      EXPECT_GT(check_decode_kernel(t.gemv_packed_for(type), type, vnni ? "avx2+vnni" : "avx2"), 0);
  });
}

// The AVX-512 table holds one of two Q5_0 decode kernels, by whether the
// CPU has GFNI; the test above meets only that one, so both run here.
TEST(PackedWeights, Avx512Q5_0DecodeMatchesTwinWithAndWithoutGfni) {
  if (!cpu_supports(Isa::kAvx512)) GTEST_SKIP() << "this CPU cannot run the AVX-512 kernels";
  testing::with_and_without(cpu_features().gfni, "GFNI", [](bool gfni) {
    KernelTable t;
    fill_avx512_packed(t, gfni);
    EXPECT_GT(check_decode_kernel(t.gemv_packed_for(GgmlType::kQ5_0), GgmlType::kQ5_0,
                                  gfni ? "avx512+gfni" : "avx512"),
              0);
  });
}
#endif

TEST(PackedWeights, BatchedKernelsMatchScalarTwinBitForBit) {
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  int checked = 0;
  for (Isa isa : testing::runnable_isas()) {
    const KernelTable* k = kernels_for(isa);
    for (GgmlType type : kPackedTypes) {
      const GemmPackedFn gemm = k->gemm_packed_for(type);
      if (gemm == nullptr) continue;
      for (int64_t cols : cols_for(type)) {
        for (int64_t rows : {16, 48}) {
          const auto w = make_weights(type, rows, cols, static_cast<uint32_t>(rows * 3 + cols));
          const auto packed = pack_all(w);
          // Whole token tiles and a remainder.
          for (int64_t nt : {1, 2, 3, 8, 17}) {
            const auto x = random_floats(nt * cols, static_cast<uint32_t>(cols * 3 + nt));
            QuantActs acts(activation_partner(type), x, nt, cols);
            std::vector<float> want(nt * rows), got(nt * rows, -1.0f);
            scalar->gemm_for(type)(w.data.data(), w.row_bytes, rows, acts.view, nt, want.data(),
                                   rows);
            gemm(packed.data(), rows / kPackRows, acts.view, nt, got.data(), rows);
            EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0)
                << isa_name(isa) << " " << type_name(type) << " cols " << cols << " rows " << rows
                << " tokens " << nt;
            // Without the lane offsets the matmul makes, the kernel makes its own.
            ActView bare = acts.view;
            bare.lane_offsets = nullptr;
            std::fill(got.begin(), got.end(), -1.0f);
            gemm(packed.data(), rows / kPackRows, bare, nt, got.data(), rows);
            EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0)
                << isa_name(isa) << " " << type_name(type) << " cols " << cols << " rows " << rows
                << " tokens " << nt << " without lane offsets";
            ++checked;
          }
        }
      }
    }
  }
  if (checked == 0)
    GTEST_SKIP() << "no instruction set on this machine has a packed batched kernel";
}

// Rows so long that a kernel cannot hold all of a task's groups unpacked at
// once (x86: more than 512 KB of codes) and works through them in chunks;
// seven tokens, so a kernel that unpacks only for six or more does.
TEST(PackedWeights, BatchedKernelsMatchScalarTwinOnRowsTooLongForOneChunk) {
  const KernelTable* scalar = kernels_for(Isa::kScalar);
  constexpr int64_t kCols = 16384, kRows = 48;
  int checked = 0;
  for (Isa isa : testing::runnable_isas()) {
    const KernelTable* k = kernels_for(isa);
    for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ5_0, GgmlType::kQ6_K}) {
      const GemmPackedFn gemm = k->gemm_packed_for(type);
      if (gemm == nullptr) continue;
      const auto w = make_weights(type, kRows, kCols, 11);
      const auto packed = pack_all(w);
      const int64_t nt = 7;
      const auto x = random_floats(nt * kCols, 12);
      QuantActs acts(activation_partner(type), x, nt, kCols);
      std::vector<float> want(nt * kRows), got(nt * kRows, -1.0f);
      scalar->gemm_for(type)(w.data.data(), w.row_bytes, kRows, acts.view, nt, want.data(), kRows);
      gemm(packed.data(), kRows / kPackRows, acts.view, nt, got.data(), kRows);
      EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0)
          << isa_name(isa) << " " << type_name(type);
      ++checked;
    }
  }
  if (checked == 0)
    GTEST_SKIP() << "no instruction set on this machine has a packed batched kernel";
}

// The batched kernels' twin: each row's blocksum dot product, token by token.
std::vector<float> blocksum_reference(const testing::QuantWeights& w, const ActView& x,
                                      int64_t n_tokens) {
  const scalar::VecDotFn dot = scalar::blocksum_dot_for(static_cast<uint32_t>(w.type));
  std::vector<float> out(static_cast<size_t>(n_tokens * w.rows));
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t r = 0; r < w.rows; ++r)
      out[t * w.rows + r] = dot(w.data.data() + r * w.row_bytes, x, t);
  return out;
}

TEST(PackedWeights, BlockSumKernelsMatchBlockSumTwinBitForBit) {
  int checked = 0;
  for (Isa isa : testing::runnable_isas()) {
    const KernelTable* k = kernels_for(isa);
    for (GgmlType type : kPackedTypes) {
      const GemmPackedFn gemm = k->gemm_blocksum_for(type);
      if (gemm == nullptr) continue;
      ASSERT_NE(scalar::blocksum_dot_for(static_cast<uint32_t>(type)), nullptr) << type_name(type);
      for (int64_t cols : cols_for(type)) {
        for (int64_t rows : {16, 48}) {
          const auto w = make_weights(type, rows, cols, static_cast<uint32_t>(rows * 5 + cols));
          const auto packed = pack_all(w);
          // Every tile width: full tiles of 8 tokens and each remainder.
          for (int64_t nt : {1, 2, 3, 5, 7, 8, 9, 17, 64}) {
            const auto x = random_floats(nt * cols, static_cast<uint32_t>(cols + nt));
            QuantActs acts(activation_partner(type), x, nt, cols);
            const auto want = blocksum_reference(w, acts.view, nt);
            std::vector<float> got(want.size(), -1.0f);
            gemm(packed.data(), rows / kPackRows, acts.view, nt, got.data(), rows);
            EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0)
                << isa_name(isa) << " " << type_name(type) << " cols " << cols << " rows " << rows
                << " tokens " << nt;
            ++checked;
          }
        }
      }
    }
  }
  if (checked == 0) GTEST_SKIP() << "no instruction set on this machine has a block-sum kernel";
}

// The block-sum arithmetic differs from the eight-lane one only by f32
// rounding: a check that the twin computes the same dot product.
TEST(PackedWeights, BlockSumTwinAgreesWithLaneTwinToRounding) {
  for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ5_0}) {
    const int64_t rows = 32, cols = 896, nt = 4;
    const auto w = make_weights(type, rows, cols, 7);
    const auto x = random_floats(nt * cols, 8);
    QuantActs acts(activation_partner(type), x, nt, cols);
    const auto blocksum = blocksum_reference(w, acts.view, nt);
    const scalar::VecDotFn lanes = scalar::vec_dot_for(static_cast<uint32_t>(type));
    for (int64_t t = 0; t < nt; ++t)
      for (int64_t r = 0; r < rows; ++r) {
        const float want = lanes(w.data.data() + r * w.row_bytes, acts.view, t);
        EXPECT_NEAR(blocksum[t * rows + r], want, 1e-5f * (1.0f + std::fabs(want)))
            << type_name(type) << " row " << r << " token " << t;
      }
  }
}

TEST(PackedWeights, MatmulOverPackedEqualsFileLayoutOrBlockSumTwin) {
  int checked = 0;
  for (GgmlType type : kPackedTypes) {
    const int64_t cols = testing::is_k_type(type) ? 512 : 96,
                  rows = 208;  // 13 groups: tasks end mid-way through the unpack chunks
    const auto w = make_weights(type, rows, cols, 91);
    const WeightMatrix file{type, w.data.data(), rows, cols, static_cast<uint64_t>(w.row_bytes)};
    if (packed_matrix_bytes(file) == 0) continue;  // the active kernels decode this type row-major
    AlignedBytes buf(static_cast<size_t>(packed_matrix_bytes(file)));
    int64_t released = 0;
    pack_matrix(file, buf.data(),
                [&](const uint8_t*, size_t n) { released += static_cast<int64_t>(n); });
    EXPECT_EQ(released, rows * w.row_bytes) << "every source byte is reported consumed once";
    WeightMatrix packed = file;
    packed.packed = buf.data();
    std::vector<float> want_row(cols), got_row(cols);
    for (int64_t r : {int64_t{0}, int64_t{17}, rows - 1}) {
      dequantize_matrix_row(file, r, want_row.data());
      dequantize_matrix_row(packed, r, got_row.data());
      EXPECT_EQ(std::memcmp(want_row.data(), got_row.data(), cols * 4), 0)
          << type_name(type) << " row " << r;
    }
    const bool blocksum_kernel = active_kernels().gemm_blocksum_for(type) != nullptr;
    for (int64_t nt : {1, 3, 17, 64}) {
      const auto x = random_floats(nt * cols, static_cast<uint32_t>(nt));
      std::vector<float> file_layout(nt * rows);
      ThreadPool one(1);
      matmul(file, x.data(), nt, file_layout.data(), one);
      for (BatchArithmetic arith : {BatchArithmetic::kReference, BatchArithmetic::kBlockSum}) {
        // Decode, and every batch under kReference, give the file layout's
        // numbers; batches under kBlockSum give the block-sum twin's.
        std::vector<float> want = file_layout;
        if (arith == BatchArithmetic::kBlockSum && nt > 1 && blocksum_kernel) {
          QuantActs acts(activation_partner(type), x, nt, cols);
          want = blocksum_reference(w, acts.view, nt);
        }
        for (int threads : {1, 2, 3}) {
          ThreadPool pool(threads);
          std::vector<float> got(nt * rows, -1.0f);
          matmul(packed, x.data(), nt, got.data(), pool, arith);
          EXPECT_EQ(std::memcmp(want.data(), got.data(), want.size() * 4), 0)
              << type_name(type) << " tokens " << nt << " threads " << threads
              << (arith == BatchArithmetic::kBlockSum ? " block sums" : " reference");
          ++checked;
        }
      }
    }
  }
  if (checked == 0)
    GTEST_SKIP() << "the active kernels have no packed decode kernel (ISA "
                 << isa_name(active_kernels().isa) << ")";
}

}  // namespace
}  // namespace zhi
