// A persistent pool: workers live as long as the pool, so no thread is
// created per token. Work is handed out in tasks through one atomic counter
// (dynamic chunking); idle workers spin briefly, then sleep.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace zhi {

class ThreadPool {
 public:
  using TaskFn = std::function<void(int64_t task, int thread)>;

  // n_threads counts the calling thread, which always takes part in run().
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(task, thread) once for every task in [0, n_tasks) and returns
  // when all are done. `thread` is in [0, size()) and lets callers index
  // per-thread scratch space without locking.
  void run(int64_t n_tasks, const TaskFn& fn);

 private:
  void worker_loop(int thread);
  void drain(int thread);

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> next_task_{0};
  std::atomic<int> busy_workers_{0};
  int64_t n_tasks_ = 0;
  const TaskFn* fn_ = nullptr;
  bool stop_ = false;
};

}  // namespace zhi
