#include "core/host_load.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>

#if defined(__linux__)
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace zhi {

std::optional<CpuTimes> parse_proc_stat(std::string_view text, double ticks_per_s) {
  if (ticks_per_s <= 0 || !text.starts_with("cpu ")) return std::nullopt;
  text = text.substr(0, text.find('\n'));
  // user nice system idle iowait irq softirq steal [guest guest_nice]
  unsigned long long v[8];
  const char* p = text.data() + 3;
  const char* end = text.data() + text.size();
  for (auto& x : v) {
    while (p < end && *p == ' ') ++p;
    const auto r = std::from_chars(p, end, x);
    if (r.ec != std::errc()) return std::nullopt;
    p = r.ptr;
  }
  CpuTimes t;
  // Guest time is already inside user and nice.
  t.busy_s = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6]) / ticks_per_s;
  t.steal_s = static_cast<double>(v[7]) / ticks_per_s;
  return t;
}

std::optional<CpuTimes> read_cpu_times() {
#if defined(__linux__)
  std::ifstream f("/proc/stat");
  std::string line;
  if (!f || !std::getline(f, line)) return std::nullopt;
  auto t = parse_proc_stat(line, static_cast<double>(sysconf(_SC_CLK_TCK)));
  if (!t) return std::nullopt;
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return std::nullopt;
  const auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec * 1e-6; };
  t->self_s = secs(ru.ru_utime) + secs(ru.ru_stime);
  return t;
#else
  return std::nullopt;
#endif
}

double other_load_cpus(const CpuTimes& before, const CpuTimes& after, double wall_s) {
  if (wall_s <= 0) return 0;
  const double others = (after.busy_s - before.busy_s) + (after.steal_s - before.steal_s) -
                        (after.self_s - before.self_s);
  return std::max(0.0, others / wall_s);
}

void OtherLoadMeter::start() {
  before_ = read_cpu_times();
  t0_ = std::chrono::steady_clock::now();
}

void OtherLoadMeter::stop() {
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  const std::optional<CpuTimes> after = read_cpu_times();
  available_ = available_ && before_ && after;
  if (available_) others_s_ += other_load_cpus(*before_, *after, wall) * wall;
  seconds_ += wall;
}

}  // namespace zhi
