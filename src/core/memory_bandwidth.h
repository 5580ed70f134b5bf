// Measures this machine's sustained memory read bandwidth, the ceiling for
// decode speed: every generated token streams all weights once.
#pragma once

#include <cstdint>

#include "core/thread_pool.h"

namespace zhi {

// Reads a buffer much larger than the caches `reps` times with every pool
// thread and returns the median GB/s (1e9 bytes per second).
double measure_read_bandwidth_gbs(ThreadPool& pool, uint64_t bytes = uint64_t{512} << 20, int reps = 5);

// Peak resident set size of this process so far, in MiB.
double peak_rss_mib();

}  // namespace zhi
