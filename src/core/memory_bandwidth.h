// Measures this machine's sustained memory read bandwidth, the ceiling for
// decode speed: every generated token streams all weights once.
#pragma once

#include <cstdint>

#include "core/thread_pool.h"

namespace zhi {

// Reads a buffer much larger than the caches `reps` times with every pool
// thread and returns the median GB/s (1e9 bytes per second).
double measure_read_bandwidth_gbs(ThreadPool& pool, uint64_t bytes = uint64_t{512} << 20,
                                  int reps = 5);

// Peak resident set size of this process so far (or since the last
// reset_peak_rss()), in MiB.
double peak_rss_mib();

// Restarts the peak at the current resident size (Linux clear_refs "5"), so
// a measurement's own buffers, once freed, stay out of a later peak. False
// where the kernel does not allow it; the peak then keeps counting them.
bool reset_peak_rss();

}  // namespace zhi
