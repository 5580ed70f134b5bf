#include "core/memory_bandwidth.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "core/page_buffer.h"

namespace zhi {
namespace {

// The sum of n 64-bit words at p (so the loads cannot be elided), read a
// 64-byte line at a time with the widest loads the CPU has, prefetching
// 1 KB ahead as the decode kernels do: the ceiling is what a kernel can
// reach. On the Xeon CI machine scalar loads read 12% less than AVX-512
// ones, and the decode kernels then measured at 119-125% of such a probe.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
uint64_t sum_words(const uint64_t* p, uint64_t n) {
  typedef uint64_t Line __attribute__((vector_size(64), aligned(8)));
  Line a = {}, b = {};
  uint64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    // A prefetch never faults, so running past the end is harmless.
    __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(p + i) + 1024));
    a += *reinterpret_cast<const Line*>(p + i);
    b += *reinterpret_cast<const Line*>(p + i + 8);
  }
  uint64_t sum = 0;
  for (int k = 0; k < 8; ++k) sum += a[k] + b[k];
  for (; i < n; ++i) sum += p[i];
  return sum;
}

}  // namespace

double measure_read_bandwidth_gbs(ThreadPool& pool, uint64_t bytes, int reps) {
  const uint64_t n = bytes / sizeof(uint64_t);
  // Mapped as the repacked weights are (transparent huge pages): in 4 KB
  // pages the probe read 6-20% less than decode streamed from them.
  PageBuffer pages = PageBuffer::allocate(static_cast<size_t>(n * sizeof(uint64_t)));
  std::vector<uint64_t> fallback(pages.data() == nullptr ? n : 0);
  uint64_t* buf = pages.data() != nullptr ? reinterpret_cast<uint64_t*>(pages.data()) : fallback.data();
  for (uint64_t i = 0; i < n; ++i) buf[i] = i;
  // 64 chunks per thread keeps both threads busy to the end.
  const int64_t chunks = static_cast<int64_t>(pool.size()) * 64;
  const uint64_t per_chunk = (n + chunks - 1) / chunks;
  std::vector<uint64_t> sums(pool.size() * 8, 0);  // spaced out: no false sharing
  std::vector<double> gbs;
  for (int r = 0; r < reps + 1; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.run(chunks, [&](int64_t c, int thread) {
      const uint64_t begin = c * per_chunk, end = std::min(n, begin + per_chunk);
      if (begin < end) sums[thread * 8] += sum_words(buf + begin, end - begin);
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0)
      gbs.push_back(static_cast<double>(n * sizeof(uint64_t)) / s / 1e9);  // first pass warms up
  }
  // The sums feed nothing, but reading them keeps the loads from being elided.
  volatile uint64_t sink = 0;
  for (uint64_t s : sums) sink = sink + s;
  std::sort(gbs.begin(), gbs.end());
  return gbs[gbs.size() / 2];
}

double peak_rss_mib() {
  // VmHWM is the value reset_peak_rss() resets; ru_maxrss is the fallback
  // where /proc is not mounted.
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f) != nullptr)
      if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    std::fclose(f);
    if (kib >= 0) return static_cast<double>(kib) / 1024.0;
  }
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

bool reset_peak_rss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  const bool ok = std::fputs("5", f) >= 0;
  return std::fclose(f) == 0 && ok;
}

}  // namespace zhi
