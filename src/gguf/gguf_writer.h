// GGUF v3 writer. Tensor data is produced on demand by a fill callback, so a
// multi-GB model is streamed to disk without being held in memory. Output
// goes to a temporary file that is renamed into place only on success.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "gguf/gguf_value.h"
#include "quant/ggml_type.h"

namespace zhi {

class GgufWriter {
 public:
  using FillFn = std::function<Status(uint8_t* dst, uint64_t n_bytes)>;
  using ProgressFn = std::function<void(size_t tensors_done, size_t tensors_total)>;

  // Sets or replaces a key; first-set order is kept.
  void set(const std::string& key, GgufValue value);
  void remove(const std::string& key);
  uint32_t alignment() const { return alignment_; }

  Status add_tensor(const std::string& name, GgmlType type, std::vector<int64_t> dims, FillFn fill);

  Status write(const std::string& path, const ProgressFn& progress = {}) const;

 private:
  struct PendingTensor {
    std::string name;
    GgmlType type;
    std::vector<int64_t> dims;
    uint64_t n_bytes;
    FillFn fill;
  };
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<PendingTensor> tensors_;
  uint32_t alignment_ = 32;
};

}  // namespace zhi
