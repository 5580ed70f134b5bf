// matmul() through the active kernels: results do not depend on the thread
// count, and a token's outputs are the same whether it is evaluated alone
// (decode) or inside a batch (prefill), bit for bit.
#include <gtest/gtest.h>

#include <cstring>

#include "core/thread_pool.h"
#include "kernel_test_util.h"
#include "kernels/matmul.h"

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

}  // namespace
}  // namespace zhi
