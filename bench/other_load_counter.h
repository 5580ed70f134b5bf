// A Google Benchmark counter for how many CPUs other processes kept busy
// while a benchmark ran (core/host_load.h): on a shared host a busy
// neighbour lowers a figure, and the figure alone would not say so.
// Declare one just before the timing loop; it sets "other_cpus" when the
// function returns, if the run was long enough for /proc/stat's ticks.
#pragma once

#include <benchmark/benchmark.h>

#include "core/host_load.h"

namespace zhi {

class OtherLoadCounter {
 public:
  explicit OtherLoadCounter(benchmark::State& state) : state_(state) { meter_.start(); }
  ~OtherLoadCounter() {
    meter_.stop();
    if (meter_.available() && meter_.seconds() >= 0.2)
      state_.counters["other_cpus"] = meter_.cpus();
  }
  OtherLoadCounter(const OtherLoadCounter&) = delete;
  OtherLoadCounter& operator=(const OtherLoadCounter&) = delete;

 private:
  benchmark::State& state_;
  OtherLoadMeter meter_;
};

}  // namespace zhi
