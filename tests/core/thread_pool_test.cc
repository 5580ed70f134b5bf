// The pool runs every task exactly once per job, across many back-to-back
// jobs, and shuts down cleanly however soon after construction it is
// destroyed.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/thread_pool.h"

namespace zhi {
namespace {

TEST(ThreadPool, RunsEveryTaskOnceAcrossManyJobs) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    std::vector<std::atomic<int>> hits(1000);
    for (int job = 0; job < 2000; ++job) {
      const int64_t n = 1 + job % 97;
      for (int64_t i = 0; i < n; ++i) hits[i].store(0);
      pool.run(n, [&](int64_t task, int thread) {
        ASSERT_GE(thread, 0);
        ASSERT_LT(thread, threads);
        hits[task].fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "job " << job << " task " << i;
    }
  }
}

TEST(ThreadPool, ResultsAreVisibleToTheCaller) {
  ThreadPool pool(4);
  std::vector<int64_t> out(10000);
  for (int rep = 0; rep < 50; ++rep) {
    pool.run(static_cast<int64_t>(out.size()), [&](int64_t task, int) { out[task] = task * rep; });
    for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], static_cast<int64_t>(i) * rep);
  }
}

TEST(ThreadPool, EmptyJobsAndImmediateShutdown) {
  for (int i = 0; i < 200; ++i) {
    ThreadPool pool(3);  // destroyed before its workers may have started
    if (i % 2) pool.run(0, [](int64_t, int) { FAIL(); });
  }
}

TEST(ThreadPool, PerThreadScratchIsNeverShared) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> in_use(3);
  pool.run(3000, [&](int64_t, int thread) {
    ASSERT_EQ(in_use[thread].fetch_add(1), 0);
    in_use[thread].fetch_sub(1);
  });
}

}  // namespace
}  // namespace zhi
