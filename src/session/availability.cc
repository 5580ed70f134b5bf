#include "session/availability.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "gguf/gguf_reader.h"
#include "model/kv_cache.h"
#include "model/qwen2_config.h"

namespace zhi {
namespace {

// MemAvailable counts reclaimable page cache, which is where mapped weights live.
uint64_t meminfo_available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

// A cgroup (container) limit can be far below what the machine has.
uint64_t cgroup_available_bytes() {
  std::ifstream max_in("/sys/fs/cgroup/memory.max");
  std::ifstream cur_in("/sys/fs/cgroup/memory.current");
  std::string max_text;
  uint64_t current = 0;
  if (!(max_in >> max_text) || max_text == "max" || !(cur_in >> current)) return 0;
  const uint64_t limit = std::stoull(max_text);
  return limit > current ? limit - current : 0;
}

std::string gib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

Availability unavailable(AvailabilityStatus status, std::string reason) {
  Availability a;
  a.status = status;
  a.reason = std::move(reason);
  return a;
}

}  // namespace

const char* availability_status_name(AvailabilityStatus status) {
  switch (status) {
    case AvailabilityStatus::kAvailable: return "available";
    case AvailabilityStatus::kModelFileMissing: return "model_file_missing";
    case AvailabilityStatus::kModelFileUnreadable: return "model_file_unreadable";
    case AvailabilityStatus::kInsufficientMemory: return "insufficient_memory";
    case AvailabilityStatus::kUnsupportedCpu: return "unsupported_cpu";
  }
  return "unknown";
}

SystemResources current_system_resources() {
  SystemResources s;
  s.available_bytes = meminfo_available_bytes();
  const uint64_t cgroup = cgroup_available_bytes();
  if (cgroup != 0 && (s.available_bytes == 0 || cgroup < s.available_bytes)) s.available_bytes = cgroup;
  s.cpu = cpu_features();
  return s;
}

std::vector<std::string> compiled_cpu_requirements() {
  std::vector<std::string> r;
#if defined(__AVX2__)
  r.emplace_back("avx2");
#endif
#if defined(__FMA__)
  r.emplace_back("fma");
#endif
#if defined(__F16C__)
  r.emplace_back("f16c");
#endif
#if defined(__AVX512F__)
  r.emplace_back("avx512f");
#endif
#if defined(__AVX512BW__)
  r.emplace_back("avx512bw");
#endif
#if defined(__AVX512VNNI__)
  r.emplace_back("avx512vnni");
#endif
#if defined(__ARM_FEATURE_DOTPROD)
  r.emplace_back("dotprod");
#endif
#if defined(__ARM_FEATURE_MATMUL_INT8)
  r.emplace_back("i8mm");
#endif
  return r;
}

std::vector<std::string> missing_cpu_features(const std::vector<std::string>& required, const CpuFeatures& cpu) {
  const std::pair<const char*, bool> have[] = {
      {"avx2", cpu.avx2},         {"fma", cpu.fma},           {"f16c", cpu.f16c},       {"avx512f", cpu.avx512f},
      {"avx512bw", cpu.avx512bw}, {"avx512vnni", cpu.avx512vnni}, {"dotprod", cpu.dotprod}, {"i8mm", cpu.i8mm},
      {"neon", cpu.neon},
  };
  std::vector<std::string> missing;
  for (const std::string& name : required) {
    bool found = false;
    for (const auto& [n, ok] : have) found = found || (name == n && ok);
    if (!found) missing.push_back(name);
  }
  return missing;
}

uint64_t kv_cache_bytes(int64_t n_layer, int64_t kv_dim, int64_t context_size, KvCacheType type) {
  // The cache reserves whole chunks of positions (KvCache::kChunkPositions).
  context_size = (context_size + KvCache::kChunkPositions - 1) / KvCache::kChunkPositions *
                 KvCache::kChunkPositions;
  // Bytes per value; Q8_0 stores 32 values in 34 bytes.
  double per_value = 2.0;
  if (type == KvCacheType::kF32) per_value = 4.0;
  if (type == KvCacheType::kQ8_0) per_value = 34.0 / 32.0;
  return static_cast<uint64_t>(2.0 * static_cast<double>(n_layer) * static_cast<double>(kv_dim) *
                               static_cast<double>(context_size) * per_value);
}

Availability check_availability_with(const std::string& path, const ModelOptions& options,
                                     const SystemResources& system) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec))
    return unavailable(AvailabilityStatus::kModelFileMissing, (path.empty() ? "(no path)" : path) + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    return unavailable(AvailabilityStatus::kModelFileUnreadable, path + ": is a directory, not a GGUF file");
  if (::access(path.c_str(), R_OK) != 0)
    return unavailable(AvailabilityStatus::kModelFileUnreadable, path + ": not readable (permission denied)");
  auto file = GgufFile::open(path);
  if (!file.ok()) return unavailable(AvailabilityStatus::kModelFileUnreadable, file.status().message());
  auto config = read_qwen2_config(file.value());
  if (!config.ok()) return unavailable(AvailabilityStatus::kModelFileUnreadable, path + ": " + config.status().message());

  const std::vector<std::string> missing = missing_cpu_features(system.required_isa, system.cpu);
  if (!missing.empty()) {
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    return unavailable(AvailabilityStatus::kUnsupportedCpu,
                       "this build of Zhi needs CPU instruction sets the processor lacks: " + names);
  }

  const int64_t ctx = options.context_size == 0 ? config->n_ctx_train : options.context_size;
  // Weights are mapped and stream in full per token; the KV cache is one
  // session's; logits and activations are small beside them but counted.
  const uint64_t weights = file->total_file_bytes();
  const uint64_t kv = kv_cache_bytes(config->n_layer, config->kv_dim(), ctx, options.kv_cache_type);
  const uint64_t activations = static_cast<uint64_t>(config->n_vocab) * 4 * 2 +
                               static_cast<uint64_t>(options.batch_size) * (4 * config->n_embd + 2 * config->n_ff) * 4;
  Availability a;
  a.required_bytes = weights + kv + activations;
  a.available_bytes = system.available_bytes;
  if (system.available_bytes != 0 && a.required_bytes > system.available_bytes) {
    a.status = AvailabilityStatus::kInsufficientMemory;
    a.reason = "the model needs " + gib(a.required_bytes) + " (weights " + gib(weights) + ", KV cache for " +
               std::to_string(ctx) + " tokens " + gib(kv) + ") but " + gib(system.available_bytes) +
               " is available; lower context_size or use a smaller file";
  }
  return a;
}

Availability check_availability(const std::string& path, const ModelOptions& options) {
  return check_availability_with(path, options, current_system_resources());
}

}  // namespace zhi
