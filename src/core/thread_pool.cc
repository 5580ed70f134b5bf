#include "core/thread_pool.h"

namespace zhi {
namespace {

constexpr int kTaskBits = 20;
constexpr uint64_t kTaskMask = (uint64_t{1} << kTaskBits) - 1;

inline uint64_t job_gen(uint64_t w) { return w >> (2 * kTaskBits); }
inline int64_t job_tasks(uint64_t w) { return static_cast<int64_t>((w >> kTaskBits) & kTaskMask); }
inline int64_t job_next(uint64_t w) { return static_cast<int64_t>(w & kTaskMask); }

// About 30-60 µs of polling: it bridges the gap between the matmuls of one
// token (a few µs) without a futex wake-up, and gives a core back soon when
// the pool is idle.
constexpr int kSpinIterations = 20000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  const int extra = n_threads > 1 ? n_threads - 1 : 0;
  workers_.reserve(extra);
  for (int i = 0; i < extra; ++i) workers_.emplace_back([this, i] { worker_loop(i + 1); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  wake_.fetch_add(1, std::memory_order_release);
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::drain(uint64_t job, int thread) {
  const uint64_t gen = job_gen(job);
  const int64_t n = job_tasks(job);
  uint64_t cur = job;
  for (;;) {
    if (job_gen(cur) != gen || job_next(cur) >= n) return;
    // Succeeds only while this job is current and the task unclaimed. The
    // job cannot finish, nor fn_ change, before a claimed task is done.
    // On failure cur holds the fresh value and is checked again.
    if (work_.compare_exchange_weak(cur, cur + 1, std::memory_order_acquire, std::memory_order_relaxed)) {
      (*fn_)(job_next(cur), thread);
      done_.fetch_add(1, std::memory_order_release);
      ++cur;
    }
  }
}

void ThreadPool::run(int64_t n_tasks, const TaskFn& fn) {
  if (n_tasks <= 0) return;
  if (workers_.empty() || n_tasks == 1) {
    for (int64_t t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  // Only this thread publishes jobs, and the previous one is finished, so
  // no worker can be running a task while fn_ changes.
  fn_ = &fn;
  done_.store(0, std::memory_order_relaxed);
  const uint64_t gen = job_gen(work_.load(std::memory_order_relaxed)) + 1;
  const uint64_t job = (gen << (2 * kTaskBits)) | (static_cast<uint64_t>(n_tasks) << kTaskBits);
  work_.store(job, std::memory_order_release);
  wake_.fetch_add(1, std::memory_order_release);
  wake_.notify_all();
  drain(job, 0);
  for (int i = 0; done_.load(std::memory_order_acquire) < n_tasks; ++i) {
    // A worker holds the last tasks. If it was descheduled, yielding lets
    // the OS run it on this core.
    if (i < kSpinIterations) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker_loop(int thread) {
  // wake_ starts at 0 and only changes after every worker exists, so a job
  // (or the stop) published before this thread first runs is still seen.
  uint32_t seen = 0;
  for (;;) {
    for (int i = 0; i < kSpinIterations && wake_.load(std::memory_order_acquire) == seen; ++i) cpu_relax();
    if (wake_.load(std::memory_order_acquire) == seen) wake_.wait(seen, std::memory_order_acquire);
    seen = wake_.load(std::memory_order_acquire);
    if (stop_.load(std::memory_order_acquire)) return;
    drain(work_.load(std::memory_order_acquire), thread);
  }
}

}  // namespace zhi
