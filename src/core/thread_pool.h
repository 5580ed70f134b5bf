// A persistent pool: workers live as long as the pool, so no thread is
// created per token. Work is handed out in tasks through one atomic word
// (dynamic chunking). Idle workers spin briefly, then sleep on a futex.
//
// run() returns when every task is done, not when every worker has checked
// in: a worker that the OS has descheduled (the machine is shared, or has
// fewer cores than threads) simply takes no task, and the calling thread does
// the work instead of waiting for it to wake.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
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
  // per-thread scratch space without locking. n_tasks < 2^20.
  void run(int64_t n_tasks, const TaskFn& fn);

 private:
  void worker_loop(int thread);
  // Claims and runs tasks of the job `job` (a snapshot of work_) until none
  // are left or a newer job has replaced it.
  void drain(uint64_t job, int thread);

  std::vector<std::thread> workers_;
  // (generation << 40) | (n_tasks << 20) | next_task: claiming a task is a
  // compare-and-swap on this word, so a claim made against a finished job's
  // snapshot fails instead of running a stale task.
  alignas(64) std::atomic<uint64_t> work_{0};
  alignas(64) std::atomic<int64_t> done_{0};
  alignas(64) std::atomic<uint32_t> wake_{0};  // bumped per job; sleepers wait on it
  const TaskFn* fn_ = nullptr;
  std::atomic<bool> stop_{false};
};

}  // namespace zhi
