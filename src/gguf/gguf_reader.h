// GGUF v2/v3 reader: mmap'd, zero-copy, and validated before use. Every size,
// count, offset and type in the file is checked against the file itself, so a
// crafted file yields a Status naming the bad field, never an out-of-bounds read.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/mapped_file.h"
#include "core/status.h"
#include "gguf/gguf_value.h"
#include "quant/ggml_type.h"

namespace zhi {

constexpr int kGgufMaxDims = 4;

struct GgufTensor {
  std::string name;
  GgmlType type = GgmlType::kF32;
  std::vector<int64_t> dims;   // dims[0] is innermost (row length)
  uint64_t offset = 0;         // relative to its part's data section
  uint64_t n_bytes = 0;
  int64_t n_elements = 0;
  const uint8_t* data = nullptr;  // inside the mapping; valid while the GgufFile lives
  int part = 0;                   // which split part holds it

  int64_t rows() const { return n_elements / (dims.empty() ? 1 : dims[0]); }
  std::string shape_string() const;
};

class GgufFile {
 public:
  // Opens a file. When it is part 1 of a split model (split.count > 1), the
  // other parts are found beside it (NAME-0000k-of-0000n.gguf) and their
  // tensors are merged in; metadata comes from part 1.
  static Result<GgufFile> open(const std::string& path);
  // Parses one file (or one part) without following splits.
  static Result<GgufFile> open_single(const std::string& path);

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  const std::string& path() const { return path_; }
  int part_count() const { return static_cast<int>(parts_.size()); }
  uint64_t total_file_bytes() const;

  // Metadata, in file order.
  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
  bool has(std::string_view key) const;
  const GgufValue* find(std::string_view key) const;
  // Typed getters: errors name the key and what was found.
  Result<int64_t> get_int(std::string_view key) const;
  Result<double> get_float(std::string_view key) const;
  Result<bool> get_bool(std::string_view key) const;
  Result<std::string> get_string(std::string_view key) const;
  Result<std::vector<std::string_view>> get_string_array(std::string_view key) const;
  Result<std::vector<int64_t>> get_int_array(std::string_view key) const;

  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* find_tensor(std::string_view name) const;
  // Like find_tensor, but an error naming the tensor when it is absent.
  Result<const GgufTensor*> require_tensor(std::string_view name) const;

 private:
  Status parse(std::shared_ptr<MappedFile> file, int part);
  Status merge_part(GgufFile&& other);

  std::string path_;
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  std::vector<std::shared_ptr<MappedFile>> parts_;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::unordered_map<std::string, size_t> kv_index_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string, size_t> tensor_index_;
};

// Splits "dir/name-00001-of-00003.gguf" into its pieces; false if not that shape.
bool parse_split_path(const std::string& path, std::string* prefix, int* index, int* count);
std::string make_split_path(const std::string& prefix, int index, int count);

}  // namespace zhi
