// Whether a model can run here, decided from facts that tests can supply:
// the file, the memory the system reports, the CPU's instruction sets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "zhi/model.hpp"

namespace zhi {

// Instruction sets this binary was compiled to assume (-m flags on the whole
// build, not the dispatched kernels, which check for themselves): running
// without them would fault on the first such instruction.
std::vector<std::string> compiled_cpu_requirements();

struct SystemResources {
  uint64_t available_bytes = 0;  // 0: unknown, memory is not checked
  CpuFeatures cpu;
  std::vector<std::string> required_isa = compiled_cpu_requirements();
};

SystemResources current_system_resources();

// Which of `required` (names as compiled_cpu_requirements() gives them) `cpu` lacks.
std::vector<std::string> missing_cpu_features(const std::vector<std::string>& required, const CpuFeatures& cpu);

// KV bytes one context of `context_size` tokens needs for this model shape.
uint64_t kv_cache_bytes(int64_t n_layer, int64_t kv_dim, int64_t context_size, KvCacheType type);

Availability check_availability_with(const std::string& path, const ModelOptions& options,
                                     const SystemResources& system);

}  // namespace zhi
