// A model file loaded once and shared: weights are read-only and mapped, so
// any number of sessions on any threads use one Model at the same time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "zhi/errors.hpp"
#include "zhi/options.hpp"

namespace zhi {

enum class AvailabilityStatus {
  kAvailable,
  kModelFileMissing,     // no file at the path
  kModelFileUnreadable,  // there, but not readable or not a usable Qwen2 GGUF file
  kInsufficientMemory,   // weights plus one session's KV cache exceed available memory
  kUnsupportedCpu,       // the CPU lacks an instruction set this build was compiled for
};

struct Availability {
  AvailabilityStatus status = AvailabilityStatus::kAvailable;
  std::string reason;           // empty when available; otherwise says what is missing
  uint64_t required_bytes = 0;  // weights + one KV cache, when the file could be read
  uint64_t available_bytes = 0; // memory the system reports available (0: unknown)

  bool available() const { return status == AvailabilityStatus::kAvailable; }
};

const char* availability_status_name(AvailabilityStatus status);

// Checks without loading: file, memory for weights plus one context of
// options.context_size tokens, and CPU instruction sets.
Availability check_availability(const std::string& path, const ModelOptions& options = {});

struct PrefixCacheStats {
  int64_t lookups = 0;        // requests that asked the cache
  int64_t hits = 0;           // lookups that reused at least one token
  int64_t reused_tokens = 0;  // prompt tokens not evaluated again, over all hits
  int64_t evictions = 0;
  int64_t entries = 0;        // idle KV states held now
  uint64_t bytes = 0;         // their KV memory
};

class ModelImpl;

class Model {
 public:
  // Runs check_availability() first: an unavailable model is a kUnavailable
  // error carrying the reason.
  static Expected<std::shared_ptr<Model>> load(const std::string& path, const ModelOptions& options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const std::string& path() const;
  const ModelOptions& options() const;
  int64_t context_size() const;
  int64_t vocab_size() const;
  // Re-checks memory and CPU for this loaded model (the file is already mapped).
  Availability availability() const;

  PrefixCacheStats prefix_cache_stats() const;
  void clear_prefix_cache();

  ModelImpl& impl() const { return *impl_; }

 private:
  explicit Model(std::unique_ptr<ModelImpl> impl);
  std::unique_ptr<ModelImpl> impl_;
};

}  // namespace zhi
