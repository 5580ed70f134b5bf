// How busy the rest of the machine was while we measured. On a shared host
// a neighbour's job (or the hypervisor lending our CPU to another guest)
// can halve a benchmark figure without any sign in the figure itself, so
// `zhi bench` reports the CPU time that was not ours alongside its speeds.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace zhi {

// CPU seconds since boot, summed over every CPU (busy_s: user, nice,
// system, irq, softirq; steal_s: time the hypervisor ran someone else on
// our CPUs), and this process's own user + system seconds.
struct CpuTimes {
  double busy_s = 0;
  double steal_s = 0;
  double self_s = 0;
};

// Reads them now; nullopt where the platform has no /proc/stat (not Linux)
// or it cannot be read or parsed.
std::optional<CpuTimes> read_cpu_times();

// The machine-wide part of read_cpu_times: the first ("cpu ") line of a
// /proc/stat text, in ticks of 1/ticks_per_s seconds. nullopt when the line
// is missing or has fewer than the eight fields Linux has printed since 2.6.11.
std::optional<CpuTimes> parse_proc_stat(std::string_view text, double ticks_per_s);

// Average number of CPUs others kept busy between two readings `wall_s`
// seconds apart: the machine's busy and stolen time less our own. Never
// negative (the kernel's tick accounting and ours differ by a tick or two).
double other_load_cpus(const CpuTimes& before, const CpuTimes& after, double wall_s);

// Other load over one or more timed windows (a benchmark's runs, without
// what happens between them): start() and stop() around each window.
// /proc/stat counts in ticks (10 ms), so a caller decides from seconds()
// whether enough was measured for cpus() to mean anything.
class OtherLoadMeter {
 public:
  void start();
  void stop();  // after a start(); adds the window since it
  // False off Linux, or once any reading failed.
  bool available() const { return available_; }
  double seconds() const { return seconds_; }  // in the windows so far
  // Average CPUs others kept busy over the windows (0 before any).
  double cpus() const { return seconds_ > 0 ? others_s_ / seconds_ : 0; }

 private:
  std::optional<CpuTimes> before_;
  std::chrono::steady_clock::time_point t0_;
  double seconds_ = 0, others_s_ = 0;
  bool available_ = true;
};

}  // namespace zhi
