// matmul() through the active kernels: results do not depend on the thread
// count, and a token's outputs are the same whether it is evaluated alone
// (decode) or inside a batch (prefill), bit for bit.
#include "kernels/matmul.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "kernel_test_util.h"

namespace zhi {
namespace {

class Matmul : public ::testing::TestWithParam<GgmlType> {};

TEST_P(Matmul, IndependentOfThreadsAndBatching) {
  const GgmlType type = GetParam();
  const int64_t cols = testing::is_k_type(type) ? 512 : 96, rows = 203, nt = 21;
  const auto w = testing::make_weights(type, rows, cols, 17);
  const WeightMatrix m{type, w.data.data(), rows, cols, static_cast<uint64_t>(w.row_bytes)};
  const auto x = testing::random_floats(nt * cols, 23);
  std::vector<float> ref(nt * rows);
  ThreadPool one(1);
  matmul(m, x.data(), nt, ref.data(), one);
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    std::vector<float> out(nt * rows);
    matmul(m, x.data(), nt, out.data(), pool);
    EXPECT_EQ(std::memcmp(out.data(), ref.data(), out.size() * 4), 0) << threads << " threads";
  }
  // Token by token, as decode runs it.
  for (int64_t t = 0; t < nt; ++t) {
    std::vector<float> out(rows);
    matmul(m, x.data() + t * cols, 1, out.data(), one);
    EXPECT_EQ(std::memcmp(out.data(), ref.data() + t * rows, rows * 4), 0) << "token " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Types, Matmul, ::testing::ValuesIn(testing::weight_types()),
                         [](const auto& info) { return std::string(type_name(info.param)); });

// matmul_group gives each matrix exactly what matmul gives it, with mixed
// activation partners (Q8_0, Q8_K, F16), packed and file-layout matrices,
// more jobs than one pool pass takes, and any thread count or batch.
TEST(MatmulGroup, EqualsOneMatmulPerMatrix) {
  const int64_t cols = 512;
  const GgmlType types[] = {GgmlType::kQ5_0, GgmlType::kQ4_K, GgmlType::kQ8_0, GgmlType::kF16,
                            GgmlType::kQ4_0};
  const int64_t rows[] = {96, 40, 208, 33, 64};
  std::vector<testing::QuantWeights> ws;
  std::vector<WeightMatrix> mats;
  std::vector<std::unique_ptr<testing::AlignedBytes>> packed;
  for (int i = 0; i < 5; ++i) {
    ws.push_back(testing::make_weights(types[i], rows[i], cols, 40 + i));
  }
  for (int i = 0; i < 5; ++i) {
    WeightMatrix m{types[i], ws[i].data.data(), rows[i], cols,
                   static_cast<uint64_t>(ws[i].row_bytes)};
    if (packed_matrix_bytes(m) > 0) {
      packed.push_back(
          std::make_unique<testing::AlignedBytes>(static_cast<size_t>(packed_matrix_bytes(m))));
      pack_matrix(m, packed.back()->data(), [](const uint8_t*, size_t) {});
      m.packed = packed.back()->data();
    }
    mats.push_back(m);
  }
  for (int64_t nt : {1, 3, 17}) {
    const auto x = testing::random_floats(nt * cols, static_cast<uint32_t>(nt + 9));
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      std::vector<std::vector<float>> want(5), got(5);
      std::vector<MatmulJob> jobs;
      for (int i = 0; i < 5; ++i) {
        want[i].assign(nt * rows[i], 0.0f);
        got[i].assign(nt * rows[i], -1.0f);
        matmul(mats[i], x.data(), nt, want[i].data(), pool);
        jobs.push_back({&mats[i], got[i].data()});
      }
      matmul_group(jobs, x.data(), nt, pool);
      for (int i = 0; i < 5; ++i)
        EXPECT_EQ(std::memcmp(want[i].data(), got[i].data(), want[i].size() * 4), 0)
            << type_name(types[i]) << " tokens " << nt << " threads " << threads;
    }
  }
}

}  // namespace
}  // namespace zhi
