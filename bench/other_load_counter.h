// A Google Benchmark counter for how many CPUs other processes kept busy
// while a benchmark ran (core/host_load.h): on a shared host a busy
// neighbour lowers a figure, and the figure alone would not say so.
// Declare one just before the timing loop; it sets "other_cpus" when the
// function returns, if the run was long enough for /proc/stat's ticks.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <optional>

#include "core/host_load.h"

namespace zhi {

class OtherLoadCounter {
 public:
  explicit OtherLoadCounter(benchmark::State& state)
      : state_(state), before_(read_cpu_times()), t0_(std::chrono::steady_clock::now()) {}
  ~OtherLoadCounter() {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    const std::optional<CpuTimes> after = read_cpu_times();
    if (before_ && after && wall >= 0.2)
      state_.counters["other_cpus"] = other_load_cpus(*before_, *after, wall);
  }
  OtherLoadCounter(const OtherLoadCounter&) = delete;
  OtherLoadCounter& operator=(const OtherLoadCounter&) = delete;

 private:
  benchmark::State& state_;
  std::optional<CpuTimes> before_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace zhi
